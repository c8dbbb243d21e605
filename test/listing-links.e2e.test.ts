/**
 * Issue 21: links come from listings, never from batches. A real hub over HTTP, members
 * publishing real signed batches whose items carry listing pseudonyms, real agency tokens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeListingPseudonym, indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { graphql } from './helpers/hub-process.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

const key = { keyId: 'k2026', key: new Uint8Array(32).fill(5) };
const listing = (raw: string): string => computeListingPseudonym(raw, key);
const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const at = (observedAt: string, listings?: string[]) => ({ commodity: 'IVORY', confidence: 80, observedAt, ...(listings === undefined ? {} : { listings: [...listings].sort() }) });
const kw = (text: string, observedAt: string, listings?: string[]) => ({ type: 'KEYWORD', value: normalizeKeyword(text), original: text, ...at(observedAt, listings) });
const id = (text: string): string => indicatorId('KEYWORD', normalizeKeyword(text));

const SELLER = fingerprint('listing-seller');
const L1 = listing('https://shop.example/item/1');
const L2 = listing('https://shop.example/item/2');

describe('listing links', () => {
  let fed: TestFederation;
  let shop: TestMember;
  let other: TestMember;
  let red: string;
  let green: string;
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const r = await graphql(fed.hub.url, query, variables, { authorization: `Bearer ${token}` });
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data as Record<string, any>;
  };
  const publish = async (member: TestMember, tlp: string, indicators: object[]) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators }, { version: 2 }) });
    assert.equal(r.status, 201, await r.text());
  };
  const profile = `query($fp: String!) { seller(fingerprint: $fp) { keywords { listings sharedBatches firstSeenAt lastSeenAt indicator { value } } sellers { indicator { value } } } }`;
  const graph = `query($id: ID, $min: Int) { sellerGraph(indicatorId: $id, hops: 1, minListings: $min) { nodes { id } links { source target kind weight firstSeenAt lastSeenAt } } }`;

  before(async () => {
    fed = await startTestFederation();
    shop = await fed.addMember('shopmart');
    other = await fed.addMember('chatapp');
    // One batch, two listings: 象牙手镯 and the seller in L1; 犀牛角 alone in L2.
    await publish(shop, 'GREEN', [
      kw('象牙手镯', '2026-11-02T10:00:00Z', [L1]),
      { type: 'SELLER', value: SELLER, ...at('2026-11-02T10:00:00Z', [L1]) },
      kw('犀牛角', '2026-11-02T10:00:00Z', [L2]),
      kw('穿山甲片', '2026-11-02T10:00:00Z'),
    ]);
    // The same listing at another TLP, in another batch: its keyword is still linked to the seller.
    await publish(shop, 'AMBER', [kw('老象牙', '2026-11-03T10:00:00Z', [L1])]);
    // Another member's listing with the same pseudonym text is another platform's listing: no link.
    await publish(other, 'GREEN', [kw('虎骨酒', '2026-11-04T10:00:00Z', [L1])]);
    red = await fed.token('indicators:read sellers:read', { tlp: 'RED' });
    green = await fed.token('indicators:read sellers:read', { tlp: 'GREEN' });
  });
  after(() => fed.close());

  it('links what one listing holds, with listings = 1 and its first and last seen; nothing merely batched together', async () => {
    const { seller } = await data(red, profile, { fp: SELLER });
    const byValue = Object.fromEntries(seller.keywords.map((k: any) => [k.indicator.value, k]));
    assert.deepEqual(Object.keys(byValue).sort(), [normalizeKeyword('老象牙'), normalizeKeyword('象牙手镯')].sort(), '犀牛角 (same batch, other listing) and 穿山甲片 (no listing) are not linked');
    assert.deepEqual(byValue[normalizeKeyword('象牙手镯')], { listings: 1, sharedBatches: 1, firstSeenAt: '2026-11-02T10:00:00.000Z', lastSeenAt: '2026-11-02T10:00:00.000Z', indicator: { value: normalizeKeyword('象牙手镯') } });
    assert.deepEqual([byValue[normalizeKeyword('老象牙')].firstSeenAt, byValue[normalizeKeyword('老象牙')].lastSeenAt], ['2026-11-02T10:00:00.000Z', '2026-11-03T10:00:00.000Z'], 'a keyword and a seller of one listing at different TLPs (two batches) are linked');
  });

  it('draws the same links in the graph, as SAME_LISTING with the listing count as weight', async () => {
    const { sellerGraph } = await data(red, graph, { id: id('犀牛角') });
    assert.deepEqual(sellerGraph.links.filter((l: any) => l.kind !== 'REPORTED_BY'), [], 'a batch-mate in another listing is no neighbour');
    const around = (await data(red, graph, { id: id('象牙手镯') }))['sellerGraph'];
    const same = around.links.filter((l: any) => l.kind === 'SAME_LISTING');
    assert.deepEqual(same.map((l: any) => l.target).sort(), [indicatorId('SELLER', SELLER), id('老象牙')].sort());
    assert.ok(same.every((l: any) => l.weight === 1 && l.firstSeenAt !== null));
    assert.ok(around.links.filter((l: any) => l.kind === 'REPORTED_BY').every((l: any) => l.firstSeenAt === null));
  });

  it('leaves out links under the minListings threshold, and refuses a threshold out of range', async () => {
    const { sellerGraph } = await data(red, graph, { id: id('象牙手镯'), min: 2 });
    assert.deepEqual(sellerGraph.links.filter((l: any) => l.kind === 'SAME_LISTING'), []);
    const r = await graphql(fed.hub.url, graph, { id: id('象牙手镯'), min: 0 }, { authorization: `Bearer ${red}` });
    assert.equal(r.body.errors?.[0]?.extensions?.['code'], 'INVALID_FILTER');
  });

  it('shows a link only when the token sees supporting sightings at both ends', async () => {
    const { seller } = await data(green, profile, { fp: SELLER });
    assert.deepEqual(seller.keywords.map((k: any) => k.indicator.value), [normalizeKeyword('象牙手镯')], 'the AMBER keyword of the listing is above a GREEN token');
  });
});
