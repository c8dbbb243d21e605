/**
 * A HOLD precision verdict holds (issue #22 follow-up): two platforms record NO_VIOLATION on their
 * hits of a keyword through their nodes; once the outcomes judge its hits benign with confidence
 * (the Wilson upper bound under 30 %), the hub quarantines it through the same decision and log
 * entry a flood takes, with source `hub` and reason PRECISION, once; each node reads the entry and
 * holds the keyword back from its scans. A FLAG verdict (fewer judgements) holds nothing. Real hub
 * over HTTP, two real nodes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId } from '../src/indicators/index.js';
import { createLogger } from '../src/kernel/index.js';
import type { RunningNode } from '../src/node/index.js';
import { parseEntry } from '../src/tlog/index.js';
import type { TestFederation } from './helpers/federation.js';
import { callNode, eventually, federationWithNode, nodeFixture, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
type Node = { fixture: NodeFixture; node: RunningNode };
type Scan = { keywords: Array<{ indicatorId: string }>; suppressed: Array<{ indicatorId: string; suppressedBy: { list: string } }> };

describe('outcome precision quarantines', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let a: Node;
  let b: Node;
  const word = indicatorId('KEYWORD', '象牙雕件');
  const scan = async (n: Node, text: string): Promise<Scan> => (await callNode(n.node.url, n.fixture.apiKey, '/v1/scan', { text })).body as unknown as Scan;
  const judge = async (n: Node, count: number, action = 'NO_VIOLATION'): Promise<void> => {
    const outcomes = Array.from({ length: count }, (_, i) => ({ indicatorId: word, action, actedAt: `2026-03-02T0${i % 10}:00:00Z` }));
    const r = await callNode(n.node.url, n.fixture.apiKey, '/v1/outcomes', { outcomes });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const hubOutcomes = async (): Promise<number> => ((await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM outcomes WHERE indicator_id = $1`, [word])) as Array<{ n: number }>)[0]!.n;

  before(async () => {
    setup = await federationWithNode();
    fed = setup.fed;
    a = { fixture: setup.fixture, node: setup.node! };
    const fixture = await nodeFixture(fed, await fed.addMember('chatapp'), setup.pseudonymFile);
    b = { fixture, node: await fixture.start(createLogger('silent')) };
    for (const n of [a, b]) assert.equal((await callNode(n.node.url, n.fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: '象牙雕件', ...common }] })).status, 200);
    await eventually('both sightings at the hub', async () => ((await fed.hub.database.dataSource.query(`SELECT 1 FROM sightings WHERE indicator_id = $1`, [word])).length === 2 ? true : undefined));
  });
  after(async () => {
    await b?.node.stop();
    await b?.fixture.cleanup();
    await setup?.close();
  });

  it('shows a FLAG verdict and holds nothing', async () => {
    await judge(a, 3);
    await judge(b, 2);
    await eventually('five outcomes at the hub', async () => ((await hubOutcomes()) === 5 ? true : undefined));
    const figures = await fed.read('{ outcomeFigures(from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z") { indicators { indicatorId noViolation guard } } }');
    assert.deepEqual(figures.body.data, { outcomeFigures: { indicators: [{ indicatorId: word, noViolation: 5, guard: 'FLAG' }] } });
    assert.deepEqual(await fed.hub.services.quarantine.list(), []);
    assert.ok((await scan(a, '一件象牙雕件')).keywords.some((k) => k.indicatorId === word));
  });

  it('holds a keyword whose outcomes turn its verdict to HOLD: one hub entry, held at every node', async () => {
    const before = await fed.hub.services.log.size(fed.hub.database.dataSource);
    // Nine NO_VIOLATION of nine: the Wilson upper bound is just under 0.3.
    await judge(a, 4);
    const record = await eventually('the hub to hold it', async () => (await fed.hub.services.quarantine.list()).find((q) => q.indicatorId === word));
    assert.deepEqual([record.source, record.reason, record.hits, record.scans, record.releasedAt], ['hub', 'PRECISION', 9, 9, null]);
    const [entry] = await fed.hub.services.log.entries(fed.hub.database.dataSource, record.heldLeafIndex, record.heldLeafIndex + 1);
    assert.deepEqual({ ...parseEntry(entry!), ts: undefined }, { kind: 'quarantine', ts: undefined, indicatorId: word, action: 'hold', source: 'hub' });
    assert.ok(record.heldLeafIndex >= before);
    for (const n of [a, b]) {
      await eventually('the node to hold it', async () => {
        const s = await scan(n, '一件象牙雕件');
        return s.suppressed.some((h) => h.indicatorId === word && h.suppressedBy.list === 'quarantine') && s.keywords.length === 0 ? true : undefined;
      });
    }
    // Idempotent: more benign judgements add no second entry.
    await judge(b, 3);
    await eventually('twelve outcomes at the hub', async () => ((await hubOutcomes()) === 12 ? true : undefined));
    const entries = (await fed.hub.services.log.entries(fed.hub.database.dataSource, before, await fed.hub.services.log.size(fed.hub.database.dataSource))).map((e) => parseEntry(e));
    assert.equal(entries.filter((e) => e.kind === 'quarantine').length, 1);
  });

  it('stays released once the operator releases it, whatever outcomes follow', async () => {
    await fed.hub.services.quarantine.release(word);
    await judge(a, 2);
    await eventually('fourteen outcomes at the hub', async () => ((await hubOutcomes()) === 14 ? true : undefined));
    const [record] = await fed.hub.services.quarantine.list();
    assert.notEqual(record?.releasedAt, null);
    await eventually('the release to reach the node', async () => ((await scan(a, '一件象牙雕件')).keywords.some((k) => k.indicatorId === word) ? true : undefined));
  });
});
