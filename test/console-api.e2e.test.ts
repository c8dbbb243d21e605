/**
 * The API the analyst console added, end to end: a real hub, members publishing real signed
 * batches, real tokens. Every new read is checked against a narrower token (lower TLP, fewer
 * commodities, no sellers:read, another agency): watchlists and alerts, the seller graph, rising
 * code words, emerging code words, the TLP and sighting-state filters; plus the console's routes and the replaced
 * GraphQL landing page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import { decodeJwt } from 'jose';
import WebSocket from 'ws';
import { computeListingPseudonym, indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { graphql } from './helpers/hub-process.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

type Data = Record<string, any>;
const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const pdq = (byte: number): string => Buffer.alloc(32, byte).toString('hex');
const at = (day: number): string => `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`;
const kw = (text: string, commodity: string, day: number, extra: object = {}) => ({ type: 'KEYWORD', value: normalizeKeyword(text), original: text, commodity, observedAt: at(day), confidence: 80, ...extra });
const seller = (fp: string, commodity: string, day: number) => ({ type: 'SELLER', value: fp, commodity, observedAt: at(day), confidence: 90 });
const image = (hex: string, commodity: string, day: number) => ({ type: 'IMAGE_PDQ', value: hex, quality: 90, commodity, observedAt: at(day), confidence: 70 });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('console API', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let searchco: TestMember;
  const tokens: Record<string, string> = {};
  const ask = (token: string, query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${token}` });
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> => {
    const r = await ask(token, query, variables);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data as Data;
  };
  const codeOf = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> => (await ask(token, query, variables)).body.errors?.[0]?.extensions?.['code'];
  const publish = async (member: TestMember, tlp: string, indicators: object[], retractions?: Array<{ indicatorId: string; reason: string }>) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators, ...(retractions ? { retractions } : {}) }) });
    assert.equal(r.status, 201, await r.text());
  };

  before(async () => {
    fed = await startTestFederation();
    [shopmart, chatapp, searchco] = [await fed.addMember('shopmart'), await fed.addMember('chatapp'), await fed.addMember('searchco')];
    const all = 'indicators:read sellers:read match:image match:text stats:read';
    tokens['red'] = await fed.token(all, { tlp: 'RED', sub: 'lead-analyst' });
    tokens['amber'] = await fed.token(all, { tlp: 'AMBER', sub: 'amber-analyst' });
    tokens['green'] = await fed.token('indicators:read stats:read', { tlp: 'GREEN', sub: 'green-analyst' });
    tokens['pangolin'] = await fed.token(all, { tlp: 'RED', commodities: ['PANGOLIN'], sub: 'pangolin-desk' });
    tokens['police'] = await fed.token(all, { tlp: 'RED', agency: 'police', sub: 'detective' });
    tokens['statsOnly'] = await fed.token('stats:read', { tlp: 'RED', sub: 'statistician' });
    tokens['auditor'] = await fed.token('audit:read', { tlp: 'RED', agency: 'oversight', sub: 'auditor' });
  });
  after(() => fed.close());

  describe('indicators: TLP and sighting-state filters', () => {
    before(async () => {
      await publish(shopmart, 'AMBER', [kw('filter amber', 'IVORY', 1), kw('filter withdrawn', 'IVORY', 1), kw('filter lapsed', 'IVORY', 1, { expiresAt: at(2) })]);
      await publish(chatapp, 'GREEN', [kw('filter green', 'IVORY', 2)]);
      await publish(shopmart, 'AMBER', [], [{ indicatorId: indicatorId('KEYWORD', 'filterwithdrawn'), reason: 'mistake' }]);
    });
    const values = async (token: string, filter: object): Promise<string[]> =>
      ((await data(token, 'query($f: IndicatorFilter) { indicators(filter: $f, first: 50) { edges { node { value } } } }', { f: { keywordContains: 'filter', ...filter } })).indicators.edges as Array<{ node: { value: string } }>).map((e) => e.node.value).sort();

    it('narrows to one TLP label, never above the token’s', async () => {
      assert.deepEqual(await values(tokens['red']!, { tlp: 'GREEN' }), ['filtergreen']);
      assert.deepEqual(await values(tokens['red']!, { tlp: 'AMBER' }), ['filteramber']);
      assert.deepEqual(await values(tokens['green']!, { tlp: 'AMBER' }), [], 'a GREEN token asking for AMBER sees nothing');
    });
    it('finds retracted and expired sightings only when asked, and live ones by default', async () => {
      assert.deepEqual(await values(tokens['red']!, {}), ['filteramber', 'filtergreen']);
      assert.deepEqual(await values(tokens['red']!, { sightingState: 'RETRACTED' }), ['filterwithdrawn']);
      assert.deepEqual(await values(tokens['red']!, { sightingState: 'EXPIRED' }), ['filterlapsed']);
      assert.deepEqual(await values(tokens['red']!, { sightingState: 'LIVE', includeRetracted: true }), ['filteramber', 'filtergreen']);
      assert.deepEqual(await values(tokens['green']!, { sightingState: 'RETRACTED' }), [], 'the retracted sighting is AMBER');
    });
  });

  describe('risingKeywords: this period against the one before', () => {
    before(async () => {
      // Period [11-10, 11-20) against [11-01, 11-10).
      await publish(shopmart, 'AMBER', [kw('rise bangle', 'IVORY', 4), kw('rise steady', 'IVORY', 5), kw('rise fading', 'IVORY', 5)]);
      await publish(chatapp, 'AMBER', [kw('rise fading', 'IVORY', 6)]);
      await publish(shopmart, 'AMBER', [kw('rise bangle', 'IVORY', 12), kw('rise steady', 'IVORY', 13)]);
      await publish(chatapp, 'AMBER', [kw('rise bangle', 'IVORY', 14), kw('rise scales', 'PANGOLIN', 14)]);
      await publish(searchco, 'AMBER', [kw('rise bangle', 'IVORY', 15)]);
      await publish(searchco, 'RED', [kw('rise secret', 'IVORY', 15)]);
      await publish(chatapp, 'RED', [kw('rise secret', 'IVORY', 16)]);
      await publish(shopmart, 'RED', [kw('rise secret', 'IVORY', 17)]);
      await publish(chatapp, 'RED', [kw('rise secret', 'IVORY', 18)]);
    });
    const rising = async (token: string, extra: Record<string, unknown> = {}) =>
      ((await data(token, 'query($c: Commodity) { risingKeywords(from: "2026-11-10T00:00:00Z", to: "2026-11-20T00:00:00Z", commodity: $c) { indicator { value } current previous change } }', extra)).risingKeywords as Array<{ indicator: { value: string }; current: number; previous: number; change: number }>)
        .filter((r) => r.indicator.value.startsWith('rise'))
        .map((r) => [r.indicator.value, r.current, r.previous, r.change]);

    it('ranks by the increase, over the token’s visible sightings only', async () => {
      assert.deepEqual(await rising(tokens['red']!), [['risesecret', 4, 0, 4], ['risebangle', 3, 1, 2], ['risescales', 1, 0, 1]]);
      assert.deepEqual(await rising(tokens['amber']!), [['risebangle', 3, 1, 2], ['risescales', 1, 0, 1]], 'the RED rise is not visible at AMBER');
      assert.deepEqual(await rising(tokens['pangolin']!), [['risescales', 1, 0, 1]], 'a PANGOLIN token sees pangolin code words only');
      assert.deepEqual(await rising(tokens['red']!, { c: 'PANGOLIN' }), [['risescales', 1, 0, 1]]);
    });
    it('needs indicators:read (stats:read alone gives counts, never code words)', async () => {
      assert.equal(await codeOf(tokens['statsOnly']!, '{ risingKeywords(from: "2026-11-10T00:00:00Z", to: "2026-11-20T00:00:00Z") { current } }'), 'FORBIDDEN');
    });
    it('refuses a period that ends before it starts, or is over a year', async () => {
      assert.equal(await codeOf(tokens['red']!, '{ risingKeywords(from: "2026-11-20T00:00:00Z", to: "2026-11-10T00:00:00Z") { current } }'), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, '{ risingKeywords(from: "2024-11-20T00:00:00Z", to: "2026-11-10T00:00:00Z") { current } }'), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, '{ risingKeywords(from: "2026-11-10T00:00:00Z", to: "2026-11-20T00:00:00Z", first: 101) { current } }'), 'INVALID_PAGE_SIZE');
    });
  });

  describe('emergingCodeWords: words several members first published within the window', () => {
    const started = Date.now();
    before(async () => {
      // Observation dates a month back: the window goes by the hub's receipt time, not the signer's claim.
      await publish(shopmart, 'AMBER', [kw('emerge bangle', 'IVORY', 1), kw('emerge alone', 'IVORY', 1), kw('emerge withdrawn', 'IVORY', 1)]);
      await publish(chatapp, 'AMBER', [kw('emerge bangle', 'IVORY', 2), kw('emerge withdrawn', 'IVORY', 2), kw('emerge scales', 'PANGOLIN', 2)]);
      await publish(searchco, 'GREEN', [kw('emerge bangle', 'IVORY', 3), kw('emerge scales', 'PANGOLIN', 3)]);
      await publish(searchco, 'RED', [kw('emerge secret', 'IVORY', 3)]);
      await publish(chatapp, 'RED', [kw('emerge secret', 'IVORY', 4)]);
      await publish(shopmart, 'AMBER', [], [{ indicatorId: indicatorId('KEYWORD', 'emergewithdrawn'), reason: 'mistake' }]);
    });
    const emerging = async (token: string, args = '') =>
      ((await data(token, `{ emergingCodeWords(window: 1${args}) { indicator { value } firstSeen members weeks { start sightings newMembers } } }`)).emergingCodeWords as Array<{ indicator: { value: string }; firstSeen: string; members: number; weeks: Array<{ start: string; sightings: number; newMembers: number }> }>)
        .filter((w) => w.indicator.value.startsWith('emerge'));

    it('counts members over the token’s visible sightings, by hub receipt time, retracted ones out', async () => {
      const red = await emerging(tokens['red']!);
      assert.deepEqual(red.map((w) => [w.indicator.value, w.members]), [['emergebangle', 3], ['emergesecret', 2], ['emergescales', 2]]);
      for (const w of red) {
        assert.ok(Date.parse(w.firstSeen) >= started - 1000 && Date.parse(w.firstSeen) <= Date.now(), `${w.indicator.value} first seen at receipt, not on the claimed November date`);
        assert.equal(w.weeks.length, 1);
        assert.deepEqual([w.weeks[0]!.sightings, w.weeks[0]!.newMembers], [w.members, w.members]);
      }
      assert.deepEqual((await emerging(tokens['amber']!)).map((w) => [w.indicator.value, w.members]), [['emergebangle', 3], ['emergescales', 2]], 'the RED word is not visible at AMBER');
      assert.deepEqual((await emerging(tokens['green']!)).map((w) => [w.indicator.value, w.members]), [], 'at GREEN each word has one member only');
      // One batch: the same receipt time, so the order between the two is by id; compared as a set.
      assert.deepEqual((await emerging(tokens['green']!, ', minMembers: 1')).map((w) => `${w.indicator.value}:${w.members}`).sort(), ['emergebangle:1', 'emergescales:1']);
      assert.deepEqual((await emerging(tokens['pangolin']!)).map((w) => w.indicator.value), ['emergescales'], 'a PANGOLIN token sees pangolin code words only');
      assert.deepEqual((await emerging(tokens['red']!, ', minMembers: 3')).map((w) => w.indicator.value), ['emergebangle']);
    });
    it('needs indicators:read and refuses out-of-range arguments', async () => {
      assert.equal(await codeOf(tokens['statsOnly']!, '{ emergingCodeWords { members } }'), 'FORBIDDEN');
      assert.equal(await codeOf(tokens['red']!, '{ emergingCodeWords(window: 0) { members } }'), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, '{ emergingCodeWords(window: 53) { members } }'), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, '{ emergingCodeWords(minMembers: 0) { members } }'), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, '{ emergingCodeWords(first: 101) { members } }'), 'INVALID_PAGE_SIZE');
    });
  });

  describe('sellerGraph: two hops around a seller, within visibility', () => {
    const S1 = fingerprint('graph-seller-1');
    const S2 = fingerprint('graph-seller-2');
    before(async () => {
      // Links come from listings (issue 21): each batch here is one listing of its member.
      const inListing = (raw: string, items: object[]) => items.map((i) => ({ ...i, listings: [computeListingPseudonym(raw, { keyId: 'k1', key: new Uint8Array(32).fill(1) })] }));
      await publish(shopmart, 'AMBER', inListing('shop/1', [seller(S1, 'IVORY', 3), kw('graph bangle', 'IVORY', 3), image(pdq(0x11), 'IVORY', 3)]));
      await publish(chatapp, 'GREEN', inListing('chat/1', [seller(S1, 'IVORY', 4), seller(S2, 'IVORY', 4), kw('graph carving', 'IVORY', 4)]));
      await publish(searchco, 'RED', inListing('search/1', [seller(S2, 'RHINO_HORN', 5), image(pdq(0x22), 'RHINO_HORN', 5)]));
    });
    const GRAPH = 'query($fp: String, $id: ID, $hops: Int, $max: Int) { sellerGraph(fingerprint: $fp, indicatorId: $id, hops: $hops, maxNodes: $max) { center truncated nodes { id kind label hop } links { source target kind weight } } }';
    const graph = async (token: string, vars: Record<string, unknown>) => (await data(token, GRAPH, vars)).sellerGraph as { center: string; truncated: boolean; nodes: Array<{ id: string; kind: string; label: string; hop: number }>; links: Array<{ source: string; target: string; kind: string; weight: number }> };
    const labels = (g: Awaited<ReturnType<typeof graph>>) => g.nodes.map((n) => `${n.hop}:${n.kind}:${n.label}`).sort();

    it('links the seller to code words, images, other sellers and platforms, and goes a second hop', async () => {
      const g = await graph(tokens['red']!, { fp: S1 });
      assert.equal(g.center, indicatorId('SELLER', S1));
      assert.deepEqual(labels(g), [
        `0:SELLER:${S1}`,
        `1:IMAGE:${pdq(0x11)}`,
        '1:KEYWORD:graphbangle',
        '1:KEYWORD:graphcarving',
        '1:PLATFORM:chatapp',
        '1:PLATFORM:shopmart',
        `1:SELLER:${S2}`,
        `2:IMAGE:${pdq(0x22)}`,
        '2:PLATFORM:searchco',
      ]);
      assert.ok(g.links.some((l) => l.kind === 'SAME_LISTING' && l.source === indicatorId('SELLER', S2) && l.target === indicatorId('IMAGE_PDQ', pdq(0x22))), 'the second hop');
      assert.ok(g.links.some((l) => l.kind === 'REPORTED_BY' && l.source === g.center && l.target === 'member:shopmart' && l.weight === 1));
      assert.equal(g.truncated, false);
    });
    it('shows an AMBER token nothing from the RED batch, and a GREEN-only view of the links', async () => {
      const amber = labels(await graph(tokens['amber']!, { fp: S1 }));
      assert.ok(!amber.some((l) => l.includes(pdq(0x22)) || l.includes('searchco')), amber.join('\n'));
      assert.ok(amber.includes(`1:SELLER:${S2}`));
    });
    it('caps the nodes and says so; expands from any visible indicator', async () => {
      const capped = await graph(tokens['red']!, { fp: S1, max: 2 });
      assert.equal(capped.nodes.filter((n) => n.kind !== 'PLATFORM').length, 3);
      assert.equal(capped.truncated, true);
      const around = await graph(tokens['red']!, { id: indicatorId('SELLER', S2), hops: 1 });
      assert.ok(labels(around).includes(`1:IMAGE:${pdq(0x22)}`));
    });
    it('refuses bad arguments, needs sellers:read, and is null for a seller nobody may see', async () => {
      assert.equal(await codeOf(tokens['red']!, GRAPH, { fp: S1, hops: 3 }), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, GRAPH, { fp: S1, max: 151 }), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['red']!, GRAPH, { fp: S1, id: 'x' }), 'INVALID_FILTER');
      assert.equal(await codeOf(tokens['green']!, GRAPH, { fp: S1 }), 'FORBIDDEN');
      assert.equal((await data(tokens['red']!, GRAPH, { fp: fingerprint('nobody') })).sellerGraph, null);
      assert.equal((await data(tokens['pangolin']!, GRAPH, { fp: S1 })).sellerGraph, null, 'an ivory seller is invisible to a pangolin token');
    });
  });

  describe('watchlists and alerts', () => {
    const CREATE = 'mutation($input: WatchlistInput!) { createWatchlist(input: $input) { id name commodities keywords seller image { pdq maxDistance } createdBy matchesUpTo } }';
    const LIST = '{ watchlists { id name seller sellerHidden unacknowledged } }';
    const ALERTS = 'query($f: AlertFilter) { alerts(filter: $f, first: 50) { unacknowledged edges { node { id watchlistName reason matched distance member tlp acknowledged indicator { value } } } } }';
    const SELLER = fingerprint('watched-seller');
    const ids: Record<string, string> = {};
    type Alert = { id: string; watchlistName: string; reason: string; matched: string | null; distance: number | null; member: string; tlp: string; acknowledged: boolean; indicator: { value: string } };
    const alerts = async (token: string, f: object = {}) => (await data(token, ALERTS, { f })).alerts as { unacknowledged: number; edges: Array<{ node: Alert }> };
    const seen = async (token: string, f: object = {}) => (await alerts(token, f)).edges.map((e) => `${e.node.watchlistName}:${e.node.reason}:${e.node.indicator.value}:${e.node.tlp}`).sort();

    before(async () => {
      ids['ivory'] = (await data(tokens['red']!, CREATE, { input: { name: 'ivory bangles', commodities: ['IVORY'], keywords: ['象 牙'] } })).createWatchlist.id;
      ids['pangolin'] = (await data(tokens['green']!, CREATE, { input: { name: 'pangolin', commodities: ['PANGOLIN'] } })).createWatchlist.id;
      ids['seller'] = (await data(tokens['red']!, CREATE, { input: { name: 'the seller', seller: SELLER } })).createWatchlist.id;
      ids['image'] = (await data(tokens['red']!, CREATE, { input: { name: 'the photo', image: { pdq: pdq(0x33), maxDistance: 10 } } })).createWatchlist.id;
      ids['police'] = (await data(tokens['police']!, CREATE, { input: { name: 'police ivory', keywords: ['象牙'] } })).createWatchlist.id;
      const near = `${'33'.repeat(31)}30`;
      await publish(shopmart, 'AMBER', [kw('象 牙 雕 件', 'IVORY', 20), kw('穿山甲片', 'PANGOLIN', 20), seller(SELLER, 'IVORY', 20), image(near, 'IVORY', 20)]);
      await publish(searchco, 'RED', [kw('象牙粉', 'IVORY', 21), kw('穿山甲鳞', 'PANGOLIN', 21)]);
      await publish(chatapp, 'GREEN', [kw('穿山甲 green', 'PANGOLIN', 22), kw('tiger bone', 'TIGER', 22)]);
      await waitFor('the alerts of three batches', async () => ((await alerts(tokens['red']!)).edges.length >= 5 && (await alerts(tokens['police']!)).edges.length >= 2 ? true : undefined));
    });

    it('saves what the analyst typed, for the agency, matching with the saving token’s TLP', async () => {
      const { watchlists } = await data(tokens['red']!, '{ watchlists { name keywords commodities createdBy matchesUpTo image { pdq maxDistance } } }');
      assert.deepEqual(
        watchlists.map((w: Data) => [w.name, w.createdBy, w.matchesUpTo]),
        [['ivory bangles', 'lead-analyst', 'RED'], ['pangolin', 'green-analyst', 'GREEN'], ['the seller', 'lead-analyst', 'RED'], ['the photo', 'lead-analyst', 'RED']],
      );
      assert.deepEqual(watchlists[0].keywords, ['象 牙']);
      assert.deepEqual(watchlists[3].image, { pdq: pdq(0x33), maxDistance: 10 });
    });

    it('raises alerts for new matching sightings, never above the saving token’s entitlement', async () => {
      assert.deepEqual(await seen(tokens['red']!), [
        'ivory bangles:KEYWORD:象牙粉:RED',
        'ivory bangles:KEYWORD:象牙雕件:AMBER',
        'pangolin:COMMODITY:穿山甲green:GREEN',
        'the photo:IMAGE:' + `${'33'.repeat(31)}30:AMBER`,
        'the seller:SELLER:' + `${SELLER}:AMBER`,
      ]);
      const photo = (await alerts(tokens['red']!, { watchlistId: ids['image'] })).edges[0]!.node;
      assert.equal(photo.distance, 2);
      const ivory = (await alerts(tokens['red']!, { watchlistId: ids['ivory'] })).edges.map((e) => e.node.matched);
      assert.deepEqual(ivory, ['象牙', '象牙']);
    });

    it('shows each reader only the alerts its own token may see', async () => {
      assert.deepEqual(await seen(tokens['green']!), ['pangolin:COMMODITY:穿山甲green:GREEN'], 'GREEN sees no AMBER or RED alert, and no seller');
      assert.deepEqual(await seen(tokens['amber']!), [
        'ivory bangles:KEYWORD:象牙雕件:AMBER',
        'pangolin:COMMODITY:穿山甲green:GREEN',
        'the photo:IMAGE:' + `${'33'.repeat(31)}30:AMBER`,
        'the seller:SELLER:' + `${SELLER}:AMBER`,
      ]);
      assert.deepEqual(await seen(tokens['pangolin']!), ['pangolin:COMMODITY:穿山甲green:GREEN']);
      assert.deepEqual(await seen(tokens['police']!), ['police ivory:KEYWORD:象牙粉:RED', 'police ivory:KEYWORD:象牙雕件:AMBER'], 'another agency sees its own alerts only');
      const { watchlists } = await data(tokens['police']!, LIST);
      assert.deepEqual(watchlists.map((w: Data) => w.name), ['police ivory']);
    });

    it('hides the watched seller from a token without sellers:read, and refuses such a token a seller watchlist', async () => {
      const { watchlists } = await data(tokens['green']!, LIST);
      const w = watchlists.find((x: Data) => x.name === 'the seller');
      assert.deepEqual([w.seller, w.sellerHidden, w.unacknowledged], [null, true, 0]);
      assert.equal(await codeOf(tokens['green']!, CREATE, { input: { name: 'x', seller: SELLER } }), 'FORBIDDEN');
      assert.equal(await codeOf(tokens['pangolin']!, CREATE, { input: { name: 'x', commodities: ['IVORY'] } }), 'INVALID_WATCHLIST');
      assert.equal(await codeOf(tokens['red']!, CREATE, { input: { name: 'x' } }), 'INVALID_WATCHLIST');
      assert.equal(await codeOf(tokens['statsOnly']!, CREATE, { input: { name: 'x', keywords: ['y'] } }), 'FORBIDDEN');
    });

    it('acknowledges for the agency, only what the reader may see', async () => {
      const red = (await alerts(tokens['red']!, { watchlistId: ids['ivory'] })).edges.map((e) => e.node);
      const redOnly = red.find((a) => a.tlp === 'RED')!;
      const ACK = 'mutation($ids: [ID!]!, $ack: Boolean) { acknowledgeAlerts(ids: $ids, acknowledged: $ack) { id acknowledged acknowledgedBy } }';
      assert.equal(await codeOf(tokens['amber']!, ACK, { ids: [redOnly.id] }), 'NOT_FOUND', 'an AMBER token cannot touch a RED alert');
      assert.equal(await codeOf(tokens['police']!, ACK, { ids: [redOnly.id] }), 'NOT_FOUND', 'nor can another agency');
      assert.equal(await codeOf(tokens['red']!, ACK, { ids: ['0'] }), 'NOT_FOUND');
      assert.equal((await alerts(tokens['red']!, { watchlistId: ids['ivory'] })).unacknowledged, 2, 'nothing changed');
      const done = (await data(tokens['red']!, ACK, { ids: [redOnly.id] })).acknowledgeAlerts;
      assert.deepEqual(done, [{ id: redOnly.id, acknowledged: true, acknowledgedBy: 'lead-analyst' }]);
      assert.equal((await alerts(tokens['red']!, { watchlistId: ids['ivory'] })).unacknowledged, 1);
      assert.deepEqual((await alerts(tokens['red']!, { watchlistId: ids['ivory'], acknowledged: true })).edges.map((e) => e.node.id), [redOnly.id]);
      const counts = (await data(tokens['red']!, LIST)).watchlists.map((w: Data) => [w.name, w.unacknowledged]);
      assert.deepEqual(counts, [['ivory bangles', 1], ['pangolin', 1], ['the seller', 1], ['the photo', 1]]);
      await data(tokens['red']!, ACK, { ids: [redOnly.id], ack: false });
      assert.equal((await alerts(tokens['red']!, { watchlistId: ids['ivory'] })).unacknowledged, 2);
    });

    it('deletes a watchlist of the agency only; its alerts go with it', async () => {
      const DELETE = 'mutation($id: ID!) { deleteWatchlist(id: $id) }';
      assert.equal(await codeOf(tokens['police']!, DELETE, { id: ids['image'] }), 'NOT_FOUND');
      assert.equal(await codeOf(tokens['red']!, DELETE, { id: 'not-a-uuid' }), 'NOT_FOUND');
      assert.equal((await data(tokens['amber']!, DELETE, { id: ids['image'] })).deleteWatchlist, ids['image']);
      assert.equal(await codeOf(tokens['red']!, DELETE, { id: ids['image'] }), 'NOT_FOUND', 'gone');
      assert.ok(!(await seen(tokens['red']!)).some((a) => a.startsWith('the photo')));
    });

    it('pushes new alerts over graphql-ws, each reader seeing what its token may', async () => {
      const listen = (token: string) => {
        const client = createClient({ url: `${fed.hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
        const got: string[] = [];
        client.subscribe<{ alertRaised: Alert }>(
          { query: 'subscription { alertRaised { watchlistName tlp indicator { value } } }' },
          { next: (m) => void (m.data ? got.push(`${m.data.alertRaised.watchlistName}:${m.data.alertRaised.indicator.value}:${m.data.alertRaised.tlp}`) : got.push(JSON.stringify(m.errors))), error: (e) => void got.push(String(e)), complete: () => undefined },
        );
        return { client, got };
      };
      const red = listen(tokens['red']!);
      const green = listen(tokens['green']!);
      const police = listen(tokens['police']!);
      await new Promise((r) => setTimeout(r, 400));
      await publish(chatapp, 'AMBER', [kw('象牙 live', 'IVORY', 23), kw('穿山甲 live amber', 'PANGOLIN', 23)]);
      await publish(chatapp, 'GREEN', [kw('穿山甲 live green', 'PANGOLIN', 23)]);
      await waitFor('live alerts', async () => (red.got.length >= 2 && green.got.length >= 1 && police.got.length >= 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      for (const c of [red, green, police]) await c.client.dispose();
      assert.deepEqual(red.got.sort(), ['ivory bangles:象牙live:AMBER', 'pangolin:穿山甲livegreen:GREEN']);
      assert.deepEqual(green.got, ['pangolin:穿山甲livegreen:GREEN'], 'the AMBER alerts are not pushed to a GREEN token');
      assert.deepEqual(police.got, ['police ivory:象牙live:AMBER']);
    });

    it('suspends a watchlist once the token that saved it is revoked: no alerts from then on, until it is saved again', async () => {
      const saver = await fed.token('indicators:read sellers:read', { tlp: 'RED', sub: 'departed-analyst' });
      const tiger = (await data(saver, CREATE, { input: { name: 'tiger bone', commodities: ['TIGER'], keywords: ['虎骨'] } })).createWatchlist.id as string;
      const tigerAlerts = async () => (await alerts(tokens['red']!, { watchlistId: tiger })).edges.map((e) => e.node.indicator.value).sort();
      await publish(chatapp, 'AMBER', [kw('虎骨酒', 'TIGER', 24)]);
      await waitFor('the alert of the saved watchlist', async () => ((await tigerAlerts()).length === 1 ? true : undefined));

      await fed.hub.services.tokens.revoke(String(decodeJwt(saver).jti));
      // One batch that matches it and a watchlist still in force: once the second alert is there, the batch was matched.
      await publish(chatapp, 'AMBER', [kw('虎骨粉', 'TIGER', 25), kw('象牙 after revoke', 'IVORY', 25)]);
      await waitFor('the alert of the watchlist still in force', async () => ((await seen(tokens['red']!)).includes('ivory bangles:KEYWORD:象牙afterrevoke:AMBER') ? true : undefined));
      assert.deepEqual(await tigerAlerts(), ['虎骨酒'], 'the revoked token’s watchlist raised nothing more');
      const listed = (await data(tokens['red']!, '{ watchlists { id suspended } }')).watchlists as Array<{ id: string; suspended: boolean }>;
      assert.deepEqual(listed.filter((w) => w.suspended).map((w) => w.id), [tiger], 'listed as suspended, the others not');

      const again = (await data(tokens['red']!, CREATE, { input: { name: 'tiger bone', commodities: ['TIGER'], keywords: ['虎骨'] } })).createWatchlist.id as string;
      await publish(chatapp, 'AMBER', [kw('虎骨膏', 'TIGER', 26)]);
      await waitFor('the alert of the watchlist saved again', async () => ((await alerts(tokens['red']!, { watchlistId: again })).edges.length === 1 ? true : undefined));
      assert.deepEqual(await tigerAlerts(), ['虎骨酒']);
    });

    it('records every read of watchlists and alerts in the access audit', async () => {
      const { accessLog } = await data(tokens['auditor']!, '{ accessLog(filter: { agency: "customs" }, first: 500) { records { analyst fields returned } } }');
      const fields = new Set((accessLog.records as Array<{ fields: string }>).map((r) => r.fields));
      for (const f of ['watchlists', 'alerts', 'createWatchlist', 'acknowledgeAlerts', 'deleteWatchlist', 'risingKeywords', 'emergingCodeWords', 'sellerGraph']) assert.ok(fields.has(f), `${f} is recorded`);
      const greenAlerts = (accessLog.records as Array<{ analyst: string; fields: string; returned: number }>).filter((r) => r.analyst === 'green-analyst' && r.fields === 'alerts');
      assert.ok(greenAlerts.length > 0 && greenAlerts.every((r) => r.returned <= 1), 'what a GREEN reader got is counted as what it saw');
    });
  });

  describe('the console’s routes', () => {
    it('sends / and a browser’s GET /graphql to the console; Apollo’s CDN landing page is gone', async () => {
      const root = await fetch(`${fed.hub.url}/`, { redirect: 'manual' });
      assert.deepEqual([root.status, root.headers.get('location')], [302, '/console/']);
      const bare = await fetch(`${fed.hub.url}/console`, { redirect: 'manual' });
      assert.deepEqual([bare.status, bare.headers.get('location')], [301, '/console/']);
      const browser = await fetch(`${fed.hub.url}/graphql`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      assert.deepEqual([browser.status, browser.headers.get('location')], [302, '/console/#/explorer']);
      const api = await fetch(`${fed.hub.url}/graphql`, { headers: { accept: 'application/json' } });
      assert.notEqual(api.status, 302);
      assert.doesNotMatch(await api.text(), /cdn|apollographql\.com|embeddable/i);
    });
    it('sends the page’s security headers, X-Frame-Options DENY among them, with its redirects and 404s too', async () => {
      const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
      const cases: Array<[string, number]> = [['/console/', 200], ['/', 302], ['/console', 301], ['/graphql', 302], ['/console/no-such-file.js', 404], ['/no-such-page', 404], ['/console/main.js', 200]];
      for (const [route, status] of cases) {
        const res = await fetch(`${fed.hub.url}${route}`, { redirect: 'manual', headers: html });
        assert.equal(res.status, status, route);
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/, `${route}: CSP`);
        assert.deepEqual(['x-frame-options', 'x-content-type-options', 'referrer-policy'].map((h) => res.headers.get(h)), ['DENY', 'nosniff', 'no-referrer'], route);
      }
    });
    it('serves the page with a strict Content-Security-Policy and nothing from outside', async () => {
      const page = await fetch(`${fed.hub.url}/console/`);
      assert.equal(page.status, 200);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|https?:/);
      const html = await page.text();
      assert.doesNotMatch(html, /https?:\/\//, 'the page names nothing outside');
      assert.deepEqual([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]), ['data:,', '/console/main.css', '/console/main.js']);
    });
    it('serves the built scripts compressed and revalidated by ETag; an unknown file is a 404', async () => {
      const js = await fetch(`${fed.hub.url}/console/main.js`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type') ?? '', /text\/javascript/);
      const etag = js.headers.get('etag')!;
      const again = await fetch(`${fed.hub.url}/console/main.js`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      const missing = await fetch(`${fed.hub.url}/console/../package.json`);
      assert.equal(missing.status, 404);
      const nested = await fetch(`${fed.hub.url}/console/%2e%2e/package.json`);
      assert.equal(nested.status, 404);
    });
  });
});
