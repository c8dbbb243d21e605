/**
 * The TAXII 2.1 server end to end: a real hub, members publishing real signed batches, real
 * agency tokens, and a TAXII 2.1 client written against the specification (helpers/taxii-client).
 * It walks discovery → API root → collections → objects to the end with `next`, then resumes
 * with `added_after`; checks that what a token reads is exactly what it reads through
 * `indicators`, that a narrow token sees only its collections, that a batch published while a
 * client pages appears exactly once, and the media types, headers and error bodies of the spec.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { setSightingSharing, stixIds, tlpMarkingId } from '../src/interop/index.js';
import { testServerUrl } from '../src/db/test-database.js';
import { graphql, runCli } from './helpers/hub-process.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { assertValidStix } from './helpers/stix-schemas.js';
import { TAXII, TaxiiClient, type PollState } from './helpers/taxii-client.js';

const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const hex = (seed: number): string => Buffer.from(Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff)).toString('hex');
const common = (commodity: string, observedAt: string) => ({ commodity, observedAt, confidence: 80 });
const EXT = 'extension-definition--22ebe56e-8578-4e48-8f5a-51a7544003db';

const K1 = { type: 'KEYWORD', value: normalizeKeyword('象牙手镯'), original: '象 牙 手镯', ...common('IVORY', '2026-11-02T10:00:00Z'), species: 'Loxodonta africana' };
const SELLER_A = { type: 'SELLER', value: fingerprint('seller-a'), ...common('IVORY', '2026-11-02T10:00:00Z') };
const P1 = { type: 'IMAGE_PDQ', value: hex(1), quality: 90, ...common('IVORY', '2026-11-02T10:00:00Z') };
const H1 = { type: 'IMAGE_SHA256', value: hex(2), ...common('IVORY', '2026-11-02T10:00:00Z'), expiresAt: '2027-01-01T00:00:00Z' };
const K2 = { type: 'KEYWORD', value: 'pangolinscales', original: 'Pangolin Scales', ...common('PANGOLIN', '2026-11-03T10:00:00Z') };
const P2 = { type: 'IMAGE_PDQ', value: hex(3), quality: 70, ...common('IVORY', '2026-11-03T10:00:00Z') };
const K3 = { type: 'KEYWORD', value: 'rhinohornpowder', ...common('RHINO_HORN', '2026-11-04T10:00:00Z') };
const SELLER_B = { type: 'SELLER', value: fingerprint('seller-b'), ...common('RHINO_HORN', '2026-11-04T10:00:00Z') };

type Obj = Record<string, any>;
const indicatorIdsOf = (objects: Obj[]): string[] => objects.filter((o) => o['type'] === 'indicator').map((o) => o['extensions'][EXT]['indicator_id'] as string);

describe('TAXII 2.1 server', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let searchco: TestMember;
  let discovery: string;
  const publish = async (member: TestMember, tlp: string, indicators: object[], retractions: object[] = []) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators, retractions: retractions as never }) });
    assert.equal(r.status, 201, await r.text());
  };
  const full = () => fed.token('taxii:read sellers:read', { tlp: 'RED', sub: `full-${Math.random()}` });
  const client = async (token?: string) => new TaxiiClient(discovery, token ?? (await full()));
  const collectionUrl = async (c: TaxiiClient, title: string): Promise<string> => {
    const [root] = await c.apiRoots();
    const found = (await c.collections(root!)).find((x) => x['title'] === title);
    assert.ok(found, `collection ${title}`);
    return `${root}collections/${found['id']}/`;
  };
  /** What `indicators` lists for a token with these read rights: the ids (history included, as the feeds carry). */
  const graphqlIds = async (scope: string, tlp: 'RED' | 'GREEN' | 'AMBER', commodities?: Array<'PANGOLIN'>): Promise<string[]> => {
    const token = await fed.token(scope, { tlp, ...(commodities ? { commodities } : {}), sub: `gql-${Math.random()}` });
    const r = await graphql(fed.hub.url, '{ indicators(first: 500, filter: { includeRetracted: true, includeExpired: true }) { edges { node { id } } } }', {}, { authorization: `Bearer ${token}` });
    return (r.body.data!['indicators'] as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node.id).sort();
  };

  before(async () => {
    // The export class's burst lowered below the 200 requests the rate-limit test below sends (default 600).
    fed = await startTestFederation({ env: { EXPORT_RATE_LIMIT_BURST: '150' } });
    discovery = `${fed.hub.url}/taxii2/`;
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    searchco = await fed.addMember('searchco');
    await publish(shopmart, 'AMBER', [K1, SELLER_A, P1, H1]);
    await publish(chatapp, 'GREEN', [SELLER_A, K2, P2]);
    await publish(searchco, 'RED', [K3, SELLER_B]);
  });
  after(() => fed.close());

  it('walks discovery, the API root and every collection to the end, and reads exactly what indicators lists', async () => {
    const c = await client();
    const [root, ...others] = await c.apiRoots();
    assert.deepEqual([root, others], [`${fed.hub.url}/taxii2/wildintel/`, []]);
    await c.apiRoot(root!);
    const collections = await c.collections(root!);
    assert.equal(collections.length, 50, 'every TLP × commodity a RED token with no commodity limit may read');
    assert.ok(collections.every((x) => x['can_read'] === true && x['can_write'] === false && x['media_types'][0] === 'application/stix+json;version=2.1'));
    const seen: string[] = [];
    const states = new Map<string, PollState>();
    for (const x of collections) {
      const state: PollState = {};
      const objects = await c.poll(`${root}collections/${x['id']}/`, state, { limit: 8 });
      states.set(x['id'], state);
      const [tlp, commodity] = [x['title'].split(' ')[0].slice(4).replace('+', '_'), x['title'].split(' ')[1]];
      assert.equal(new Set(objects.map((o) => o['id'])).size, objects.length, `${x['title']}: each object once`);
      for (const o of objects) assertValidStix(o);
      assert.deepEqual(objects.slice(0, 4).map((o) => o['type']), ['marking-definition', 'identity', 'extension-definition', 'identity'], 'every collection starts with its marking, the extension and its author, the hub');
      assert.equal(objects[0]!['id'], tlpMarkingId(tlp as never));
      for (const o of objects.filter((y) => y['type'] === 'indicator')) {
        assert.deepEqual(o['object_marking_refs'], [tlpMarkingId(tlp as never)], 'marked with the collection TLP');
        assert.ok(o['labels'].includes(`commodity:${commodity.toLowerCase()}`));
        assert.ok(o['extensions'][EXT]['provenance'].every((p: Obj) => p['tlp'] === tlp), 'only sightings of the collection TLP');
      }
      seen.push(...indicatorIdsOf(objects));
    }
    assert.deepEqual([...new Set(seen)].sort(), await graphqlIds('indicators:read sellers:read', 'RED'), 'the union of the collections is what indicators lists for the same entitlement');
    assert.equal(seen.filter((id) => id === indicatorId('SELLER', SELLER_A.value)).length, 2, 'seller A is in AMBER IVORY and in GREEN IVORY');

    const resume = await client();
    for (const x of collections.filter((y) => states.get(y['id'])!.addedAfter !== undefined)) {
      assert.deepEqual(await resume.poll(`${root}collections/${x['id']}/`, states.get(x['id'])!), [], `${x['title']}: nothing new after X-TAXII-Date-Added-Last`);
    }
  });

  it('gives a narrow token only its collections and, in them, only what it may see', async () => {
    const c = new TaxiiClient(discovery, await fed.token('taxii:read', { tlp: 'GREEN', commodities: ['PANGOLIN'], sub: 'narrow' }));
    const [root] = await c.apiRoots();
    const collections = await c.collections(root!);
    assert.deepEqual(collections.map((x) => x['title']).sort(), ['TLP:CLEAR PANGOLIN', 'TLP:GREEN PANGOLIN']);
    const objects = await c.poll(`${root}collections/${collections.find((x) => x['title'] === 'TLP:GREEN PANGOLIN')!['id']}/`, {});
    assert.deepEqual(indicatorIdsOf(objects), await graphqlIds('indicators:read', 'GREEN', ['PANGOLIN']));
    assert.deepEqual(objects.filter((o) => o['type'] === 'identity' && o['name'] !== undefined && o['id'] === stixIds.member('chatapp')).length, 1, 'the member that reported it');
    assert.ok(!objects.some((o) => o['id'] === stixIds.member('shopmart')), 'no member without a sighting in the collection');
    const amberIvory = (await (await client()).collections(root!)).find((x) => x['title'] === 'TLP:AMBER IVORY')!;
    const refused = await c.get(`${root}collections/${amberIvory['id']}/objects/`);
    assert.equal(refused.status, 404, 'a collection above the token is not found, not forbidden: it cannot be probed');
    assert.equal(refused.body['http_status'], '404');
  });

  it('shows a batch published while a client pages exactly once, and again nothing on the next poll', async () => {
    const c = await client();
    const url = await collectionUrl(c, 'TLP:AMBER IVORY');
    const K4 = { type: 'KEYWORD', value: 'ivorycarving', ...common('IVORY', '2026-11-06T10:00:00Z') };
    const state: PollState = {};
    const first = await c.poll(url, state, { limit: 1, onPage: async (page) => void (page === 2 ? await publish(shopmart, 'AMBER', [{ ...K1, confidence: 95 }, K4]) : undefined) });
    const second = await c.poll(url, state, { limit: 1 });
    const third = await c.poll(url, state, { limit: 1 });
    const versions = [...first, ...second].map((o) => `${o['id']} ${o['modified'] ?? o['created']}`);
    assert.equal(new Set(versions).size, versions.length, 'no version twice');
    const k4 = stixIds.indicator(indicatorId('KEYWORD', K4.value));
    assert.equal([...first, ...second].filter((o) => o['id'] === k4).length, 1, 'the new indicator exactly once');
    const k1 = [...first, ...second].filter((o) => o['id'] === stixIds.indicator(indicatorId('KEYWORD', K1.value)));
    assert.equal(k1.at(-1)!['confidence'], 95, 'the re-reported indicator ends at its new version');
    assert.equal(k1.filter((o) => o['confidence'] === 95).length, 1, 'whose new version appears once');
    assert.deepEqual(third, []);

    await publish(shopmart, 'AMBER', [{ ...K4, confidence: 60, observedAt: '2026-11-07T10:00:00Z' }]);
    const fourth = await c.poll(url, state);
    assert.deepEqual(fourth.map((o) => o['id']), [k4], 'the next poll has that batch and nothing else');
    assert.deepEqual(await c.poll(url, state), []);
  });

  it('carries a retraction as revoked on the next poll', async () => {
    const c = await client();
    const url = await collectionUrl(c, 'TLP:RED RHINO_HORN');
    const state: PollState = {};
    await c.poll(url, state);
    await publish(searchco, 'RED', [], [{ indicatorId: indicatorId('KEYWORD', K3.value), reason: 'a museum replica' }]);
    const next = await c.poll(url, state);
    assert.deepEqual(next.map((o) => [o['id'], o['revoked']]), [[stixIds.indicator(indicatorId('KEYWORD', K3.value)), true]]);
    assertValidStix(next[0]!);
  });

  it('carries sightings only from batches a member shared, and opinions as they are logged', async () => {
    const c = await client();
    const url = await collectionUrl(c, 'TLP:GREEN PANGOLIN');
    const state: PollState = {};
    assert.ok(!(await c.poll(url, state)).some((o) => o['type'] === 'sighting'), 'withheld by default');
    // The operator's command, through the running hub's admin socket (embedded) or the database (a server).
    const env = { DATA_DIR: fed.config.DATA_DIR, CERTS_DIR: fed.certsDir, HUB_ORIGIN: fed.config.HUB_ORIGIN, ...(testServerUrl() ? { DATABASE_URL: fed.db.env['DATABASE_URL']! } : {}) };
    const shared = await runCli(['interop', 'sightings', 'chatapp', 'share'], env);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stdout, /^chatapp: sightings shared from log index \d+ on/);
    const listed = await runCli(['interop', 'sightings'], env);
    assert.match(listed.stdout, /chatapp {2}share \(from log index \d+\)\nsearchco {2}withhold\nshopmart {2}withhold/);
    await assert.rejects(setSightingSharing({ db: fed.hub.database.dataSource, clock: { now: () => new Date() } }, 'nobody', true), { code: 'UNKNOWN_MEMBER' });
    const K5 = { type: 'KEYWORD', value: 'pangolinscale', ...common('PANGOLIN', '2026-11-08T10:00:00Z'), context: { listingCount: 3 } };
    await publish(chatapp, 'GREEN', [K5]);
    const opinionToken = await fed.token('indicators:read', { tlp: 'GREEN', sub: 'reviewer' });
    const opinion = await graphql(fed.hub.url, 'mutation($id: ID!) { reportOpinion(indicatorId: $id, opinion: CONFIRMED, note: "seized") { leafIndex } }', { id: indicatorId('KEYWORD', K2.value) }, { authorization: `Bearer ${opinionToken}` });
    assert.equal(opinion.body.errors, undefined, JSON.stringify(opinion.body.errors));
    const next = await c.poll(url, state);
    const sighting = next.find((o) => o['type'] === 'sighting');
    assert.ok(sighting, 'the shared batch brings its sighting');
    assert.deepEqual([sighting['count'], sighting['sighting_of_ref'], sighting['where_sighted_refs']], [3, stixIds.indicator(indicatorId('KEYWORD', K5.value)), [stixIds.member('chatapp')]]);
    const o = next.find((x) => x['type'] === 'opinion');
    assert.deepEqual([o?.['opinion'], o?.['explanation'], o?.['object_refs']], ['agree', 'seized', [stixIds.indicator(indicatorId('KEYWORD', K2.value))]]);
    for (const x of next) assertValidStix(x);
    assert.equal(next.filter((x) => x['type'] === 'sighting').length, 1, 'the earlier batch stays as it was carried');
  });

  it('filters by type and id, serves one object and its versions, and lists the same in the manifest', async () => {
    const c = await client();
    const url = await collectionUrl(c, 'TLP:AMBER IVORY');
    const indicators = await c.poll(url, {}, { filters: { 'match[type]': 'indicator' } });
    assert.ok(indicators.length > 0 && indicators.every((o) => o['type'] === 'indicator'));
    const manifest = await c.poll(url, {}, { endpoint: 'manifest', filters: { 'match[type]': 'indicator' } });
    assert.deepEqual(manifest.map((m) => [m['id'], m['version'], m['media_type']]), indicators.map((o) => [o['id'], o['modified'], 'application/stix+json;version=2.1']));
    const target = indicators[1]!;
    assert.deepEqual((await c.poll(url, {}, { filters: { 'match[id]': target['id'] } })).map((o) => o['id']), [target['id']]);
    const one = await c.ok(`${url}objects/${target['id']}/`);
    assert.deepEqual(one.body['objects'], [target]);
    assert.ok(one.headers.get('x-taxii-date-added-first'));
    assert.deepEqual((await c.ok(`${url}objects/${target['id']}/versions/`)).body['versions'], [target['modified']]);
    assert.equal((await c.get(`${url}objects/${stixIds.indicator(indicatorId('KEYWORD', K2.value))}/`)).status, 404, 'an indicator of another collection');
    assert.deepEqual(await c.poll(url, {}, { filters: { 'match[spec_version]': '2.0' } }), [], 'only STIX 2.1 here');
    const byVersion = await c.poll(url, {}, { filters: { 'match[version]': target['modified'], 'match[type]': 'indicator' } });
    assert.deepEqual(byVersion.map((o) => o['id']), indicators.filter((o) => o['modified'] === target['modified']).map((o) => o['id']), 'the versions of that time (one batch)');
    assert.deepEqual(await c.poll(url, {}, { filters: { 'match[version]': '2020-01-01T00:00:00.000Z' } }), [], 'no version of then');
  });

  it('follows the spec on media types, errors and the read-only collections', async () => {
    const c = await client();
    const url = await collectionUrl(c, 'TLP:AMBER IVORY');
    const error = (r: { status: number; body: Obj }, status: number, code: string) => {
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(typeof r.body['title'], 'string', 'an error message has a title (3.6.1)');
      assert.deepEqual([r.body['http_status'], r.body['error_code']], [String(status), code]);
    };
    error(await c.get(`${url}objects/`, {}, { accept: 'application/json' }), 406, 'NOT_ACCEPTABLE');
    error(await c.get(`${url}objects/`, {}, { accept: 'application/taxii+json;version=2.0' }), 406, 'NOT_ACCEPTABLE');
    assert.equal((await c.get(`${url}objects/`, {}, { accept: 'application/taxii+json' })).status, 200, 'no version means the latest');
    const anonymous = await new TaxiiClient(discovery, undefined).get(discovery);
    error(anonymous, 401, 'UNAUTHENTICATED');
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    error(await new TaxiiClient(discovery, 'not.a.token').get(discovery), 401, 'UNAUTHENTICATED');
    error(await new TaxiiClient(discovery, await fed.token('indicators:read', { tlp: 'RED' })).get(discovery), 403, 'FORBIDDEN');
    error(await c.get(`${url}objects/`, { limit: '0' }), 400, 'INVALID_PARAMETER');
    error(await c.get(`${url}objects/`, { added_after: 'yesterday' }), 400, 'INVALID_PARAMETER');
    error(await c.get(`${url}objects/`, { next: 'bm9wZQ' }), 400, 'INVALID_PARAMETER');
    error(await c.get(`${url}objects/`, { 'match[relationship_type]': 'x' }), 400, 'INVALID_PARAMETER');
    error(await c.get(`${url}objects/?limit=1&limit=2`), 400, 'INVALID_PARAMETER');
    const page = await c.ok(`${url}objects/`, { limit: '1' });
    const other = await collectionUrl(c, 'TLP:GREEN IVORY');
    const foreign = await c.ok(`${other}objects/`, { next: page.body['next'], limit: '2' });
    assert.deepEqual(foreign.body['objects'], (await c.ok(`${other}objects/`, { limit: '2' })).body['objects'], "another collection's next starts this one from its beginning (OpenCTI's connector sends it)");
    error(await c.get(`${fed.hub.url}/taxii2/other/collections/`), 404, 'NOT_FOUND');
    const post = await fetch(`${url}objects/`, { method: 'POST', headers: { accept: TAXII, 'content-type': TAXII, authorization: `Bearer ${await full()}` }, body: '{"objects":[]}' });
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as Obj)['error_code'], 'READ_ONLY');
    const put = await fetch(`${url}objects/`, { method: 'PUT', headers: { accept: TAXII } });
    assert.deepEqual([put.status, put.headers.get('allow')], [405, 'GET']);
  });

  it('records every request in the access audit and rate-limits per token', async () => {
    const token = await full();
    const c = new TaxiiClient(discovery, token);
    await c.get(discovery);
    let status = 200;
    let retryAfter: string | null = null;
    for (let i = 0; i < 200 && status === 200; i++) {
      const r = await c.get(discovery);
      status = r.status;
      retryAfter = r.headers.get('retry-after');
      if (status !== 200) assert.deepEqual([r.body['error_code'], r.body['http_status']], ['RATE_LIMITED', '429']);
    }
    assert.equal(status, 429, 'the burst runs out');
    assert.match(retryAfter ?? '', /^[1-9][0-9]*$/);
    assert.equal((await (await client()).get(discovery)).status, 200, 'another token is unaffected');
    const auditor = await fed.token('audit:read', { tlp: 'CLEAR', agency: 'oversight' });
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())['jti'];
    const log = await graphql(fed.hub.url, 'query($t: String) { accessLog(filter: { tokenId: $t }, first: 500) { records { operation fields outcome } } }', { t: jti }, { authorization: `Bearer ${auditor}` });
    const records = (log.body.data!['accessLog'] as { records: Array<{ operation: string; fields: string; outcome: string }> }).records;
    assert.equal(records.length, c.requests - 1, 'every answered request, not the refused ones');
    assert.ok(records.every((r) => r.operation === 'taxii2' && r.fields === 'discovery' && r.outcome === 'OK'));
  });
});
