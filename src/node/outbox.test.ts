import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createLogger, fixedClock, type Random } from '../kernel/index.js';
import { createMemberKeyAndCsr, createRootCa, signMemberCsr } from '../pki/index.js';
import { readStoredBatch, type BatchSigner } from '../provenance/index.js';
import type { PublishedIndicator, Tlp } from '../indicators/index.js';
import { computeListingPseudonym, indicatorId } from '../indicators/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { backoffDelay } from './backoff.js';
import { enqueue, markAccepted, retractIndicator, sealBatch, type PendingItem } from './outbox.js';
import { createPublisher, type Publisher } from './publisher.js';
import { recentDeadLetters } from './dead-letters.js';

/** Randomness fixed at the middle of the jitter range, so every delay is exact. */
const half: Random = { bytes: (n) => new Uint8Array(n), uuid: () => randomUUID(), float: () => 0.5 };
const policy = { baseMs: 1000, maxMs: 8000 };

function keyword(value: string): PublishedIndicator {
  return { type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-03-01T00:00:00Z', confidence: 70 };
}
function item(value: string, tlp: Tlp = 'AMBER'): PendingItem {
  return { kind: 'indicator', tlp, id: indicatorId('KEYWORD', value), indicator: keyword(value) };
}
/** A sealed batch's payload with its items in clear (the node signs version 2: items are disclosures). */
function payloadOf(batch: string): { batchId: string; tlp: Tlp; indicators: PublishedIndicator[]; retractions?: Array<{ indicatorId: string; reason: string }> } {
  const { envelope, indicators, retractions } = readStoredBatch(batch);
  return { ...envelope, indicators: indicators as never, ...(retractions.length > 0 ? { retractions: [...retractions] } : {}) };
}

/** A scripted hub: answers POST /v1/batches with the next status and body given, over real HTTP. */
async function scriptedHub(): Promise<{ url: string; answer(status: number, body: unknown): void; received: string[]; close(): Promise<void> }> {
  const answers: Array<[number, unknown]> = [];
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      const [status, json] = answers.shift() ?? [500, {}];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer: (status, body) => answers.push([status, body]),
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('backoffDelay', () => {
  it('doubles the ceiling per failure up to the maximum, drawing from its upper half', () => {
    const at = (f: number): Random => ({ ...half, float: () => f });
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, policy, at(0))), [500, 1000, 2000, 4000, 4000, 4000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, at(0.5))), [750, 1500, 3000, 6000, 6000]);
    assert.equal(backoffDelay(4, policy, at(0.999999)), 8000);
    assert.equal(backoffDelay(10_000, policy, at(0)), 4000, 'no overflow after many failures');
  });
});

describe('outbox and publisher', () => {
  let t: TestDatabase;
  let signer: BatchSigner;
  let hub: Awaited<ReturnType<typeof scriptedHub>>;
  const clock = fixedClock('2026-03-01T12:00:00Z');
  const logger = createLogger('silent');
  let publisher: Publisher;
  const db = (): TestDatabase['database']['dataSource'] => t.database.dataSource;
  const batches = async (): Promise<Array<{ seq: number; state: string; attempts: number; next_attempt_at: Date; jws: string; tlp: Tlp; refusal: { code: string } | null; leaf_index: string | null }>> =>
    db().query(`SELECT seq, state, attempts, next_attempt_at, jws, tlp, refusal, leaf_index FROM node_batches ORDER BY seq`);

  before(async () => {
    t = await createTestDatabase({ migrations: nodeMigrations });
    const root = createRootCa({ commonName: 'Test Root', validityYears: 1, now: clock.now() });
    const { keyPem, csrPem } = createMemberKeyAndCsr({ member: 'shopmart' });
    signer = { keyPem, chainPem: [signMemberCsr({ csrPem, ca: root, now: clock.now() })] };
    hub = await scriptedHub();
    publisher = createPublisher({ db: db(), hub: { hubUrl: hub.url }, member: 'shopmart', signer, batchMax: 3, batchDelayMs: 2000, backoff: policy, clock, random: half, logger });
  });
  after(async () => {
    await hub.close();
    await t.drop();
  });
  beforeEach(async () => {
    await db().query(`TRUNCATE node_pending, node_sightings, node_batches, node_dead_letters RESTART IDENTITY CASCADE`);
  });

  describe('when sealing', () => {
    it('waits NODE_BATCH_DELAY_MS for company, then signs one batch per TLP, oldest first', async () => {
      const roomy = createPublisher({ db: db(), hub: { hubUrl: hub.url }, member: 'shopmart', signer, batchMax: 10, batchDelayMs: 2000, backoff: policy, clock, random: half, logger });
      await enqueue(db(), [item('a'), item('r', 'RED'), item('b')], clock.now());
      clock.advance(500);
      assert.equal(await roomy.sealDue(), 1500);
      assert.equal((await batches()).length, 0);
      clock.advance(1500);
      assert.equal(await roomy.sealDue(), undefined);
      const sealed = await batches();
      assert.deepEqual(sealed.map((b) => [b.tlp, b.state, payloadOf(b.jws).tlp, payloadOf(b.jws).indicators.map((i) => i.value)]), [
        ['AMBER', 'queued', 'AMBER', ['a', 'b']],
        ['RED', 'queued', 'RED', ['r']],
      ]);
      assert.equal((await db().query(`SELECT * FROM node_pending`)).length, 0);
    });

    it('seals a full batch at once, folds a repeated indicator into one sighting, and leaves the rest pending', async () => {
      await enqueue(db(), [item('a'), item('a'), item('b'), item('c')], clock.now());
      assert.equal(await publisher.sealDue(), 2000, 'after the full batch, one item waits its turn');
      const [first] = await batches();
      assert.deepEqual(payloadOf(first!.jws).indicators.map((i) => i.value), ['a', 'b']);
    });

    it('folds the listings of a repeated indicator into its one item, sorted and unique', async () => {
      const [l1, l2] = ['item-1', 'item-2'].map((raw) => computeListingPseudonym(raw, { keyId: 'k1', key: new Uint8Array(32).fill(3) })).sort() as [string, string];
      const listed = (value: string, listings: string[]): PendingItem => ({ kind: 'indicator', tlp: 'AMBER', id: indicatorId('KEYWORD', value), indicator: { ...keyword(value), listings } });
      await enqueue(db(), [listed('a', [l2]), listed('a', [l1]), item('a'), listed('a', [l2])], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      const [first] = await batches();
      assert.deepEqual(payloadOf(first!.jws).indicators.map((i) => [i.value, i.listings]), [['a', [l1, l2]]]);
    });

    it('while a batch waits to be sent, gathers what arrives into full batches instead of sealing one per delay', async () => {
      await enqueue(db(), [item('a')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      assert.equal((await batches()).length, 1, 'a batch is queued: the hub is down');
      await enqueue(db(), [item('b'), item('c')], clock.now());
      clock.advance(60_000);
      assert.equal(await publisher.sealDue(), undefined, 'held for the queue, not for a delay');
      assert.equal((await batches()).length, 1, 'two items long past the delay stay pending while the queue is not empty');
      await enqueue(db(), [item('d'), item('e')], clock.now());
      await publisher.sealDue();
      const held = await batches();
      assert.deepEqual(held.map((b) => payloadOf(b.jws).indicators.map((i) => i.value)), [['a'], ['b', 'c', 'd']], 'a full batch is sealed at once');
      for (const b of held) await markAccepted(db(), b.seq, { batchId: payloadOf(b.jws).batchId, leafIndex: b.seq, indicatorIds: [], checkpoint: 'note', duplicate: false }, clock.now());
      assert.equal(await publisher.sealDue(), 2000, 'the queue drained: what is left waits the usual delay for company');
      clock.advance(2000);
      assert.equal(await publisher.sealDue(), undefined);
      assert.deepEqual((await batches()).map((b) => payloadOf(b.jws).indicators.map((i) => i.value)), [['a'], ['b', 'c', 'd'], ['e']]);
    });

    it('keeps items pending when signing fails: nothing half-sealed', async () => {
      await enqueue(db(), [item('a')], clock.now());
      const other = createMemberKeyAndCsr({ member: 'shopmart' });
      await assert.rejects(sealBatch({ db: db(), member: 'shopmart', signer: { ...signer, keyPem: other.keyPem }, maxItems: 10, clock, random: half }));
      assert.equal((await batches()).length, 0);
      assert.equal((await db().query(`SELECT * FROM node_pending`)).length, 1);
    });
  });

  describe('when sending', () => {
    const receipt = (jws: string, leafIndex: number) => ({ batchId: JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()).batchId as string, leafIndex, indicatorIds: [], checkpoint: 'note', duplicate: false });

    it('retries network failures and 5xx with exact backoff, resending the same bytes, until the receipt', async () => {
      await enqueue(db(), [item('a')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      const [batch] = await batches();
      hub.answer(503, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'retry later' } });
      hub.answer(400, { error: { code: 'CLOCK_SKEW', message: 'createdAt is ahead' } });
      hub.answer(201, receipt(batch!.jws, 7));
      hub.received.length = 0;

      assert.deepEqual(await publisher.sendNext(), { kind: 'retry', batchId: receipt(batch!.jws, 0).batchId, delayMs: 750, reason: 'HTTP 503 INTERNAL_SERVER_ERROR: retry later' });
      assert.deepEqual(await publisher.sendNext(), { kind: 'waiting', ms: 750 });
      clock.advance(750);
      assert.equal((await publisher.sendNext()).kind, 'retry');
      const [retried] = await batches();
      assert.deepEqual([retried!.attempts, new Date(retried!.next_attempt_at).getTime() - clock.now().getTime()], [2, 1500]);
      clock.advance(1500);
      assert.deepEqual(await publisher.sendNext(), { kind: 'accepted', batchId: receipt(batch!.jws, 0).batchId, leafIndex: 7, duplicate: false });
      assert.deepEqual(hub.received, [batch!.jws, batch!.jws, batch!.jws]);
      const [done] = await batches();
      assert.deepEqual([done!.state, Number(done!.leaf_index), done!.attempts], ['accepted', 7, 3]);
      assert.deepEqual(await publisher.sendNext(), { kind: 'idle' });
    });

    it('schedules a retry when the hub is unreachable', async () => {
      const down = createPublisher({ db: db(), hub: { hubUrl: 'http://127.0.0.1:1' }, member: 'shopmart', signer, batchMax: 3, batchDelayMs: 0, backoff: policy, clock, random: half, logger });
      await enqueue(db(), [item('a')], clock.now());
      await down.sealDue();
      const step = await down.sendNext();
      assert.equal(step.kind, 'retry');
      assert.equal(step.kind === 'retry' && step.delayMs, 750);
    });

    it('keeps a final refusal with its error and moves on to the next batch', async () => {
      await enqueue(db(), [item('a'), item('r', 'RED')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      const [first, second] = await batches();
      hub.answer(422, { error: { code: 'INVALID_INDICATOR', message: 'indicator 0: value bad', details: { index: 0 } } });
      hub.answer(201, receipt(second!.jws, 3));
      assert.deepEqual(await publisher.sendNext(), { kind: 'refused', batchId: receipt(first!.jws, 0).batchId, code: 'INVALID_INDICATOR' });
      assert.equal((await publisher.sendNext()).kind, 'accepted');
      const states = await batches();
      assert.deepEqual(states.map((b) => [b.state, b.refusal?.code ?? null]), [['refused', 'INVALID_INDICATOR'], ['accepted', null]]);
      const dead = await recentDeadLetters(db());
      assert.deepEqual(dead.recent.map((d) => [d.index, d.indicatorId, d.code]), [[0, indicatorId('KEYWORD', 'a'), 'INVALID_INDICATOR']]);
    });

    it('dead-letters only the item a refusal names and signs the others into a new batch', async () => {
      await enqueue(db(), [item('a'), item('b'), item('c')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      const [first] = await batches();
      hub.answer(422, { error: { code: 'INVALID_INDICATOR', message: 'indicator 1: original bad', details: { index: 1, field: 'original' } } });
      assert.equal((await publisher.sendNext()).kind, 'refused');
      const pending: Array<{ indicator_id: string }> = await db().query(`SELECT indicator_id FROM node_pending ORDER BY seq`);
      assert.deepEqual(pending.map((p) => p.indicator_id), [indicatorId('KEYWORD', 'a'), indicatorId('KEYWORD', 'c')]);
      clock.advance(2000);
      await publisher.sealDue();
      const second = (await batches()).find((b) => b.seq !== first!.seq);
      assert.deepEqual(payloadOf(second!.jws).indicators.map((i) => i.value), ['a', 'c']);
      assert.deepEqual((await recentDeadLetters(db())).recent.map((d) => [d.index, d.indicatorId]), [[1, indicatorId('KEYWORD', 'b')]]);
    });

    it('dead-letters every item of a batch refused as a whole', async () => {
      await enqueue(db(), [item('a'), item('b')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      hub.answer(401, { error: { code: 'BAD_CERTIFICATE', message: 'not a batch-signing certificate' } });
      assert.equal((await publisher.sendNext()).kind, 'refused');
      const dead = await recentDeadLetters(db());
      assert.deepEqual([dead.count, ...dead.recent.map((d) => d.code)], [2, 'BAD_CERTIFICATE', 'BAD_CERTIFICATE']);
      assert.deepEqual(await db().query(`SELECT * FROM node_pending`), []);
    });

    it('after a key rotation, signs a batch sealed with the old key again with the current one when the hub refuses it CERT_REVOKED', async () => {
      await enqueue(db(), [item('a')], clock.now());
      clock.advance(2000);
      await publisher.sealDue();
      const [sealed] = await batches();
      const root = createRootCa({ commonName: 'Test Root', validityYears: 1, now: clock.now() });
      const next = createMemberKeyAndCsr({ member: 'shopmart' });
      const rotated: BatchSigner = { keyPem: next.keyPem, chainPem: [signMemberCsr({ csrPem: next.csrPem, ca: root, now: clock.now() })] };
      const after = createPublisher({ db: db(), hub: { hubUrl: hub.url }, member: 'shopmart', signer: rotated, batchMax: 3, batchDelayMs: 2000, backoff: policy, clock, random: half, logger });
      const revoked = { error: { code: 'CERT_REVOKED', message: 'revoked before this batch arrived' } };
      hub.answer(403, revoked);
      assert.equal((await after.sendNext()).kind, 'retry');
      const [resigned] = await batches();
      assert.equal(resigned!.state, 'queued');
      assert.deepEqual(payloadOf(resigned!.jws), payloadOf(sealed!.jws), 'the same payload, batch id and all');
      assert.notEqual(resigned!.jws, sealed!.jws);
      hub.answer(403, revoked);
      assert.deepEqual(await after.sendNext(), { kind: 'refused', batchId: payloadOf(sealed!.jws).batchId, code: 'CERT_REVOKED' }, 'its current certificate revoked too: refused for good');
    });
  });

  describe('when retracting', () => {
    it('drops a still-pending indicator, queues a retraction for a published one under its TLP, and knows the rest', async () => {
      const sealAll = async (): Promise<void> => {
        while ((await sealBatch({ db: db(), member: 'shopmart', signer, maxItems: 10, clock, random: half })) !== undefined);
      };
      await enqueue(db(), [item('a', 'GREEN'), item('b', 'RED')], clock.now());
      await sealAll();
      await enqueue(db(), [item('b', 'RED'), item('c')], clock.now());
      const tx = db();
      assert.equal(await retractIndicator(tx, indicatorId('KEYWORD', 'c'), 'withdrawn', clock.now()), 'withdrawn');
      assert.equal(await retractIndicator(tx, indicatorId('KEYWORD', 'a'), 'false-positive', clock.now()), 'queued');
      assert.equal(await retractIndicator(tx, indicatorId('KEYWORD', 'a'), 'false-positive', clock.now()), 'queued', 'asking twice queues one retraction');
      assert.equal(await retractIndicator(tx, indicatorId('KEYWORD', 'zzz'), 'withdrawn', clock.now()), 'unknown');
      const pending: Array<{ tlp: Tlp; retraction: boolean }> = await db().query(`SELECT tlp, retraction FROM node_pending ORDER BY seq`);
      assert.deepEqual(pending.map((p) => [p.tlp, p.retraction]), [['RED', false], ['GREEN', true]], 'b was observed again after sealing and stays');
      await sealAll();
      const retraction = (await batches()).find((b) => payloadOf(b.jws).retractions !== undefined);
      assert.deepEqual(payloadOf(retraction!.jws), { ...payloadOf(retraction!.jws), tlp: 'GREEN', indicators: [], retractions: [{ indicatorId: indicatorId('KEYWORD', 'a'), reason: 'false-positive' }] });
      assert.equal(await retractIndicator(tx, indicatorId('KEYWORD', 'a'), 'withdrawn', clock.now()), 'already-retracted');
    });
  });
});
