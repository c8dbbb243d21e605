/**
 * Agencies' own TAXII clients against a real hub, request for request: OpenCTI's TAXII2
 * connector (taxii2-client's TokenAuth, one `filters` dictionary reused across collections and
 * runs, limit 1000 as docs/interop.md configures it) over several collections of more than 1,000
 * objects, taxii2-client's own paging, and the Authorization schemes clients send. Each object of
 * a collection must arrive exactly once per run, and a run must never end on an error.
 * The feeds draw from the export rate class (EXPORT_RATE_LIMIT_*), the interactive budget
 * (RATE_LIMIT_*) is lowered here to less than a first import: the import must not care, and the
 * same token's GraphQL must still be held to its own class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';
import { Taxii2ConnectorReplay } from './helpers/opencti-taxii2-connector.js';
import { TAXII, TaxiiClient } from './helpers/taxii-client.js';

type Obj = Record<string, any>;
const BIG = 1100;
const INTERACTIVE_BURST = 5;
const graphqlCall = (url: string, token: string) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ indicators(first: 1) { totalCount } }' }) });
const keywords = (prefix: string, commodity: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'KEYWORD', value: `${prefix}${i.toString(36)}code`, commodity, observedAt: '2026-11-02T10:00:00Z', confidence: 70 }));
const collectionOf = (url: string): string | undefined => /\/collections\/([^/]+)\//.exec(url)?.[1];
const versions = (objects: Obj[]): string[] => objects.map((o) => `${o['id']} ${o['modified'] ?? o['created']}`);

describe('TAXII clients as agencies run them', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  const publish = async (member: TestMember, tlp: string, indicators: object[]) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators, retractions: [] }) });
    assert.equal(r.status, 201, await r.text());
  };
  /** Every collection read to the end by the spec-following client: the reference. */
  const reference = async (token: string): Promise<Map<string, Obj[]>> => {
    const c = new TaxiiClient(`${fed.hub.url}/taxii2/`, token);
    const [root] = await c.apiRoots();
    const all = new Map<string, Obj[]>();
    for (const x of await c.collections(root!)) all.set(x['title'], await c.poll(`${root}collections/${x['id']}/`, {}, { limit: 1000 }));
    return all;
  };

  before(async () => {
    // The default export limits; an interactive burst of 5 (the schemes test below makes 5 GraphQL calls with one token).
    fed = await startTestFederation({ env: { RATE_LIMIT_BURST: String(INTERACTIVE_BURST), RATE_LIMIT_PER_MINUTE: '6' } });
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    await publish(shopmart, 'GREEN', keywords('ivory', 'IVORY', BIG));
    await publish(chatapp, 'GREEN', keywords('pangolin', 'PANGOLIN', BIG));
    await publish(shopmart, 'GREEN', keywords('rhino', 'RHINO_HORN', BIG));
    // Indicators in several collections: another TLP, another commodity, another member.
    await publish(shopmart, 'AMBER', keywords('ivory', 'IVORY', 5).map((k) => ({ ...k, confidence: 90 })));
    await publish(chatapp, 'GREEN', keywords('ivory', 'PANGOLIN', 3));
  });
  after(() => fed.close());

  it('OpenCTI connector (TAXII2_USE_TOKEN=true, wildintel.*): two runs over collections of more than 1,000 objects, every object once', async () => {
    const token = await fed.token('taxii:read', { tlp: 'GREEN', sub: 'opencti-connector' });
    const connector = new Taxii2ConnectorReplay(`${fed.hub.url}/taxii2/`, token, { limit: 1000, initialHistoryHours: 87600 });
    const first = await connector.run('wildintel', new Date());
    assert.ok(connector.requests.every((r) => r.status === 200), 'no request refused, the rate limit included');
    assert.ok(connector.requests.length > INTERACTIVE_BURST, `a first import of ${connector.requests.length} requests, more than the interactive burst`);
    assert.ok(connector.requests.length < 600, `a first import of ${connector.requests.length} requests fits in the default export burst`);
    const expected = await reference(token);
    assert.deepEqual([...first.perCollection.keys()], [...expected.keys()], 'every collection polled');
    for (const [title, objects] of expected) {
      assert.deepEqual(versions(first.perCollection.get(title)!).sort(), versions(objects).sort(), `${title}: what the collection holds, each object once`);
    }
    const big = [...first.perCollection].filter(([, o]) => o.length > 1000).map(([t]) => t).sort();
    assert.deepEqual(big, ['TLP:GREEN IVORY', 'TLP:GREEN PANGOLIN', 'TLP:GREEN RHINO_HORN'], 'three collections needed a second page');
    const reused = connector.requests.filter((r, i) => i > 0 && r.url.includes('next=') && collectionOf(r.url) !== collectionOf(connector.requests[i - 1]!.url));
    assert.ok(reused.length > 0, "the connector sent a collection another collection's next (its run must survive that)");

    // The next scheduled run: added_after is the last run, and `next` of the previous run is still in the filters.
    await publish(chatapp, 'GREEN', keywords('pangolinlate', 'PANGOLIN', 3));
    const before = connector.requests.length;
    const second = await connector.run('wildintel', new Date());
    assert.ok(connector.requests.slice(before).every((r) => r.status === 200), 'the second run is not refused either');
    const late = second.perCollection.get('TLP:GREEN PANGOLIN')!.filter((o) => o['type'] === 'indicator' && String(o['name']).includes('pangolinlate'));
    assert.equal(late.length, 3, 'the batch published between runs arrives');
  });

  it('a bulk pull neither starves nor is starved by the same token\'s GraphQL: each class holds its own budget', async () => {
    const token = await fed.token('taxii:read indicators:read', { tlp: 'GREEN', sub: 'both-classes' });
    const connector = new Taxii2ConnectorReplay(`${fed.hub.url}/taxii2/`, token, { limit: 1000, initialHistoryHours: 87600 });
    const imported = await connector.run('wildintel', new Date());
    assert.ok(connector.requests.length > INTERACTIVE_BURST && connector.requests.every((r) => r.status === 200), 'the import completed, past the interactive burst');
    assert.ok(imported.objects.length > 3 * BIG);
    for (let i = 0; i < INTERACTIVE_BURST; i++) assert.equal((await graphqlCall(fed.hub.url, token)).status, 200, `GraphQL call ${i + 1}: the import spent none of the interactive budget`);
    const limited = await graphqlCall(fed.hub.url, token);
    assert.equal(limited.status, 429, 'GraphQL is held to its own class');
    assert.equal(limited.headers.get('retry-after'), '10', 'one request at 6 a minute: 10 s');
    assert.equal(((await limited.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'RATE_LIMITED');
    const stillFeeds = await fetch(`${fed.hub.url}/taxii2/wildintel/collections/`, { headers: { accept: TAXII, authorization: `Token ${token}` } });
    assert.equal(stillFeeds.status, 200, 'a token out of interactive budget still reads the feeds');
    const misp = await fetch(`${fed.hub.url}/misp/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(misp.status, 200, 'the MISP feed is in the export class too');
  });

  it('serves one STIX id as one object: one created everywhere, one content per (id, modified) over every collection', async () => {
    const all = [...(await reference(await fed.token('taxii:read', { tlp: 'AMBER', sub: 'everything' }))).values()].flat();
    const created = new Map<string, Set<string>>();
    const contents = new Map<string, Set<string>>();
    for (const o of all) {
      created.set(o['id'], (created.get(o['id']) ?? new Set()).add(String(o['created'])));
      const version = `${o['id']} ${o['modified'] ?? o['created']}`;
      contents.set(version, (contents.get(version) ?? new Set()).add(JSON.stringify(o)));
    }
    const shared = [...created.keys()].filter((id) => all.filter((o) => o['id'] === id && o['type'] === 'indicator').length > 1);
    assert.ok(shared.length >= 5, 'indicators served by several collections');
    assert.deepEqual([...created].filter(([, c]) => c.size > 1).map(([id]) => id), [], 'no id with two created');
    assert.deepEqual([...contents].filter(([, c]) => c.size > 1).map(([v]) => v), [], 'no (id, modified) with two contents');
  });

  it("resumes from any page's X-TAXII-Date-Added-Last without losing an object, and gives each object its own date_added", async () => {
    const token = await fed.token('taxii:read', { tlp: 'AMBER', sub: 'resumer' });
    const c = new TaxiiClient(`${fed.hub.url}/taxii2/`, token);
    const [root] = await c.apiRoots();
    const collections = (await c.collections(root!)).filter((x) => ['TLP:GREEN IVORY', 'TLP:AMBER IVORY', 'TLP:GREEN PANGOLIN'].includes(x['title']));
    let resumes = 0;
    for (const x of collections) {
      const url = `${root}collections/${x['id']}/`;
      const limit = x['title'] === 'TLP:AMBER IVORY' ? 3 : 250;
      const pages: Array<{ versions: string[]; last: string }> = [];
      let next: string | undefined;
      do {
        const r = await c.ok(`${url}objects/`, { limit: String(limit), ...(next ? { next } : {}) });
        pages.push({ versions: versions(r.body['objects'] ?? []), last: r.headers.get('x-taxii-date-added-last')! });
        next = r.body['more'] ? r.body['next'] : undefined;
      } while (next);
      const manifest = await c.poll(url, {}, { endpoint: 'manifest', limit: 1000 });
      assert.equal(new Set(manifest.map((m) => m['date_added'])).size, manifest.length, `${x['title']}: no two objects share a date_added`);
      for (let i = 0; i < pages.length - 1; i++) {
        // As the spec's client sends it back, and as OpenCTI's built-in TAXII ingestion does (truncated to milliseconds).
        for (const addedAfter of [pages[i]!.last, new Date(pages[i]!.last).toISOString()]) {
          const resumed = new Set(versions(await c.poll(url, { addedAfter }, { limit })));
          const missing = pages.slice(i + 1).flatMap((p) => p.versions).filter((v) => !resumed.has(v));
          assert.deepEqual(missing, [], `${x['title']}: resuming after page ${i + 1} of ${pages.length} (${addedAfter}) loses nothing`);
          resumes++;
        }
      }
    }
    assert.ok(resumes >= 10, `resumed at ${resumes} points`);
  });

  it('taxii2-client as_pages with TokenAuth: no limit on the first request, then the page size it was given', async () => {
    const token = await fed.token('taxii:read', { tlp: 'GREEN', sub: 'taxii2-client' });
    const url = `${fed.hub.url}/taxii2/wildintel/collections/`;
    const headers = { accept: TAXII, authorization: `Token ${token}` };
    const collections = ((await (await fetch(url, { headers })).json()) as Obj)['collections'] as Obj[];
    const ivory = collections.find((c) => c['title'] === 'TLP:GREEN IVORY')!;
    const pages: Obj[] = [];
    let perRequest = 0;
    let params = new URLSearchParams();
    for (;;) {
      const res = await fetch(`${url}${ivory['id']}/objects/?${params}`, { headers });
      assert.equal(res.status, 200);
      const envelope = (await res.json()) as Obj;
      pages.push(envelope);
      if (perRequest === 0) perRequest = (envelope['objects'] as Obj[]).length;
      if (envelope['more'] !== true) break;
      params = new URLSearchParams({ limit: String(perRequest), next: envelope['next'] });
    }
    assert.equal(perRequest, 1000, 'without limit a page is as large as the server allows, so an import takes few requests');
    assert.equal(pages.flatMap((p) => p['objects'] as Obj[]).length, BIG + 5, 'the four fixed objects, the member and every indicator');
  });

  it('reads the Authorization scheme case-insensitively, and Token as Bearer, on GraphQL, TAXII and MISP', async () => {
    const token = await fed.token('taxii:read indicators:read', { tlp: 'GREEN', sub: 'schemes' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'Token', 'token']) {
      const authorization = `${scheme} ${token}`;
      const taxii = await fetch(`${fed.hub.url}/taxii2/`, { headers: { accept: TAXII, authorization } });
      assert.equal(taxii.status, 200, `TAXII with ${scheme}`);
      const misp = await fetch(`${fed.hub.url}/misp/manifest.json`, { headers: { authorization } });
      assert.equal(misp.status, 200, `MISP with ${scheme}`);
      const gql = await graphql(fed.hub.url, '{ indicators(first: 1) { edges { node { id } } } }', {}, { authorization });
      assert.equal(gql.body.errors, undefined, `GraphQL with ${scheme}: ${JSON.stringify(gql.body.errors)}`);
    }
    for (const bad of [`Basic ${token}`, `Bearer`, `Bearer:${token}`]) {
      const r = await fetch(`${fed.hub.url}/taxii2/`, { headers: { accept: TAXII, authorization: bad } });
      assert.equal(r.status, 401, bad);
    }
  });

  it('serves the discovery document the spec asks for, and added_after in any RFC 3339 form', async () => {
    const token = await fed.token('taxii:read', { tlp: 'GREEN', sub: 'spec' });
    const c = new TaxiiClient(`${fed.hub.url}/taxii2/`, token);
    const discovery = (await c.ok(`${fed.hub.url}/taxii2/`)).body;
    assert.deepEqual([discovery['default'], discovery['api_roots']], ['/taxii2/wildintel/', ['/taxii2/wildintel/']], 'absolute paths (TAXII 2.1 4.1.1)');
    const [root] = await c.apiRoots();
    const ivory = (await c.collections(root!)).find((x) => x['title'] === 'TLP:GREEN IVORY')!;
    const url = `${root}collections/${ivory['id']}/objects/`;
    const all = (await c.ok(url, { limit: '10' })).body['objects'] as Obj[];
    const now = Date.now();
    for (const o of all.filter((x) => x['type'] !== 'marking-definition')) assert.ok(Date.parse(o['created']) <= now, `${o['id']}: created ${o['created']} is not in the future`);
    for (const o of all.filter((x) => x['type'] === 'indicator')) assert.equal(typeof o['description'], 'string', 'an indicator says what it is');
    for (const when of ['2016-01-01T00:00:00+00:00', '2016-01-01T01:00:00+01:00', '2016-01-01T00:00:00Z', '2016-01-01t00:00:00.5z']) {
      const r = await c.get(url, { added_after: when, limit: '1' });
      assert.equal(r.status, 200, `${when}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['objects'] as Obj[]).length, 1);
    }
  });
});

describe('a first import larger than the export burst, clients honouring Retry-After', () => {
  let fed: TestFederation;
  const EXPORT_BURST = 4;
  before(async () => {
    // 120 a minute: one request every 0.5 s once the burst is spent, so Retry-After is 1 s.
    fed = await startTestFederation({ env: { EXPORT_RATE_LIMIT_BURST: String(EXPORT_BURST), EXPORT_RATE_LIMIT_PER_MINUTE: '120' } });
    const shopmart = await fed.addMember('shopmart');
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(shopmart, { tlp: 'GREEN', indicators: keywords('ivory', 'IVORY', 250), retractions: [] }) });
    assert.equal(r.status, 201, await r.text());
  });
  after(() => fed.close());

  it('taxii2-client (a Retry adapter honouring Retry-After) and the OpenCTI connector complete, every object once', async () => {
    const token = await fed.token('taxii:read indicators:read', { tlp: 'GREEN', sub: 'bulk' });
    const client = new TaxiiClient(`${fed.hub.url}/taxii2/`, token, { maxWaits: 5 });
    const [root] = await client.apiRoots();
    const collections = await client.collections(root!);
    const polled = new Map<string, Obj[]>();
    for (const c of collections) polled.set(c['title'], await client.poll(`${root}collections/${c['id']}/`, {}, { limit: 100 }));
    assert.ok(client.requests > EXPORT_BURST + 2, `${client.requests} requests, past the export burst`);
    assert.ok(client.waited.length > 0 && client.waited.every((s) => s === 1), `waited out ${client.waited.length} refusals of Retry-After: 1`);

    const fullToken = await fed.token('taxii:read', { tlp: 'GREEN', sub: 'bulk-connector' });
    const connector = new Taxii2ConnectorReplay(`${fed.hub.url}/taxii2/`, fullToken, { limit: 100, initialHistoryHours: 87600, retryMaxWaits: 5 });
    const run = await connector.run('wildintel', new Date());
    assert.ok(connector.requests.some((r) => r.status === 429), 'the connector was refused on the way');
    const ivory = run.perCollection.get('TLP:GREEN IVORY')!;
    assert.equal(ivory.filter((o) => o['type'] === 'indicator').length, 250, 'every indicator');
    assert.equal(new Set(versions(ivory)).size, ivory.length, 'each object once');
    for (const [title, objects] of polled) assert.equal(new Set(versions(objects)).size, objects.length, `${title}: each object once`);
    assert.deepEqual(versions(polled.get('TLP:GREEN IVORY')!).sort(), versions(ivory).sort(), 'both clients got the same collection');
  });

  it('answers every refusal of the feeds with 429, RATE_LIMITED and Retry-After, while GraphQL keeps its own budget', async () => {
    const token = await fed.token('taxii:read indicators:read', { tlp: 'GREEN', sub: 'hammer' });
    const taxii = () => fetch(`${fed.hub.url}/taxii2/`, { headers: { accept: TAXII, authorization: `Bearer ${token}` } });
    const misp = () => fetch(`${fed.hub.url}/misp/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < EXPORT_BURST; i++) assert.equal((await (i % 2 ? taxii() : misp())).status, 200);
    const refusedTaxii = await taxii();
    assert.equal(refusedTaxii.status, 429);
    assert.match(refusedTaxii.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'TAXII: Retry-After in whole seconds');
    assert.equal(((await refusedTaxii.json()) as Obj)['error_code'], 'RATE_LIMITED');
    const refusedMisp = await misp();
    assert.equal(refusedMisp.status, 429);
    assert.match(refusedMisp.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'MISP: Retry-After in whole seconds');
    assert.equal(((await refusedMisp.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    assert.equal((await graphqlCall(fed.hub.url, token)).status, 200, 'the feeds spent none of the interactive budget');
  });
});
