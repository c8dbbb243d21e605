/**
 * Poison at the member node: text no store can hold is refused at the platform API with its index
 * and field; an item the hub refuses for good (queued by an older node, say) becomes a dead letter
 * shown by `wildintel node status`, and the rest of its batch is published instead of the outbox
 * stalling behind it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import type { RunningNode } from '../src/node/index.js';
import type { TestFederation } from './helpers/federation.js';
import { runCli } from './helpers/hub-process.js';
import { callNode, eventually, federationWithNode, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };

describe('poison at the member node', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;

  before(async () => {
    setup = await federationWithNode({ nodeEnv: { NODE_BATCH_DELAY_MS: '300' } });
    ({ fed, fixture } = setup);
    node = setup.node!;
  });
  after(() => setup?.close());

  const observe = (observations: object[]) => callNode(node.url, fixture.apiKey, '/v1/observations', { observations });

  it('refuses a NUL or a lone surrogate in any field with 400 INVALID_OBSERVATION, index and field, and queues nothing', async () => {
    const cases: Array<[object, string]> = [
      [{ kind: 'keyword', text: '象牙\u0000手镯', ...common }, 'text'],
      [{ kind: 'keyword', text: '象牙\ud800', ...common }, 'text'],
      [{ kind: 'seller', identifier: { type: 'account', value: 'zz\u0000seller' }, ...common }, 'identifier.value'],
      [{ kind: 'keyword', text: 'ivory', ...common, species: 'Loxodonta\u0000 africana' }, 'species'],
    ];
    for (const [observation, field] of cases) {
      const res = await observe([{ kind: 'keyword', text: 'ivory', ...common }, observation]);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      const error = res.body['error'] as { code: string; index: number; field: string };
      assert.deepEqual([error.code, error.index, error.field], ['INVALID_OBSERVATION', 1, field]);
    }
    assert.equal((await node.status()).outbox.pending, 0);
  });

  it('refuses arrays nested 20,000 deep (40 KB) in an observation with 400 INVALID_OBSERVATION, not 500, and queues nothing', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const res = await fetch(`${node.url}/v1/observations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.apiKey}` },
      body: `{"observations":[{"kind":"keyword","text":"ok","commodity":"IVORY","confidence":70,"observedAt":"2026-03-01T12:00:00Z","extra":${deep}}]}`,
    });
    const body = (await res.json()) as { error: { code: string; index: number; field: string; message: string } };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual([body.error.code, body.error.index], ['INVALID_OBSERVATION', 0]);
    assert.match(body.error.message, /nested deeper than 32 levels/);
    assert.equal((await node.status()).outbox.pending, 0);
  });

  it('dead-letters the item the hub refuses for good, publishes the rest of its batch, and shows it in node status', async () => {
    // What an older node (another normalization) could have queued: the hub refuses it, the node itself would not make it.
    const poison = { type: 'KEYWORD', value: 'ivorybangle', original: '象牙手镯', ...common };
    const good = ['犀牛角', '穿山甲片'].map((t) => ({ type: 'KEYWORD', value: normalizeKeyword(t), original: t, ...common }));
    const items = [good[0]!, poison, good[1]!];
    await node.database.dataSource.query(
      `INSERT INTO node_pending (tlp, indicator_id, retraction, body, received_at) SELECT 'AMBER', t.id, false, t.body, now() FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS t(id, body, n) ORDER BY t.n`,
      [items.map((i) => indicatorId('KEYWORD', i.value)), items.map((i) => JSON.stringify(i))],
    );
    // A new observation wakes the publisher; it joins the same batch, behind the poison.
    assert.equal((await observe([{ kind: 'keyword', text: '虎骨', ...common }])).status, 200);
    good.push({ type: 'KEYWORD', value: normalizeKeyword('虎骨'), original: '虎骨', ...common });
    const status = await eventually('the outbox to settle', async () => {
      const s = await node.status();
      return s.outbox.pending === 0 && s.outbox.queued === 0 && s.outbox.accepted > 0 ? s : undefined;
    }, 30_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await node.status())}`);
    });
    assert.equal(status.outbox.refused, 1);
    assert.equal(status.deadLetters.count, 1);
    const [dead] = status.deadLetters.recent;
    assert.deepEqual(
      { kind: dead!.kind, index: dead!.index, type: dead!.type, indicatorId: dead!.indicatorId, code: dead!.code },
      { kind: 'indicator', index: 1, type: 'KEYWORD', indicatorId: indicatorId('KEYWORD', 'ivorybangle'), code: 'INVALID_INDICATOR' },
    );
    const atHub: Array<{ value: string }> = await fed.hub.database.dataSource.query(`SELECT i.value FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.member = 'shopmart' ORDER BY i.value`);
    assert.deepEqual(atHub.map((r) => r.value), good.map((g) => g.value).sort(), 'the rest of the batch was published, the poison was not');

    const printed = await runCli(['node', 'status'], fixture.env);
    assert.match(printed.stdout, /dead letters 1/);
    assert.match(printed.stdout, new RegExp(`DEAD .* indicator 1 \\(KEYWORD\\) ${indicatorId('KEYWORD', 'ivorybangle')}: INVALID_INDICATOR`));
    const api = await callNode(node.url, fixture.apiKey, '/v1/status');
    assert.equal((api.body['deadLetters'] as { count: number }).count, 1, 'the platform API shows it too');
  });
});
