/**
 * The agency API end to end: a real hub, members publishing real signed batches, real tokens
 * over HTTP. Visibility (TLP, commodities, sellers:read) is asserted on every read path,
 * including totals; the scope matrix covers every root field against every scope.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeListingPseudonym, normalizeKeyword } from '../src/indicators/index.js';
import sharp from 'sharp';
import { hashImage, hashImageDihedral, pdqDistance } from '../src/hashing/index.js';
import { graphql } from './helpers/hub-process.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const pdqOf = (seed: number): string => randomBytesFrom(seed).toString('hex');
function randomBytesFrom(seed: number): Buffer {
  let s = seed >>> 0;
  return Buffer.from(Array.from({ length: 32 }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s >>> 24)));
}
/** `hex` with `bits` bits flipped (the first ones, so the distance is exactly `bits`). */
function flip(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i >> 3]! ^= 1 << (i & 7);
  return b.toString('hex');
}

/** A textured picture (gradients, an edge, noise), as photos are: PDQ-hashable with good quality. */
async function texturedPng(): Promise<Buffer> {
  const [w, h] = [240, 180];
  const data = Buffer.alloc(w * h * 3);
  let s = 7;
  for (let i = 0; i < w * h; i++) {
    const [x, y] = [i % w, Math.floor(i / w)];
    for (let c = 0; c < 3; c++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i * 3 + c] = Math.min(255, 60 * Math.sin(x / (9 + c) + y / 17) + 90 + ((s >>> 16) % 30) + (x > 80 && y < 90 ? 60 : 0));
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

const SELLER_A = fingerprint('seller-a');
const SELLER_B = fingerprint('seller-b');
const IVORY_PDQ = pdqOf(1);
const RHINO_PDQ = pdqOf(2);
/** Each batch below is one listing of its member (links come from listings, issue 21). */
const common = (commodity: string, observedAt: string) => ({ commodity, observedAt, confidence: 80, listings: [computeListingPseudonym(observedAt, { keyId: 'k1', key: new Uint8Array(32).fill(1) })] });

describe('agency API', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let searchco: TestMember;
  const tokens: Record<string, string> = {};
  const ask = async (token: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
    graphql(fed.hub.url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const r = await ask(token, query, variables);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    return r.body.data as Record<string, any>;
  };
  const publish = async (member: TestMember, tlp: string, indicators: object[]) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators }) });
    assert.equal(r.status, 201, await r.text());
  };

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    searchco = await fed.addMember('searchco');
    await publish(shopmart, 'AMBER', [
      { type: 'KEYWORD', value: normalizeKeyword('象牙手镯'), original: '象牙手镯', ...common('IVORY', '2026-11-02T10:00:00Z') },
      { type: 'SELLER', value: SELLER_A, ...common('IVORY', '2026-11-02T10:00:00Z') },
      { type: 'IMAGE_PDQ', value: IVORY_PDQ, quality: 90, ...common('IVORY', '2026-11-02T10:00:00Z') },
    ]);
    await publish(chatapp, 'GREEN', [
      { type: 'SELLER', value: SELLER_A, ...common('IVORY', '2026-11-03T10:00:00Z') },
      { type: 'KEYWORD', value: 'pangolinscales', original: 'Pangolin Scales', ...common('PANGOLIN', '2026-11-03T10:00:00Z') },
      { type: 'IMAGE_PDQ', value: flip(IVORY_PDQ, 6), quality: 80, ...common('IVORY', '2026-11-03T10:00:00Z') },
    ]);
    await publish(searchco, 'RED', [
      { type: 'KEYWORD', value: 'rhinohornpowder', original: 'rhino horn powder', ...common('RHINO_HORN', '2026-11-04T10:00:00Z') },
      { type: 'SELLER', value: SELLER_B, ...common('RHINO_HORN', '2026-11-04T10:00:00Z') },
      { type: 'IMAGE_PDQ', value: RHINO_PDQ, quality: 90, ...common('RHINO_HORN', '2026-11-04T10:00:00Z') },
    ]);
    const all = 'indicators:read sellers:read match:image match:text stats:read';
    tokens['red'] = await fed.token(all, { tlp: 'RED' });
    tokens['amber'] = await fed.token(all, { tlp: 'AMBER' });
    tokens['green'] = await fed.token(all, { tlp: 'GREEN' });
    tokens['pangolin'] = await fed.token(all, { tlp: 'RED', commodities: ['PANGOLIN'] });
    tokens['noSellers'] = await fed.token('indicators:read match:image match:text stats:read', { tlp: 'RED' });
  });
  after(() => fed.close());

  describe('visibility: TLP, commodities and sellers:read, inside the query', () => {
    const totals = `{ indicators(first: 50) { totalCount edges { node { value members sightingCount } } } }`;
    it('counts only what the token may see, in results and in totalCount', async () => {
      const count = async (t: string) => (await data(tokens[t]!, totals))['indicators'];
      assert.equal((await count('red')).totalCount, 8, 'all distinct indicators: 3 + 2 new + 3');
      assert.equal((await count('amber')).totalCount, 5, 'no RED batch');
      assert.equal((await count('green')).totalCount, 3, 'only the GREEN batch');
      assert.equal((await count('pangolin')).totalCount, 1, 'only PANGOLIN sightings');
      const noSellers = await count('noSellers');
      assert.equal(noSellers.totalCount, 6, 'no SELLER indicators without sellers:read');
      assert.ok(noSellers.edges.every((e: any) => !e.node.value.startsWith('fp1.')));
    });

    it('aggregates over visible sightings only', async () => {
      const q = `query($v: String) { indicators(filter: { value: $v }) { edges { node { members sightingCount } } } }`;
      const red = await data(tokens['red']!, q, { v: SELLER_A });
      assert.deepEqual(red['indicators'].edges[0].node, { members: ['chatapp', 'shopmart'], sightingCount: 2 });
      const green = await data(tokens['green']!, q, { v: SELLER_A });
      assert.deepEqual(green['indicators'].edges[0].node, { members: ['chatapp'], sightingCount: 1 }, 'the AMBER sighting neither shows nor counts');
    });

    it('answers indicator(id) with null above the token', async () => {
      const { edges } = (await data(tokens['red']!, `{ indicators(filter: { type: KEYWORD, member: "searchco" }) { edges { node { id } } } }`))['indicators'];
      const id = edges[0].node.id;
      const q = `query($id: ID!) { indicator(id: $id) { value sightings { member tlp } } }`;
      assert.equal((await data(tokens['red']!, q, { id }))['indicator'].value, 'rhinohornpowder');
      assert.equal((await data(tokens['amber']!, q, { id }))['indicator'], null);
    });
  });

  describe('search filters', () => {
    it('finds keywords by substring after normalization, and by confidence', async () => {
      const q = `query($f: IndicatorFilter) { indicators(filter: $f) { totalCount edges { node { value } } } }`;
      const byText = await data(tokens['red']!, q, { f: { keywordContains: 'Horn  Powder' } });
      assert.deepEqual(byText['indicators'].edges.map((e: any) => e.node.value), ['rhinohornpowder']);
      assert.equal((await data(tokens['red']!, q, { f: { keywordContains: '牙手' } }))['indicators'].totalCount, 1);
      assert.equal((await data(tokens['red']!, q, { f: { minConfidence: 81 } }))['indicators'].totalCount, 0);
      const wild = await ask(tokens['red'], q, { f: { keywordContains: '%_' } });
      assert.equal(wild.body.errors?.[0]?.extensions?.['code'], 'INVALID_FILTER', 'LIKE wildcards are not a way to list everything');
    });
  });

  describe('seller(fingerprint)', () => {
    it('shows the cross-platform profile and the links reported with it', async () => {
      const q = `query($fp: String!) { seller(fingerprint: $fp) {
        indicator { members firstSeenAt lastSeenAt commodities }
        keywords { listings indicator { value } } images { indicator { value } } } }`;
      const { seller } = await data(tokens['red']!, q, { fp: SELLER_A });
      assert.deepEqual(seller.indicator, { members: ['chatapp', 'shopmart'], firstSeenAt: '2026-11-02T10:00:00.000Z', lastSeenAt: '2026-11-03T10:00:00.000Z', commodities: ['IVORY'] });
      assert.deepEqual(seller.keywords.map((k: any) => k.indicator.value).sort(), ['pangolinscales', '象牙手镯']);
      assert.equal(seller.images.length, 2);
      const green = (await data(tokens['green']!, q, { fp: SELLER_A }))['seller'];
      assert.deepEqual(green.keywords.map((k: any) => k.indicator.value), ['pangolinscales'], 'links above the token are not shown');
    });
  });

  describe('matchImage and matchText', () => {
    it('finds PDQ indicators within the distance, nearest first, within the token', async () => {
      const q = `query($h: String!, $d: Int) { matchImage(pdq: $h, maxDistance: $d) { distance indicator { value members } } }`;
      const red = (await data(tokens['red']!, q, { h: flip(IVORY_PDQ, 2), d: 31 }))['matchImage'];
      assert.deepEqual(red.map((m: any) => [m.distance, m.indicator.members]), [[2, ['shopmart']], [4, ['chatapp']]]);
      const green = (await data(tokens['green']!, q, { h: flip(IVORY_PDQ, 2), d: 31 }))['matchImage'];
      assert.deepEqual(green.map((m: any) => m.distance), [4]);
      assert.deepEqual((await data(tokens['red']!, q, { h: flip(IVORY_PDQ, 2), d: 3 }))['matchImage'].length, 1);
      const bad = await ask(tokens['red'], q, { h: 'xyz', d: 31 });
      assert.equal(bad.body.errors?.[0]?.extensions?.['code'], 'INVALID_PDQ_HASH');
      const far = await ask(tokens['red'], q, { h: IVORY_PDQ, d: 65 });
      assert.equal(far.body.errors?.[0]?.extensions?.['code'], 'INVALID_MAX_DISTANCE');
    });

    it('finds a mirrored or rotated copy of a published image by its dihedral variants (issue 21)', async () => {
      const picture = await texturedPng();
      const published = (await hashImage(picture)).pdq;
      await publish(shopmart, 'AMBER', [{ type: 'IMAGE_PDQ', value: published, quality: 90, ...common('IVORY', '2026-10-01T10:00:00Z') }]);
      const q = `query($h: String!) { matchImage(pdq: $h, maxDistance: 40) { distance indicator { value } } }`;
      const exact = await hashImageDihedral(picture);
      for (const [name, turned] of [['rotated a quarter', sharp(picture).rotate(90)], ['mirrored', sharp(picture).flop()], ['upside down', sharp(picture).flip()]] as const) {
        const query = (await hashImage(await turned.png().toBuffer())).pdq;
        assert.ok(pdqDistance(query, published) > 64, `${name}: the plain hash alone matches at no radius the API allows`);
        const hits = (await data(tokens['red']!, q, { h: query }))['matchImage'].filter((m: any) => m.indicator.value === published);
        assert.equal(hits.length, 1, `${name}: found`);
        // The node turns pixels (exact variants); the hub has the hash only and estimates them.
        const nodeDistance = Math.min(...Object.values(exact.hashes).map((h) => pdqDistance(h, query)));
        assert.ok(Math.abs(hits[0].distance - nodeDistance) <= 8, `${name}: ${hits[0].distance} bits at the hub, ${nodeDistance} from the node's exact variants`);
      }
    });

    it('finds code words spaced, punctuated and in traditional characters, with positions in the text given', async () => {
      const text = '全新 象 牙 手 鐲，包邮！Also: PANGOLIN-scales and rhino horn powder';
      const q = `query($t: String!) { matchText(text: $t) { start end matched indicator { value } } }`;
      const red = (await data(tokens['red']!, q, { t: text }))['matchText'];
      assert.deepEqual(
        red.map((m: any) => [m.indicator.value, m.matched, text.slice(m.start, m.end)]),
        [
          ['象牙手镯', '象 牙 手 鐲', '象 牙 手 鐲'],
          ['pangolinscales', 'PANGOLIN-scales', 'PANGOLIN-scales'],
          ['rhinohornpowder', 'rhino horn powder', 'rhino horn powder'],
        ],
      );
      const amber = (await data(tokens['amber']!, q, { t: text }))['matchText'];
      assert.equal(amber.length, 2, 'the RED code word is not revealed to an AMBER token');
    });
  });

  describe('stats', () => {
    it('counts new indicators and sightings per day and group, within the token', async () => {
      const q = `query($g: StatsGroupBy) { stats(from: "2026-11-01T00:00:00Z", to: "2026-11-08T00:00:00Z", bucket: DAY, groupBy: $g) { bucketStart key newIndicators sightings } }`;
      const byMember = (await data(tokens['red']!, q, { g: 'MEMBER' }))['stats'];
      assert.deepEqual(byMember.map((r: any) => [r.bucketStart.slice(0, 10), r.key, r.newIndicators, r.sightings]), [
        ['2026-11-02', 'shopmart', 3, 3],
        ['2026-11-03', 'chatapp', 3, 3],
        ['2026-11-04', 'searchco', 3, 3],
      ]);
      const byType = (await data(tokens['amber']!, q, { g: 'TYPE' }))['stats'];
      const day3 = byType.filter((r: any) => r.bucketStart.startsWith('2026-11-03'));
      assert.deepEqual(day3.map((r: any) => [r.key, r.newIndicators, r.sightings]), [['IMAGE_PDQ', 1, 1], ['KEYWORD', 1, 1], ['SELLER', 0, 1]], 'seller A was new on the 2nd');
      const week = await data(tokens['red']!, `{ stats(from: "2026-11-01T00:00:00Z", to: "2026-11-15T00:00:00Z", bucket: WEEK, groupBy: COMMODITY) { bucketStart key sightings } }`);
      assert.ok(week['stats'].every((r: any) => ['2026-10-26', '2026-11-02'].includes(r.bucketStart.slice(0, 10))), 'ISO weeks start on Monday');
      const bad = await ask(tokens['red'], `{ stats(from: "2026-11-08T00:00:00Z", to: "2026-11-01T00:00:00Z") { key } }`);
      assert.equal(bad.body.errors?.[0]?.extensions?.['code'], 'INVALID_FILTER');
    });
  });

  describe('me and members', () => {
    it('says who the token is and what it may do', async () => {
      const token = await fed.token('indicators:read match:text', { tlp: 'GREEN', commodities: ['IVORY', 'TIGER'], sub: 'analyst-7' });
      const { me } = await data(token, `{ me { kind agency subject scopes tlp commodities tokenId expiresAt } }`);
      assert.deepEqual({ ...me, tokenId: typeof me.tokenId, expiresAt: typeof me.expiresAt }, {
        kind: 'AGENCY', agency: 'customs', subject: 'analyst-7', scopes: ['INDICATORS_READ', 'MATCH_TEXT'], tlp: 'GREEN', commodities: ['IVORY', 'TIGER'], tokenId: 'string', expiresAt: 'string',
      });
      assert.deepEqual((await ask(undefined, `{ me { kind scopes } }`)).body.data, { me: { kind: 'ANONYMOUS', scopes: [] } });
      const { members } = await data(token, `{ members { slug } }`);
      assert.deepEqual(members.map((m: any) => m.slug), ['chatapp', 'searchco', 'shopmart']);
    });
  });

  describe('opinions', () => {
    it('aggregates each party’s latest verdict into a status, logs each opinion, and filters by status', async () => {
      const idQ = `query($v: String) { indicators(filter: { value: $v }) { edges { node { id status } } } }`;
      const id = (await data(tokens['red']!, idQ, { v: 'pangolinscales' }))['indicators'].edges[0].node.id;
      const report = `mutation($id: ID!, $o: OpinionVerdict!, $n: String) { reportOpinion(indicatorId: $id, opinion: $o, note: $n) { status leafIndex recordSha256 } }`;
      const other = await fed.token('indicators:read', { agency: 'forestry', tlp: 'AMBER' });
      assert.equal((await data(tokens['red']!, report, { id, o: 'CONFIRMED', n: 'seized 2026-11-05' }))['reportOpinion'].status, 'CONFIRMED');
      const disputed = (await data(other, report, { id, o: 'FALSE_POSITIVE' }))['reportOpinion'];
      assert.equal(disputed.status, 'DISPUTED');
      const history = await data(tokens['red']!, `query($id: ID!) { indicator(id: $id) { status opinions { by verdict note leafIndex record } } }`, { id });
      assert.equal(history['indicator'].status, 'DISPUTED');
      assert.deepEqual(history['indicator'].opinions.map((o: any) => [o.by, o.verdict, o.note]), [['agency:customs', 'CONFIRMED', 'seized 2026-11-05'], ['agency:forestry', 'FALSE_POSITIVE', null]]);
      const entry = await fetch(`${fed.hub.url}/log/entries?start=${disputed.leafIndex}&end=${disputed.leafIndex + 1}`).then((r) => r.json() as Promise<{ entries: string[] }>);
      const logged = JSON.parse(Buffer.from(entry.entries[0]!, 'base64').toString()) as Record<string, unknown>;
      assert.deepEqual([logged['kind'], logged['by'], logged['recordSha256']], ['opinion', 'agency:forestry', disputed.recordSha256]);
      const { createHash } = await import('node:crypto');
      assert.equal(createHash('sha256').update(history['indicator'].opinions[1].record).digest('base64url'), disputed.recordSha256, 'the entry commits to the record');
      assert.equal((await data(other, report, { id, o: 'CONFIRMED' }))['reportOpinion'].status, 'CONFIRMED', 'a party that changes its mind counts once');
      const confirmed = await data(tokens['red']!, `{ indicators(filter: { status: CONFIRMED }) { totalCount } }`);
      assert.equal(confirmed['indicators'].totalCount, 1);
    });

    it('refuses an opinion on an indicator the token cannot see, or without a verdict it knows', async () => {
      const { edges } = (await data(tokens['red']!, `{ indicators(filter: { member: "searchco", type: KEYWORD }) { edges { node { id } } } }`))['indicators'];
      const r = await ask(tokens['amber'], `mutation($id: ID!) { reportOpinion(indicatorId: $id, opinion: CONFIRMED) { status } }`, { id: edges[0].node.id });
      assert.equal(r.body.errors?.[0]?.extensions?.['code'], 'NOT_FOUND');
      const long = await ask(tokens['red'], `mutation($id: ID!, $n: String) { reportOpinion(indicatorId: $id, opinion: CONFIRMED, note: $n) { status } }`, { id: edges[0].node.id, n: 'x'.repeat(2001) });
      assert.equal(long.body.errors?.[0]?.extensions?.['code'], 'INVALID_OPINION');
    });
  });

  describe('protection', () => {
    it('refuses deep nesting, 1,000 aliases and a huge document with codes, not stack traces', async () => {
      const honest = `{ seller(fingerprint: "x") { keywords { indicator { opinions { by } sightings { context { language } } } } } }`;
      assert.equal((await ask(tokens['red'], honest)).body.errors, undefined, 'an honest query passes');
      const depth = 12;
      const deep = `{ ${'seller(fingerprint: "x") { keywords { indicator { '.repeat(1)}${'sightings { context { '.repeat(depth)}language${' } }'.repeat(depth)} } } } }`;
      const deepR = await ask(tokens['red'], deep);
      assert.ok(deepR.body.errors?.length && !deepR.body.data, 'deep nesting is refused');
      assert.doesNotMatch(JSON.stringify(deepR.body), /at [A-Za-z.]+ \(/, 'no stack trace');
      const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: hubInfo { version }`).join(' ')} }`;
      const aliasR = await ask(tokens['red'], aliases);
      assert.ok(aliasR.body.errors?.length && !aliasR.body.data, '1,000 aliases are refused');
      const huge = `{ hubInfo { version } } # ${'x'.repeat(2 * 1024 * 1024)}`;
      const hugeR = await fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: huge }) });
      assert.equal(hugeR.status, 413);
      assert.equal(((await hugeR.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, 'PAYLOAD_TOO_LARGE');
    });

    it('answers a full page of 500 with a dozen fields, and refuses a page larger than 500', async () => {
      const full = await ask(tokens['red'], `{ indicators(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type value quality firstSeenAt lastSeenAt sightingCount members commodities maxConfidence status } } } }`);
      assert.equal(full.body.errors, undefined, JSON.stringify(full.body.errors));
      const r = await ask(tokens['red'], `{ indicators(first: 501) { totalCount } }`);
      assert.equal(r.body.errors?.[0]?.extensions?.['code'], 'INVALID_PAGE_SIZE');
    });
  });

});
