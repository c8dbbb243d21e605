import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { auditLog, createHttpLogClient, parseState, serializeState, verifyReceipt, AuditError, type AuditState } from '../src/audit/index.js';
import { systemClock } from '../src/kernel/index.js';
import { signMemberRequest } from '../src/provenance/index.js';
import { MemoryHashStore, generateSignerKey, leafHash, parseSignerKey, signCheckpoint } from '../src/tlog/index.js';
import { runCli, onlyInPass } from './helpers/hub-process.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

async function publish(fed: TestFederation, member: TestMember, n: number, seed: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const jws = await fed.sign(member, { indicators: sampleIndicators(3, `${seed}${i}x`) });
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    assert.equal(res.status, 201);
  }
}

const audit = (fed: TestFederation, previous?: AuditState, token?: string) =>
  auditLog({
    client: createHttpLogClient(fed.hub.url, token === undefined ? {} : { token }),
    verifierKey: fed.hub.services.log.verifierKey,
    rootPem: fed.rootCertPem,
    clock: systemClock,
    ...(previous ? { previous } : {}),
  });

const failsWith = (promise: Promise<unknown>, code: string, pattern?: RegExp) =>
  assert.rejects(promise, (err: unknown) => err instanceof AuditError && err.code === code && (pattern === undefined || pattern.test(err.message)));

/** Rewrites history as a dishonest operator with the log key would: one old entry changed, every hash and the checkpoint made consistent again. */
async function rewriteHistory(fed: TestFederation, index: number): Promise<void> {
  const db: DataSource = fed.hub.database.dataSource;
  const rows: Array<{ idx: string | number; entry: Uint8Array }> = await db.query(`SELECT idx, entry FROM tlog_entries ORDER BY idx`);
  const entries = rows.map((r) => Buffer.from(r.entry));
  entries[index] = Buffer.from(entries[index]!.toString().replace(/"ts":\d+/, '"ts":1'));
  const store = new MemoryHashStore();
  const made = store.append(entries.map((e) => leafHash(e)));
  const signer = parseSignerKey((await readFile(path.join(fed.certsDir, 'dev/log-key.pem'), 'utf8')).trim());
  await db.transaction(async (tx) => {
    await tx.query(`UPDATE tlog_entries SET entry = $2 WHERE idx = $1`, [index, entries[index]]);
    await tx.query(`DELETE FROM tlog_hashes`);
    await tx.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [made.map((m) => m.index), made.map((m) => Buffer.from(m.hash))]);
    const note = signCheckpoint({ origin: fed.hub.services.log.origin, size: entries.length, root: store.treeHash() }, signer);
    await tx.query(`UPDATE tlog_checkpoints SET note = $2, root = $3 WHERE size = $1`, [entries.length, note, Buffer.from(store.treeHash())]);
  });
}

describe('wildintel audit verify', { skip: onlyInPass('server') }, () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let dir: string;
  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-audit-'));
  });
  after(async () => {
    await fed.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies the log, then only what was added since, proving consistency', async () => {
    await publish(fed, shopmart, 3, 'a');
    const first = await audit(fed);
    assert.equal(first.to, 5);
    assert.deepEqual(first.kinds, { member: 2, batch: 3 });
    const state = parseState(serializeState(first.state));
    await publish(fed, chatapp, 2, 'b');
    const second = await audit(fed, state);
    assert.equal(second.from, 5);
    assert.equal(second.to, 7);
    assert.equal(second.entriesChecked, 2);
  });

  it('with a token that may read the batches, verifies every batch against its entry, signature and chain', async () => {
    const token = await signMemberRequest({ keyPem: chatapp.keyPem, chainPem: [chatapp.certPem], member: 'chatapp', audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
    // One token per request: the client reuses it, so give each batch fetch its own.
    const client = createHttpLogClient(fed.hub.url, { token });
    const tokens = async (): Promise<string> => signMemberRequest({ keyPem: chatapp.keyPem, chainPem: [chatapp.certPem], member: 'chatapp', audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
    client.batch = async (member, batchId) => {
      const res = await fetch(`${fed.hub.url}/v1/batches/${member}/${batchId}`, { headers: { authorization: `Bearer ${await tokens()}` } });
      return res.text();
    };
    const report = await auditLog({ client, verifierKey: fed.hub.services.log.verifierKey, rootPem: fed.rootCertPem, clock: systemClock });
    assert.equal(report.batchesVerified, 5);
  });

  it("verifies a receipt as a member would, and refuses one for bytes it did not send", async () => {
    const jws = await fed.sign(shopmart, { indicators: sampleIndicators(1, 'receipt') });
    const receipt = (await (await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws })).json()) as { batchId: string; leafIndex: number; checkpoint: string };
    const client = createHttpLogClient(fed.hub.url);
    const checkpoint = await verifyReceipt({ receipt, jws, verifierKey: fed.hub.services.log.verifierKey, client });
    assert.ok(checkpoint.size > receipt.leafIndex);
    const other = await fed.sign(shopmart, { indicators: sampleIndicators(1, 'other') });
    await failsWith(verifyReceipt({ receipt, jws: other, verifierKey: fed.hub.services.log.verifierKey, client }), 'BATCH_HASH_MISMATCH');
  });

  it('refuses a checkpoint under another key', async () => {
    const other = generateSignerKey(fed.hub.services.log.origin).verifierKey;
    await failsWith(auditLog({ client: createHttpLogClient(fed.hub.url), verifierKey: other, clock: systemClock }), 'CHECKPOINT_SIGNATURE');
  });

  it('runs as a command: saves its state, exits 0, and 1 with a precise line on failure', async () => {
    const state = path.join(dir, 'state.json');
    await writeFile(path.join(dir, 'root.pem'), fed.rootCertPem);
    const args = ['audit', 'verify', '--hub', fed.hub.url, '--root', path.join(dir, 'root.pem'), '--log-key', fed.hub.services.log.verifierKey, '--state', state];
    const ok = await runCli(args, {});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /log verified: size 8 \(was 0\), 8 new entries checked/);
    assert.equal(parseState(await readFile(state, "utf8")).range.size, 8);
    const wrongKey = await runCli([...args.slice(0, 7), generateSignerKey('x').verifierKey, '--state', state], {});
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^wildintel: the checkpoint does not verify under the log key: .* \[CHECKPOINT_SIGNATURE\]\n$/);
  });
});

describe('audit verify detects tampering', { skip: onlyInPass('server') }, () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    await publish(fed, shopmart, 4, 't');
  });
  after(() => fed.close());

  it('a modified stored entry: ROOT_MISMATCH', async () => {
    const db = fed.hub.database.dataSource;
    const { entry } = ((await db.query(`SELECT entry FROM tlog_entries WHERE idx = 2`)) as Array<{ entry: Uint8Array }>)[0]!;
    const altered = Buffer.from(Buffer.from(entry).toString().replace(/"count":3/, '"count":4'));
    await db.query(`UPDATE tlog_entries SET entry = $1 WHERE idx = 2`, [altered]);
    await failsWith(audit(fed), 'ROOT_MISMATCH', /entries were altered/);
    await db.query(`UPDATE tlog_entries SET entry = $1 WHERE idx = 2`, [Buffer.from(entry)]);
    await audit(fed);
  });

  it('a deleted entry: ENTRIES_UNAVAILABLE', async () => {
    const db = fed.hub.database.dataSource;
    const [row] = (await db.query(`SELECT idx, kind, entry, created_at FROM tlog_entries WHERE idx = 3`)) as Array<{ idx: number; kind: string; entry: Uint8Array; created_at: Date }>;
    await db.query(`DELETE FROM tlog_entries WHERE idx = 3`);
    await failsWith(audit(fed), 'ENTRIES_UNAVAILABLE');
    await db.query(`INSERT INTO tlog_entries (idx, kind, entry, created_at) VALUES ($1, $2, $3, $4)`, [row!.idx, row!.kind, Buffer.from(row!.entry), row!.created_at]);
  });

  it('a rewritten history of the same size: FORK_DETECTED; after more appends: INCONSISTENT_PROOF', async () => {
    const before = (await audit(fed)).state;
    await rewriteHistory(fed, 1);
    await failsWith(audit(fed, before), 'FORK_DETECTED');
    await audit(fed); // the rewritten log is self-consistent: only the saved state catches it
    await publish(fed, shopmart, 1, 'after');
    await failsWith(audit(fed, before), 'INCONSISTENT_PROOF', /history was rewritten/);
  });
});
