/**
 * Flood quarantine (issue 21): a newly published keyword that passes the specificity rule but
 * hits ordinary listings (`bangle`, in every jewellery listing) is held back from matching on
 * every node within its window. One node measures the flood on its own scans, holds it at once
 * and reports it; the hub logs a quarantine entry; the publisher's node reads it from the feed,
 * holds it too and raises an alarm; the hub's matchText holds it back; the operator releases it.
 * Two real nodes, a real hub over HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId } from '../src/indicators/index.js';
import { createLogger } from '../src/kernel/index.js';
import type { RunningNode } from '../src/node/index.js';
import type { TestFederation } from './helpers/federation.js';
import { callNode, eventually, federationWithNode, nodeFixture, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
type Scan = { keywords: Array<{ indicatorId: string }>; suppressed: Array<{ indicatorId: string; suppressedBy: { list: string } }> };

describe('flood quarantine across the federation', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let publisher: { fixture: NodeFixture; node: RunningNode };
  let scanner: { fixture: NodeFixture; node: RunningNode };
  const bangle = indicatorId('KEYWORD', 'bangle');
  const scan = async (n: { fixture: NodeFixture; node: RunningNode }, text: string): Promise<Scan> => (await callNode(n.node.url, n.fixture.apiKey, '/v1/scan', { text })).body as unknown as Scan;

  before(async () => {
    setup = await federationWithNode();
    fed = setup.fed;
    publisher = { fixture: setup.fixture, node: setup.node! };
    const fixture = await nodeFixture(fed, await fed.addMember('chatapp'), setup.pseudonymFile);
    scanner = { fixture, node: await fixture.start(createLogger('silent')) };
  });
  after(async () => {
    await scanner?.node.stop();
    await scanner?.fixture.cleanup();
    await setup?.close();
  });

  it('holds a flooding keyword back on every node and at the hub within its window, alerting its publisher', async () => {
    const res = await callNode(publisher.node.url, publisher.fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: 'Bangle', ...common }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const n of [publisher, scanner]) await eventually('both nodes to index it', async () => ((await scan(n, 'a bangle')).keywords.some((k) => k.indicatorId === bangle) ? true : undefined));

    // 60 ordinary jewellery listings on the scanning platform: every one hits `bangle`.
    for (let i = 0; i < 60; i++) await scan(scanner, `silver bangle, size ${i}, gift box`);
    const local = await scan(scanner, 'gold bangle');
    assert.deepEqual(local.suppressed.map((h) => [h.indicatorId, h.suppressedBy.list]), [[bangle, 'quarantine']]);
    assert.ok((await scanner.node.status()).alarms.recent.some((a) => a.code === 'INDICATOR_FLOODING'));

    // The hub logged it; the publisher's node reads the entry, holds it and raises an alarm.
    const held = await eventually('the publisher to hold it', async () => {
      const s = await scan(publisher, 'gold bangle');
      return s.suppressed.some((h) => h.indicatorId === bangle && h.suppressedBy.list === 'quarantine') ? s : undefined;
    });
    assert.deepEqual(held.keywords, []);
    assert.ok((await publisher.node.status()).alarms.recent.some((a) => a.code === 'INDICATOR_QUARANTINED'));
    const [record] = await fed.hub.services.quarantine.list();
    assert.deepEqual([record?.indicatorId, record?.source, record?.reason], [bangle, 'member:chatapp', 'FLOOD']);

    const match = await fed.read('query($t: String!) { plain: matchText(text: $t) { start } all: matchText(text: $t, withSuppressed: true) { suppressedBy { list } } indicator(id: $id) { hitRate { quarantined } } }'.replace('query($t: String!)', 'query($t: String!, $id: ID!)'), { t: 'gold bangle', id: bangle });
    assert.deepEqual(match.body.data, { plain: [], all: [{ suppressedBy: { list: 'quarantine' } }], indicator: { hitRate: { quarantined: true } } });
  });

  it('lets the operator release it: matching again everywhere, and rates never hold it again', async () => {
    await fed.hub.services.quarantine.release(bangle);
    for (const n of [publisher, scanner]) {
      await eventually('the release to reach the node', async () => ((await scan(n, 'gold bangle')).keywords.some((k) => k.indicatorId === bangle) ? true : undefined));
    }
    const again = await fed.read('{ matchText(text: "gold bangle") { matched } }');
    assert.deepEqual(again.body.data, { matchText: [{ matched: 'bangle' }] });
  });
});
