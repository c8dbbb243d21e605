/**
 * Outcomes end to end (issue #22): a platform records what it did through its node's platform
 * API, by the raw seller identifier or listing text it knows; the node publishes outcome items
 * naming only the indicators it published (the raw identifier and the platform's reference never
 * leave it); the hub stores them, counts them in the log entry, and refuses outcomes about
 * sightings the member never published, a reused outcome id, and a retraction of nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { indicatorId } from '../src/indicators/index.js';
import type { RunningNode } from '../src/node/index.js';
import { parseEntry } from '../src/tlog/index.js';
import { auditLog, createHttpLogClient } from '../src/audit/index.js';
import { systemClock } from '../src/kernel/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { callNode, capturingLogger, eventually, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

const PHONE = '+86 138 0013 8000';
const REFERENCE = 'listing-884123';
const LISTING = 'https://shop.example/item/884123';
const common = { commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T12:00:00Z', tlp: 'AMBER_STRICT' };

describe('outcomes through a member node', () => {
  let dir: string;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;
  let member: TestMember;
  let hubDb: DataSource;
  let nodeDb: DataSource;
  let sellerId: string;
  const keywordId = indicatorId('KEYWORD', '象牙手镯');
  const post = (route: string, body: unknown) => callNode(node.url, fixture.apiKey, route, body);
  const hubOutcomes = (): Promise<Array<{ outcome_id: string; indicator_id: string; action: string; tlp: string; retracted_at: Date | null }>> =>
    hubDb.query(`SELECT outcome_id::text, indicator_id, action, tlp, retracted_at FROM outcomes WHERE member = 'shopmart' ORDER BY received_at, outcome_id`);
  const nodeCounts = async (): Promise<string> => JSON.stringify(await nodeDb.query(`SELECT (SELECT count(*)::int FROM node_pending) AS pending, (SELECT count(*)::int FROM node_outcomes) AS outcomes`));

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-outcomes-'));
    fed = await startTestFederation();
    hubDb = fed.hub.database.dataSource;
    member = await fed.addMember('shopmart');
    fixture = await nodeFixture(fed, member, await sharedPseudonymKey(dir));
    node = await fixture.start(capturingLogger().logger);
    nodeDb = node.database.dataSource;
    const made = await post('/v1/observations', { observations: [{ kind: 'seller', identifier: { type: 'phone', value: PHONE }, ...common, listing: LISTING }, { kind: 'keyword', text: '象牙 手镯', ...common, listing: LISTING }] });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    sellerId = (made.body['indicators'] as Array<Array<{ id: string }>>)[0]![0]!.id;
    await eventually('the sightings at the hub', async () => ((await hubDb.query(`SELECT 1 FROM sightings WHERE member = 'shopmart'`)).length === 2 ? true : undefined));
  });
  after(async () => {
    await node?.stop();
    await fixture?.cleanup();
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records an outcome by the raw identifier, publishes it naming the indicator only, at its sighting’s TLP', async () => {
    const r = await post('/v1/outcomes', { outcomes: [{ identifier: { type: 'phone', value: PHONE }, action: 'REMOVED', actedAt: '2026-03-02T08:00:00Z', reference: REFERENCE }, { text: '象-牙手镯', action: 'NO_VIOLATION', actedAt: '2026-03-02T09:00:00Z' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const recorded = r.body['outcomes'] as Array<{ outcomeIds: string[]; indicatorIds: string[] }>;
    assert.deepEqual(recorded.map((o) => o.indicatorIds), [[sellerId], [keywordId]]);
    const stored = await eventually('the outcomes at the hub', async () => ((await hubOutcomes()).length === 2 ? hubOutcomes() : undefined));
    const row = (o: { outcome_id: string; indicator_id: string; action: string; tlp: string }): string => [o.outcome_id, o.indicator_id, o.action, o.tlp].join(' ');
    assert.deepEqual(stored.map(row).sort(), [
      row({ outcome_id: recorded[0]!.outcomeIds[0]!, indicator_id: sellerId, action: 'REMOVED', tlp: 'AMBER_STRICT' }),
      row({ outcome_id: recorded[1]!.outcomeIds[0]!, indicator_id: keywordId, action: 'NO_VIOLATION', tlp: 'AMBER_STRICT' }),
    ].sort());
    // Nothing raw in what the hub holds: the batch and its every disclosure.
    const batches: Array<{ jws: string; leaf_index: string }> = await hubDb.query(`SELECT b.jws, b.leaf_index FROM batches b JOIN outcomes o ON o.member = b.member AND o.batch_id = b.batch_id`);
    for (const b of batches) {
      const text = b.jws.split('~').map((part) => Buffer.from(part.split('.')[1] ?? part, 'base64url').toString('utf8')).join('\n');
      for (const raw of [REFERENCE, '13800138000', '138 0013 8000']) assert.equal(text.includes(raw), false, `${raw} left the node`);
      assert.match(text, /"action":"REMOVED"|"action":"NO_VIOLATION"/);
    }
    const [entry] = await fed.hub.services.log.entries(hubDb, Number(batches[0]!.leaf_index), Number(batches[0]!.leaf_index) + 1);
    assert.equal((parseEntry(entry!) as { count: number }).count, 2, 'the log entry counts the outcome items');
    // The node follows the feed past its own outcome batch: the entry's count (indicators and outcomes) matches what it verifies.
    const leaf = Number(batches[0]!.leaf_index);
    const status = await eventually('the feed past the outcome batch', async () => {
      const r = await callNode(node.url, fixture.apiKey, '/v1/status');
      return (r.body['feed'] as { next: number }).next > leaf ? r.body : undefined;
    });
    assert.equal((status['alarms'] as { count: number }).count, 0, JSON.stringify(status['alarms']));
    // Per listing, by its pseudonym: both outcomes concern what shopmart sighted in that one listing; its URL never leaves the node.
    const figures = await fed.read('{ outcomeFigures(from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z") { listings { listing member removals noViolation other } } }');
    const listings = (figures.body.data?.['outcomeFigures'] as { listings: Array<{ listing: string; member: string; removals: number; noViolation: number; other: number }> }).listings;
    assert.equal(listings.length, 1, JSON.stringify(figures.body));
    assert.match(listings[0]!.listing, /^lp1\./);
    assert.deepEqual({ ...listings[0], listing: undefined }, { listing: undefined, member: 'shopmart', removals: 1, noViolation: 1, other: 0 });
    const listed = await callNode(node.url, fixture.apiKey, `/v1/outcomes?reference=${REFERENCE}`);
    assert.deepEqual((listed.body['outcomes'] as Array<{ indicatorId: string; state: string }>).map((o) => [o.indicatorId, o.state]), [[sellerId, 'published']]);
    // By listing at the node: the raw URL (mapped to its pseudonym there) and the pseudonym the hub shows find both outcomes; another listing none.
    const byListing = async (listing: string): Promise<string[]> => {
      const r = await callNode(node.url, fixture.apiKey, `/v1/outcomes?listing=${encodeURIComponent(listing)}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body['outcomes'] as Array<{ indicatorId: string }>).map((o) => o.indicatorId).sort();
    };
    assert.deepEqual(await byListing(LISTING), [sellerId, keywordId].sort());
    assert.deepEqual(await byListing(listings[0]!.listing), [sellerId, keywordId].sort());
    assert.deepEqual(await byListing('https://shop.example/item/1'), []);
    const bad = await callNode(node.url, fixture.apiKey, `/v1/outcomes?listing=${encodeURIComponent('a\u0007b')}`);
    const refused = bad.body['error'] as { code: string; message: string };
    assert.deepEqual([bad.status, refused.code], [400, 'MALFORMED_REQUEST']);
    assert.match(refused.message, /^listing /);
  });

  it('tells another member’s node that what it still has live was acted on elsewhere, through the feed', async () => {
    const other = await nodeFixture(fed, await fed.addMember('chatapp'), path.join(dir, 'pseudonym-key.json'));
    const chatapp = await other.start(capturingLogger().logger);
    try {
      const pangolin = { kind: 'keyword', text: '穿山甲片', ...common, tlp: 'AMBER' };
      const id = indicatorId('KEYWORD', '穿山甲片');
      for (const [url, key] of [[node.url, fixture.apiKey], [chatapp.url, other.apiKey]] as const) assert.equal((await callNode(url, key, '/v1/observations', { observations: [pangolin] })).status, 200);
      await eventually('both sightings at the hub', async () => ((await hubDb.query(`SELECT 1 FROM sightings WHERE indicator_id = $1`, [id])).length === 2 ? true : undefined));
      assert.equal((await post('/v1/outcomes', { outcomes: [{ indicatorId: id, action: 'REMOVED', actedAt: '2026-03-03T00:00:00Z' }] })).status, 200);
      const signal = await eventually('chatapp to learn of the removal', async () => {
        const r = await callNode(chatapp.url, other.apiKey, '/v1/status');
        const acted = r.body['actedOnElsewhere'] as { count: number; recent: Array<{ indicatorId: string; members: string[] }> };
        return acted.count > 0 ? acted : undefined;
      });
      assert.deepEqual(signal.recent.map((x) => [x.indicatorId, x.members]), [[id, ['shopmart']]]);
      // shopmart's own view: it acted itself, so nothing is signalled to it; the AMBER_STRICT outcomes stay agency-only.
      const own = await callNode(node.url, fixture.apiKey, '/v1/status');
      assert.equal((own.body['actedOnElsewhere'] as { count: number }).count, 0);
      const chatappSaw: Array<{ indicator_id: string }> = await chatapp.database.dataSource.query(`SELECT indicator_id FROM node_feed_outcomes`);
      assert.deepEqual(chatappSaw.map((r) => r.indicator_id), [id], 'chatapp is not shown shopmart’s AMBER_STRICT outcomes');
    } finally {
      await chatapp.stop();
      await other.cleanup();
    }
  });

  describe('when the platform sends a bad outcome', () => {
    const cases: Array<[string, unknown, number, string, Record<string, unknown>]> = [
      ['an unknown action', { outcomes: [{ indicatorId: keywordId, action: 'REMOVED', actedAt: '2026-03-02T08:00:00Z' }, { indicatorId: keywordId, action: 'DELETED', actedAt: '2026-03-02T08:00:00Z' }] }, 400, 'INVALID_OUTCOME', { index: 1, field: 'action' }],
      ['an actedAt in the future', { outcomes: [{ indicatorId: keywordId, action: 'REMOVED', actedAt: '2099-01-01T00:00:00Z' }] }, 400, 'INVALID_OUTCOME', { index: 0, field: 'actedAt' }],
      ['an unknown field', { outcomes: [{ indicatorId: keywordId, action: 'REMOVED', actedAt: '2026-03-02T08:00:00Z', listingUrl: 'https://shop.example/884123' }] }, 400, 'INVALID_OUTCOME', { index: 0, field: 'listingUrl' }],
      ['no outcomes', { outcomes: [] }, 400, 'INVALID_OUTCOME', { index: -1, field: 'outcomes' }],
      ['a seller this node never reported', { outcomes: [{ identifier: { type: 'phone', value: '+86 139 0000 0000' }, action: 'REMOVED', actedAt: '2026-03-02T08:00:00Z' }] }, 404, 'UNKNOWN_INDICATOR', { index: 0 }],
    ];
    for (const [label, body, status, code, details] of cases) {
      it(`refuses ${label} with ${code}, and queues nothing`, async () => {
        const before = await nodeCounts();
        const r = await post('/v1/outcomes', body);
        const error = r.body['error'] as Record<string, unknown>;
        assert.deepEqual([r.status, error['code'], ...Object.keys(details).map((k) => error[k])], [status, code, ...Object.values(details)], JSON.stringify(r.body));
        assert.equal(await nodeCounts(), before);
      });
    }
  });

  it('retracts an outcome by the platform’s reference: the hub marks it, and it is listed as retracted', async () => {
    const r = await post('/v1/outcomes/retractions', { retractions: [{ reference: REFERENCE, reason: 'recorded-in-error' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await eventually('the retraction at the hub', async () => ((await hubOutcomes()).find((o) => o.indicator_id === sellerId)?.retracted_at ? true : undefined));
    const again = await post('/v1/outcomes/retractions', { retractions: [{ reference: REFERENCE, reason: 'recorded-in-error' }] });
    assert.deepEqual([again.status, (again.body['error'] as { code: string }).code], [404, 'UNKNOWN_OUTCOME']);
  });

  describe('when a member signs outcomes the hub must refuse', () => {
    const outcome = (id: string, outcomeId: string = crypto.randomUUID()) => ({ outcomeId, indicatorId: id, action: 'REMOVED' as const, actedAt: '2026-03-02T08:00:00Z' });
    const publish = async (payload: Parameters<TestFederation['sign']>[1]) => {
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/sd-jwt' }, body: await fed.sign(member, payload, { version: 2 }) });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    it('refuses an outcome about a sighting the member never published (UNKNOWN_OUTCOME_SIGHTING), storing nothing', async () => {
      const before = (await hubOutcomes()).length;
      assert.deepEqual(await publish({ indicators: [], outcomes: [outcome(indicatorId('KEYWORD', 'neverpublished'))] }), { status: 422, code: 'UNKNOWN_OUTCOME_SIGHTING' });
      assert.equal((await hubOutcomes()).length, before);
    });
    it('refuses an outcome id used before (OUTCOME_ID_CONFLICT) and a retraction of no live outcome (UNKNOWN_OUTCOME)', async () => {
      const [first] = await hubOutcomes();
      assert.deepEqual(await publish({ indicators: [], outcomes: [outcome(keywordId, first!.outcome_id)] }), { status: 409, code: 'OUTCOME_ID_CONFLICT' });
      assert.deepEqual(await publish({ indicators: [], outcomes: [{ outcomeId: crypto.randomUUID(), indicatorId: keywordId, reason: 'withdrawn' }] }), { status: 422, code: 'UNKNOWN_OUTCOME' });
    });
  });

  it('an auditor verifies the whole log, batches with outcomes and outcome retractions included (count = indicators + outcomes)', async () => {
    const client = createHttpLogClient(fed.hub.url, { token: await fed.token('provenance:read', { tlp: 'CLEAR' }) });
    const report = await auditLog({ client, verifierKey: fed.hub.services.log.verifierKey, rootPem: fed.rootCertPem, clock: systemClock });
    const withOutcomes: Array<{ n: number }> = await hubDb.query(`SELECT count(DISTINCT (member, batch_id))::int AS n FROM outcomes`);
    assert.ok(withOutcomes[0]!.n >= 2 && report.batchesVerified >= 4, JSON.stringify({ report: report.batchesVerified, withOutcomes }));
  });
});
