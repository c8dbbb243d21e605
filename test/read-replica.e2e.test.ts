/**
 * A hub reading from a real streaming replica (DATABASE_READ_URL), made by pg_basebackup from a
 * primary this test starts (never the machine's server). Replay on the replica is paused with
 * pg_wal_replay_pause() to create lag at will; then every read a caller could make right after
 * a write must still answer as the primary would: the member's own batch, the checkpoint of its
 * receipt, proofs and tiles for that size, the new indicator, the feed, provenance. With replay
 * resumed, the same reads are served by the replica.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { openDatabase, type ReadRoutingStats } from '../src/db/index.js';
import { onlyInPass, testServerUrl } from '../src/db/test-server.js';
import { leafHash, openCheckpoint, parseTile, tilePath, verifyInclusion } from '../src/tlog/index.js';
import { signMemberRequest } from '../src/provenance/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { bearer, graphql } from './helpers/hub-process.js';
import { createDatabaseOn, skipWithoutPgBinaries, startPrimaryAndReplica, type PgPair } from './helpers/pg-cluster.js';

const skip = onlyInPass('server') || skipWithoutPgBinaries();
const INDICATOR = `query($id: ID!) { indicator(id: $id) { id value sightingCount } }`;

describe('reads from a streaming replica', { skip }, () => {
  let pair: PgPair;
  let fed: TestFederation;
  let shopmart: TestMember;
  let reader: string;
  let dbName: string;
  const delta = (before: ReadRoutingStats): Record<string, number> => {
    const now = fed.hub.reads.stats();
    return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof ReadRoutingStats]]));
  };
  const publish = async (value: string): Promise<{ batchId: string; leafIndex: number; checkpoint: string; indicatorIds: string[] }> => {
    const jws = await fed.sign(shopmart, { indicators: [{ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 90 }] });
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    assert.equal(res.status, 201);
    return (await res.json()) as never;
  };
  const memberToken = () => signMemberRequest({ keyPem: shopmart.keyPem, chainPem: [shopmart.certPem], member: 'shopmart', audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });

  before(async () => {
    pair = await startPrimaryAndReplica();
    dbName = `wildintel_replica_${process.pid}`;
    const db = await createDatabaseOn(pair.primary, dbName);
    fed = await startTestFederation({ env: { DATABASE_URL: db.url, DATABASE_READ_URL: pair.replica.url(dbName), DATABASE_READ_MAX_WAIT_MS: '100' } });
    shopmart = await fed.addMember('shopmart');
    reader = await fed.token('indicators:read provenance:read', { tlp: 'RED' });
    await publish('warmup');
    await pair.caughtUp();
  });
  after(async () => {
    await pair?.resumeReplay().catch(() => undefined);
    await fed?.close();
    await pair?.stop();
  });

  it('refuses a "replica" that is another cluster or another database (INVALID_REPLICA)', async () => {
    const primaryUrl = pair.primary.url(dbName);
    // The machine's own server is another cluster (another system identifier).
    await assert.rejects(openDatabase({ databaseUrl: primaryUrl, readUrl: testServerUrl()!, dataDir: tmpdir() }), (err: Error & { code?: string }) => err.code === 'INVALID_REPLICA' && /another Postgres cluster/.test(err.message));
    await assert.rejects(openDatabase({ databaseUrl: primaryUrl, readUrl: pair.replica.url('postgres'), dataDir: tmpdir() }), (err: Error & { code?: string }) => err.code === 'INVALID_REPLICA' && /same database/.test(err.message));
  });

  it('serves the query path from the replica once it has caught up', async () => {
    const receipt = await publish('caughtup');
    await pair.caughtUp();
    const before = fed.hub.reads.stats();
    const answer = await graphql(fed.hub.url, INDICATOR, { id: receipt.indicatorIds[0] }, bearer(reader));
    assert.equal((answer.body.data?.['indicator'] as { value: string }).value, 'caughtup');
    const sent = delta(before);
    assert.deepEqual([sent['replica'], sent['primary'], sent['lagging']], [1, 0, 0], JSON.stringify(sent));
  });

  describe('while the replica has not replayed the latest batch', () => {
    let receipt: Awaited<ReturnType<typeof publish>>;
    let mark: ReadRoutingStats;
    before(async () => {
      await pair.pauseReplay();
      receipt = await publish('justpublished');
      // The lag is real: the replica has not got the batch the primary holds.
      const onReplica = await pair.replica.query(`SELECT count(*)::int AS n FROM batches WHERE batch_id = $1`, [receipt.batchId], dbName);
      assert.equal(onReplica[0]?.['n'], 0);
      mark = fed.hub.reads.stats();
    });
    after(async () => {
      await pair.resumeReplay();
      await pair.caughtUp();
    });

    it('the member reads its own batch right after its receipt', async () => {
      const res = await fetch(`${fed.hub.url}/v1/batches/shopmart/${receipt.batchId}`, { headers: bearer(await memberToken()) });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    });

    it('the checkpoint is never older than its receipt’s, and its proof and tile are served', async () => {
      const receipted = openCheckpoint(receipt.checkpoint, fed.hub.services.log.verifierKey);
      const note = await (await fetch(`${fed.hub.url}/log/checkpoint`)).text();
      assert.equal(openCheckpoint(note, fed.hub.services.log.verifierKey).size, receipted.size);
      const [entry] = await fed.hub.services.log.entries(fed.hub.database.dataSource, receipt.leafIndex, receipt.leafIndex + 1);
      const proof = (await (await fetch(`${fed.hub.url}/log/proof/inclusion?index=${receipt.leafIndex}&size=${receipted.size}`)).json()) as { proof: string[] };
      verifyInclusion(receipt.leafIndex, receipted.size, leafHash(entry!), proof.proof.map((h) => Buffer.from(h, 'base64')), receipted.root);
      const width = receipted.size % 256;
      const tile = await fetch(`${fed.hub.url}/log/${tilePath({ level: 0, index: Math.floor(receipted.size / 256), width })}`);
      assert.equal(tile.status, 200);
      const leaves = parseTile(new Uint8Array(await tile.arrayBuffer()), width);
      assert.deepEqual(Buffer.from(leaves.at(-1)!), Buffer.from(leafHash(entry!)));
    });

    it('the new indicator, the feed and provenance include the batch', async () => {
      const id = receipt.indicatorIds[0]!;
      const found = await graphql(fed.hub.url, INDICATOR, { id }, bearer(reader));
      assert.equal((found.body.data?.['indicator'] as { value: string } | null)?.value, 'justpublished');
      const feed = (await (await fetch(`${fed.hub.url}/v1/feed?after=${receipt.leafIndex - 1}`, { headers: bearer(await memberToken()) })).json()) as { items: Array<{ index: number; jws?: string }> };
      assert.equal(feed.items[0]?.index, receipt.leafIndex);
      assert.ok(feed.items[0]?.jws);
      const provenance = await graphql(fed.hub.url, `query($id: ID!) { provenance(indicatorId: $id) { treeSize sightings { leafIndex } } }`, { id }, bearer(reader));
      assert.deepEqual((provenance.body.data?.['provenance'] as { sightings: Array<{ leafIndex: number }> }).sightings.map((s) => s.leafIndex), [receipt.leafIndex]);
    });

    it('those reads went to the primary, and the log below the replica’s size to the replica', async () => {
      const sent = delta(mark);
      assert.equal(sent['replica'], 2, `proof and tile: tried on the replica, which lacks the size (${JSON.stringify(sent)})`);
      assert.equal(sent['logFallbacks'], 2);
      assert.ok(sent['primary']! >= 7, JSON.stringify(sent));
      assert.ok(sent['lagging']! >= 1, 'a fresh read found the replica behind');
      // An old proof is the same on both: the replica answers it, lag or not.
      const old = fed.hub.reads.stats();
      const res = await fetch(`${fed.hub.url}/log/proof/inclusion?index=0&size=2`);
      assert.equal(res.status, 200);
      assert.deepEqual(delta(old), { replica: 1, primary: 0, waited: 0, lagging: 0, logFallbacks: 0 });
    });
  });

  it('after replay resumes, the replica serves those reads again, with the same answers', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // past the back-off after a lagging read
    const before = fed.hub.reads.stats();
    const found = await graphql(fed.hub.url, INDICATOR, { id: (await publishedId('justpublished'))! }, bearer(reader));
    assert.equal((found.body.data?.['indicator'] as { value: string }).value, 'justpublished');
    const sent = delta(before);
    assert.equal(sent['replica'], 1, JSON.stringify(sent));
  });

  async function publishedId(value: string): Promise<string | undefined> {
    const rows: Array<{ id: string }> = await fed.hub.database.dataSource.query(`SELECT id FROM indicators WHERE value = $1`, [value]);
    return rows[0]?.id;
  }
});
