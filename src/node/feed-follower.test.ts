/**
 * The feed follower against a hub that serves whatever the test says, with real signatures, a
 * real Merkle log (MemoryHashStore) and real signed checkpoints: what verifies is indexed, and
 * each kind of tampering halts the follower with an alarm and applies nothing.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { indicatorId, type PublishedIndicator, type Tlp } from '../indicators/index.js';
import { createLogger, sha256Base64url, systemClock, systemRandom } from '../kernel/index.js';
import { createMemberKeyAndCsr, createRootCa, parseCertificate, pemToDerCertificates, signMemberCsr, type CaMaterial } from '../pki/index.js';
import { issuerJwtOf, presentSdJwt, signBatch, signBatchSdJwt, splitSdJwt, type BatchSigner } from '../provenance/index.js';
import { consistencyProofSync, encodeEntry, generateSignerKey, leafHash, MemoryHashStore, parseSignerKey, signCheckpoint } from '../tlog/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { createAlarms, recentAlarms } from './alarms.js';
import { createFeedFollower, type FeedFollower } from './feed-follower.js';
import { FederationIndex } from './federation-index.js';
import { createHubWitness } from './hub-witness.js';

const ORIGIN = 'hub.test/wildintel';
const logKeys = generateSignerKey(ORIGIN);
const logSigner = parseSignerKey(logKeys.signerKey);
const now = systemClock.now();

function keyword(value: string): PublishedIndicator {
  return { type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-03-01T00:00:00Z', confidence: 60 };
}

/** A hub's log and feed, built entry by entry; `page` is what GET /v1/feed answers next. */
class FakeHub {
  readonly store = new MemoryHashStore();
  readonly entries: Uint8Array[] = [];
  readonly jws = new Map<number, string>();
  /** Version 2 batches: the SD-JWT served (the test may narrow its disclosures). */
  readonly sdJwt = new Map<number, string>();
  /** Rewrites what the feed serves (tampering), after the log was built honestly. */
  tamper: (items: Array<{ index: number; entry: string; jws?: string; sdJwt?: string }>) => void = () => undefined;

  async batch(signer: BatchSigner, member: string, indicators: PublishedIndicator[], options: { tlp?: Tlp; retract?: string[]; version?: 1 | 2 } = {}): Promise<void> {
    const batchId = randomUUID();
    const tlp = options.tlp ?? 'AMBER';
    const payload = { batchId, member, createdAt: now.toISOString(), tlp, indicators, ...(options.retract ? { retractions: options.retract.map((id) => ({ indicatorId: id, reason: 'withdrawn' })) } : {}) };
    const signed = options.version === 2 ? await signBatchSdJwt({ v: 2, ...payload }, signer, systemRandom) : await signBatch({ v: 1, ...payload }, signer);
    (options.version === 2 ? this.sdJwt : this.jws).set(this.entries.length, signed);
    this.append(encodeEntry({ kind: 'batch', ts: now.getTime(), member, batchId, tlp, count: indicators.length, jwsSha256: sha256Base64url(issuerJwtOf(signed)) }));
  }

  append(entry: Uint8Array): void {
    this.entries.push(entry);
    this.store.append([leafHash(entry)]);
  }

  feed(after: number): unknown {
    const start = after + 1;
    const items = this.entries.slice(start).map((e, i) => ({
      index: start + i,
      entry: Buffer.from(e).toString('base64'),
      ...(this.jws.has(start + i) ? { jws: this.jws.get(start + i)! } : {}),
      ...(this.sdJwt.has(start + i) ? { sdJwt: this.sdJwt.get(start + i)! } : {}),
    }));
    this.tamper(items);
    const size = this.store.size;
    return { items, next: size - 1, size, checkpoint: signCheckpoint({ origin: ORIGIN, size, root: this.store.treeHash(size) }, logSigner) };
  }
}

function member(root: CaMaterial, slug: string): BatchSigner {
  const { keyPem, csrPem } = createMemberKeyAndCsr({ member: slug });
  return { keyPem, chainPem: [signMemberCsr({ csrPem, ca: root, now })] };
}

describe('feed follower', () => {
  let t: TestDatabase;
  let root: CaMaterial;
  let shopmart: BatchSigner;
  let server: Server;
  let hub: FakeHub;
  let index: FederationIndex;
  let follower: FeedFollower;

  before(async () => {
    t = await createTestDatabase({ migrations: nodeMigrations });
    root = createRootCa({ commonName: 'Test Root', validityYears: 1, now });
    shopmart = member(root, 'shopmart');
    server = createServer((req, res) => {
      const after = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('after') ?? -1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hub.feed(after)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.drop();
  });
  beforeEach(async () => {
    const db = t.database.dataSource;
    await db.query(`TRUNCATE node_feed_indicators, node_alarms, node_agency_keys, node_disclosure_log`);
    await db.query(`UPDATE node_state SET feed_next = 0, feed_range = '[]', feed_revocations = '{}', feed_revocation_indexes = '{}', checkpoint_origin = NULL, checkpoint_size = NULL, checkpoint_root = NULL`);
    hub = new FakeHub();
    index = await FederationIndex.load(db);
    const logger = createLogger('silent');
    const alarms = createAlarms(db, systemClock, logger);
    const client = { consistencyProof: async (m: number, n: number) => consistencyProofSync(m, n, hub.store.read) };
    const witness = createHubWitness({ db, client, configuredKey: logKeys.verifierKey, fetchLogKey: async () => logKeys.verifierKey, alarms, clock: systemClock, logger });
    follower = createFeedFollower({
      db,
      hub: { hubUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      audience: 'http://hub.test',
      member: 'chatapp',
      signer: member(root, 'chatapp'),
      rootsDer: pemToDerCertificates(root.certPem),
      client,
      witness,
      index,
      alarms,
      clock: systemClock,
      random: systemRandom,
      logger,
    });
  });

  const scan = async (text: string): Promise<string[]> => (await index.scan(t.database.dataSource, { text }, new Date())).keywords.map((k) => k.keyword);
  const alarmCodes = async (): Promise<string[]> => (await recentAlarms(t.database.dataSource)).recent.map((a) => a.code);

  it('indexes verified batches page by page, and applies a later retraction', async () => {
    hub.append(encodeEntry({ kind: 'member', ts: now.getTime(), member: 'shopmart', cert: Buffer.from(pemToDerCertificates(shopmart.chainPem[0]!)[0]!).toString('base64') }));
    await hub.batch(shopmart, 'shopmart', [keyword('象牙'), keyword('犀角')]);
    await hub.batch(shopmart, 'shopmart', [keyword('穿山甲')], { tlp: 'RED' });
    hub.jws.delete(2); // a RED batch of another member: the hub withholds its content
    assert.equal(await follower.followOnce(), 'caught-up');
    assert.deepEqual(await scan('出售象牙和犀角, 穿山甲'), ['象牙', '犀角']);
    await hub.batch(shopmart, 'shopmart', [], { retract: [indicatorId('KEYWORD', '象牙')] });
    assert.equal(await follower.followOnce(), 'caught-up');
    assert.deepEqual(await scan('出售象牙和犀角'), ['犀角']);
    assert.deepEqual(await alarmCodes(), []);
  });

  it('indexes of a version 2 batch exactly the items disclosed to it, and halts on a disclosure the member did not sign', async () => {
    hub.append(encodeEntry({ kind: 'member', ts: now.getTime(), member: 'shopmart', cert: Buffer.from(pemToDerCertificates(shopmart.chainPem[0]!)[0]!).toString('base64') }));
    await hub.batch(shopmart, 'shopmart', [keyword('象牙'), keyword('犀角'), keyword('穿山甲')], { version: 2 });
    const { jwt, disclosures } = splitSdJwt(hub.sdJwt.get(1)!);
    hub.sdJwt.set(1, presentSdJwt(jwt, [disclosures[0]!, disclosures[2]!]));
    assert.equal(await follower.followOnce(), 'caught-up');
    assert.deepEqual(await scan('出售象牙和犀角, 穿山甲'), ['象牙', '穿山甲']);
    await hub.batch(shopmart, 'shopmart', [keyword('虎骨')], { version: 2 });
    const forged = Buffer.from(JSON.stringify([Buffer.alloc(16).toString('base64url'), keyword('虎骨')])).toString('base64url');
    hub.tamper = (items) => items.forEach((i) => i.sdJwt !== undefined && (i.sdJwt = presentSdJwt(issuerJwtOf(i.sdJwt), [forged])));
    assert.equal(await follower.followOnce(), 'halted');
    assert.deepEqual(await scan('虎骨'), [], 'nothing of the page applied');
    assert.deepEqual(await alarmCodes(), ['BATCH_INVALID']);
  });

  it('follows a feed with agency and disclosure entries, keeping their hashes to check requests against', async () => {
    const hash = sha256Base64url('a record');
    const requestId = randomUUID();
    hub.append(encodeEntry({ kind: 'agency', ts: now.getTime(), agency: 'customs', keysSha256: sha256Base64url('keys') }));
    await hub.batch(shopmart, 'shopmart', [keyword('象牙')]);
    hub.append(encodeEntry({ kind: 'disclosure', ts: now.getTime(), step: 'filed', requestId, recordSha256: hash }));
    hub.append(encodeEntry({ kind: 'disclosure', ts: now.getTime(), step: 'routed', requestId, recordSha256: sha256Base64url('routing') }));
    assert.equal(await follower.followOnce(), 'caught-up');
    assert.equal(follower.halted, false);
    assert.deepEqual(await scan('象牙'), ['象牙'], 'the batch between them is indexed');
    const db = t.database.dataSource;
    assert.deepEqual(await db.query(`SELECT leaf_index::int, agency, keys_sha256 FROM node_agency_keys`), [{ leaf_index: 0, agency: 'customs', keys_sha256: sha256Base64url('keys') }]);
    assert.deepEqual(await db.query(`SELECT leaf_index::int, request_id::text, step, record_sha256 FROM node_disclosure_log ORDER BY leaf_index`), [
      { leaf_index: 2, request_id: requestId, step: 'filed', record_sha256: hash },
      { leaf_index: 3, request_id: requestId, step: 'routed', record_sha256: sha256Base64url('routing') },
    ]);
    assert.deepEqual(await alarmCodes(), []);
  });

  const tampered = async (what: string, check: string, tamper: FakeHub['tamper'], setup?: () => Promise<void>): Promise<void> => {
    await hub.batch(shopmart, 'shopmart', [keyword('象牙')]);
    await setup?.();
    hub.tamper = tamper;
    assert.equal(await follower.followOnce(), 'halted', what);
    assert.equal(await follower.followOnce(), 'halted', 'and stays halted');
    assert.deepEqual(await alarmCodes(), [check]);
    assert.deepEqual(await scan('象牙'), [], 'nothing from the bad page was applied');
    const [state]: Array<{ feed_next: string | number }> = await t.database.dataSource.query(`SELECT feed_next FROM node_state`);
    assert.equal(Number(state!.feed_next), 0);
  };

  describe('when the hub serves a bad page', () => {
    it('refuses a batch that is not the one its entry commits to', () =>
      tampered('swapped batch', 'BATCH_HASH_MISMATCH', (items) => {
        items[0]!.jws = hub.jws.get(1)!;
      }, () => hub.batch(shopmart, 'shopmart', [keyword('犀角')])));

    it('refuses entries that are not the ones the signed checkpoint covers', () =>
      tampered('altered entry', 'ROOT_MISMATCH', (items) => {
        items[1]!.entry = Buffer.from(encodeEntry({ kind: 'revocation', ts: 1, member: 'shopmart', serial: '01', reason: 'unspecified' })).toString('base64');
      }, () => hub.batch(shopmart, 'shopmart', [keyword('犀角')])));

    it('refuses a batch signed by a certificate outside the federation', async () => {
      const outsider = member(createRootCa({ commonName: 'Other Root', validityYears: 1, now }), 'shopmart');
      await hub.batch(outsider, 'shopmart', [keyword('象牙')]);
      assert.equal(await follower.followOnce(), 'halted');
      assert.deepEqual(await alarmCodes(), ['BATCH_INVALID']);
      assert.deepEqual(await scan('象牙'), []);
    });

    it('refuses a batch logged after its certificate’s revocation entry, however it is dated', async () => {
      const serial = parseCertificate(pemToDerCertificates(shopmart.chainPem[0]!)[0]!).serialHex;
      await hub.batch(shopmart, 'shopmart', [keyword('犀角')]);
      hub.append(encodeEntry({ kind: 'revocation', ts: now.getTime() + 60_000, member: 'shopmart', serial, reason: 'keyCompromise' }));
      // Signed with a createdAt before the revocation's time: only the log's order tells.
      await hub.batch(shopmart, 'shopmart', [keyword('象牙')]);
      assert.equal(await follower.followOnce(), 'halted');
      assert.deepEqual(await alarmCodes(), ['BATCH_AFTER_REVOCATION']);
      assert.deepEqual(await scan('象牙犀角'), [], 'nothing from the page was applied');
    });

    it('refuses a gap in the entries', () =>
      tampered('gap', 'FEED_GAP', (items) => {
        items.shift();
      }, () => hub.batch(shopmart, 'shopmart', [keyword('犀角')])));
  });
});
