/**
 * `/metrics` of a real hub and a real member node: promtool's lint rules hold (test/helpers/
 * promlint.ts), the route label is the route pattern, and the metrics of what the hub and the
 * node do move when they do it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { HUB_ROUTES } from '../src/hub/routes.js';
import { MAX_OPERATION_LABELS } from '../src/hub/metrics.js';
import type { RunningNode } from '../src/node/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';
import { callNode, eventually, federationWithNode, testPicture, type NodeFixture } from './helpers/member-node.js';
import { lintExposition, parseExposition, type MetricFamily } from './helpers/promlint.js';

const scrape = async (url: string): Promise<Map<string, MetricFamily>> => {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
};
const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}, sample = name): number => {
  const f = families.get(name);
  assert.ok(f, `${name} is exposed`);
  return f.samples.filter((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
};

describe('the lint rules themselves', () => {
  it('report what promtool reports', () => {
    const bad = parseExposition('# TYPE a_total gauge\na_total 1\n# HELP b x\n# TYPE b counter\nb 1\n# HELP c_ms x\n# TYPE c_ms gauge\nc_ms 1\n# HELP d_milliseconds x\n# TYPE d_milliseconds gauge\nd_milliseconds 2\n');
    assert.deepEqual(lintExposition(bad), [
      'a_total: no help text',
      'a_total: non-counter metrics should not have "_total" suffix',
      'b: counter metrics should have "_total" suffix',
      'c_ms: metric names should not contain abbreviated units',
      'd_milliseconds: use base unit "seconds" instead of "milliseconds"',
    ]);
  });
});

describe('hub metrics', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let token: string;
  const post = (jws: string) => fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    token = await fed.token('indicators:read provenance:read', { tlp: 'RED' });
    const accepted = await fed.sign(shopmart, { indicators: sampleIndicators(3, 'metrics') });
    assert.equal((await post(accepted)).status, 201);
    assert.equal((await post(accepted)).status, 200, 'a replay');
    assert.equal((await post(await fed.sign(shopmart, { indicators: [{ ...(sampleIndicators(1, 'bad')[0] as object), confidence: 101 }] }))).status, 422);
    assert.equal((await post('not-a-jws')).status, 400);
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await graphql(fed.hub.url, 'query Lookup { indicators(first: 1) { totalCount } }', {}, auth)).status, 200);
    await graphql(fed.hub.url, '{ hubInfo {', {});
    for (let i = 0; i < MAX_OPERATION_LABELS + 5; i++) await graphql(fed.hub.url, `query Op${i} { hubInfo { version } }`, {});
    await fetch(`${fed.hub.url}/v1/batches/shopmart/${randomUUID()}`, { headers: auth });
    await fetch(`${fed.hub.url}/no/such/path`);
  });
  after(() => fed.close());

  it('pass promtool check metrics', async () => {
    assert.deepEqual(lintExposition(await scrape(fed.hub.url)), []);
  });

  it('label requests by route pattern, never by path', async () => {
    const families = await scrape(fed.hub.url);
    const routes = new Set(families.get('wildintel_http_request_duration_seconds')!.samples.map((s) => s.labels['route']!));
    const known = new Set([...HUB_ROUTES.map((r) => r.path), 'unmatched']);
    assert.deepEqual([...routes].filter((r) => !known.has(r)), []);
    for (const r of ['/v1/batches/:member/:batchId', '/v1/batches', '/graphql', 'unmatched']) assert.ok(routes.has(r), r);
  });

  it('count batches and indicators by outcome and code, and time log appends', async () => {
    const m = await scrape(fed.hub.url);
    assert.equal(value(m, 'wildintel_batches_total', { outcome: 'accepted' }), 1);
    assert.equal(value(m, 'wildintel_batches_total', { outcome: 'duplicate' }), 1);
    assert.equal(value(m, 'wildintel_batches_total', { outcome: 'refused', code: 'INVALID_INDICATOR' }), 1);
    assert.equal(value(m, 'wildintel_batches_total', { outcome: 'refused', code: 'MALFORMED_JWS' }), 1);
    assert.equal(value(m, 'wildintel_indicators_total', { outcome: 'accepted' }), 3);
    assert.equal(value(m, 'wildintel_indicators_total', { outcome: 'refused', code: 'INVALID_INDICATOR' }), 1);
    assert.equal(value(m, 'wildintel_log_entries'), await fed.hub.services.log.size(fed.hub.database.dataSource));
    assert.ok(value(m, 'wildintel_log_append_duration_seconds', {}, 'wildintel_log_append_duration_seconds_count') >= 2, 'the enrolment and the batch');
    assert.equal(value(m, 'wildintel_match_index_entries', { index: 'keywords' }), 3);
    assert.equal(value(m, 'wildintel_access_audit_queue_depth'), 0);
  });

  it('count GraphQL operations by root fields and outcome, and never expose an operation name', async () => {
    await graphql(fed.hub.url, 'query CaseCUS2026_118_SuspectZhang { hubInfo { version } zhang: hubInfo { version } }', {});
    const text = await (await fetch(`${fed.hub.url}/metrics`)).text();
    for (const name of ['CaseCUS2026_118_SuspectZhang', 'Lookup', 'Op0', 'zhang']) assert.ok(!text.includes(name), `${name} is not on the unauthenticated /metrics`);
    const m = await scrape(fed.hub.url);
    const fields = new Set(m.get('wildintel_graphql_operations_total')!.samples.map((s) => s.labels['fields']));
    assert.ok(fields.size <= MAX_OPERATION_LABELS + 2, `${fields.size} labels`);
    assert.ok(value(m, 'wildintel_graphql_operations_total', { fields: 'hubInfo', outcome: 'ok' }) >= MAX_OPERATION_LABELS + 6);
    assert.equal(value(m, 'wildintel_graphql_operations_total', { fields: 'indicators', outcome: 'ok' }), 1);
    assert.equal(value(m, 'wildintel_graphql_operations_total', { fields: 'unparsed', outcome: 'refused' }), 1);
    assert.ok([...fields].every((f) => f === 'unparsed' || /^[a-zA-Z]+(\+[a-zA-Z]+)*$/.test(f!)), [...fields].join(', '));
  });
});

describe('member node metrics', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fixture: NodeFixture;
  let node: RunningNode;
  before(async () => {
    setup = await federationWithNode();
    fixture = setup.fixture;
    node = setup.node!;
  });
  after(() => setup?.close());

  it('pass promtool check metrics and show the outbox, dead letters and images hashed', async () => {
    const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
    const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: [{ kind: 'image', data: (await testPicture(9)).toString('base64'), ...common }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = await scrape(node.url);
    assert.deepEqual(lintExposition(m), []);
    assert.equal(value(m, 'wildintel_node_images_hashed_total'), 1);
    assert.ok(value(m, 'wildintel_node_outbox_items', { state: 'pending' }) + value(m, 'wildintel_node_outbox_items', { state: 'queued_batches' }) >= 0);
    assert.equal(value(m, 'wildintel_node_dead_letters'), 0);
    assert.equal(value(m, 'wildintel_node_image_decodes', { state: 'active' }), 0);
    assert.equal(value(m, 'wildintel_node_image_decode_bytes', { state: 'held' }), 0);
    assert.equal(value(m, 'wildintel_node_image_decode_bytes', { state: 'peak' }), 256 * 256 * 6, 'the 8-bit RGB picture, counted from its header');
    assert.equal(value(m, 'wildintel_node_image_decode_bytes', { state: 'limit' }), 2 * 6 * 40_000_000);
    const drained = await eventually('the outbox to drain', async () => {
      const now = await scrape(node.url);
      return value(now, 'wildintel_node_outbox_items', { state: 'pending' }) === 0 && value(now, 'wildintel_node_outbox_items', { state: 'queued_batches' }) === 0 ? now : undefined;
    });
    assert.equal(value(drained, 'wildintel_node_outbox_oldest_pending_age_seconds'), 0);
  });
});
