/**
 * Issue 21 at the member node: an observation names its listing; the node publishes only the
 * listing's keyed pseudonym, the hub links what one listing holds, and an observation dated
 * outside its bounds is refused at the platform API, as the hub would refuse it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword } from '../src/indicators/index.js';
import type { RunningNode } from '../src/node/index.js';
import type { TestFederation } from './helpers/federation.js';
import { assertNoneIn, callNode, eventually, federationWithNode, rawSpellings, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-11-01T12:00:00Z' };
const LISTING_A = 'https://shop.example/item/55501';
const LISTING_B = 'https://shop.example/item/55502';

describe('listings at the member node', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;
  const observe = (observations: object[]) => callNode(node.url, fixture.apiKey, '/v1/observations', { observations });

  before(async () => {
    setup = await federationWithNode({ nodeEnv: { NODE_BATCH_DELAY_MS: '200' } });
    ({ fed, fixture } = setup);
    node = setup.node!;
  });
  after(() => setup?.close());

  it('publishes listing pseudonyms only, and the hub links what one listing holds, not what one request held', async () => {
    const res = await observe([
      { kind: 'seller', identifier: { type: 'account', value: 'zz-seller-55501' }, listing: LISTING_A, ...common },
      { kind: 'keyword', text: '象牙手镯', listing: LISTING_A, ...common },
      { kind: 'keyword', text: '犀牛角杯', listing: LISTING_B, ...common },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const seller = (res.body['indicators'] as Array<Array<{ value: string }>>)[0]![0]!.value;
    await eventually('the batch at the hub', async () => ((await node.status()).outbox.accepted > 0 ? true : undefined), 30_000);
    const rows: Array<{ listing: string }> = await fed.hub.database.dataSource.query(`SELECT DISTINCT listing FROM sighting_listings WHERE member = 'shopmart'`);
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => /^lp1\.2026-01\.[A-Za-z0-9_-]{43}$/.test(r.listing)));
    const hubText = JSON.stringify(await fed.hub.database.dataSource.query(`SELECT jws FROM batches WHERE member = 'shopmart'`));
    assertNoneIn([['the hub', hubText]], rawSpellings([LISTING_A, '55501']));
    const vault: Array<{ n: number }> = await node.database.dataSource.query(`SELECT count(*)::int AS n FROM node_pseudonyms WHERE kind = 'listing'`);
    assert.equal(vault[0]!.n, 2, 'raw listing → pseudonym is kept on the node');
    const r = await fed.read(`query($fp: String!) { seller(fingerprint: $fp) { keywords { listings indicator { value } } } }`, { fp: seller });
    assert.deepEqual(r.body.data?.['seller'], { keywords: [{ listings: 1, indicator: { value: normalizeKeyword('象牙手镯') } }] }, 'the keyword of the other listing is not linked');
  });

  it('refuses an observation dated 9999-12-31, or before 2000, with INVALID_OBSERVATION, its index and OBSERVED_AT_OUT_OF_RANGE, queuing nothing', async () => {
    const before = await node.status();
    for (const observedAt of ['9999-12-31T23:59:59Z', '1999-12-31T00:00:00Z']) {
      const res = await observe([{ kind: 'keyword', text: '虎骨酒', ...common }, { kind: 'keyword', text: '虎骨', ...common, observedAt }]);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      const error = res.body['error'] as { code: string; index: number; field: string; reason: string };
      assert.deepEqual([error.code, error.index, error.field, error.reason], ['INVALID_OBSERVATION', 1, 'observedAt', 'OBSERVED_AT_OUT_OF_RANGE']);
    }
    assert.equal((await node.status()).outbox.pending, before.outbox.pending);
  });
});
