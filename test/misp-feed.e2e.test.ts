/**
 * The MISP feed round trip: a real hub and signed batches, the feed read back over HTTP
 * (/misp/manifest.json, /misp/<uuid>.json, /misp/hashes.csv) and through `wildintel export
 * misp`, checked field by field against the MISP feed format (PyMISP MISPEvent.to_feed and
 * .manifest, hashes.csv as MISP's feed cache reads it) and, in counts and values, against what
 * the token may see through `indicators`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { testServerUrl } from '../src/db/test-database.js';
import { graphql, runCli } from './helpers/hub-process.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const hex = (seed: number): string => Buffer.from(Array.from({ length: 32 }, (_, i) => (seed * 37 + i * 11) & 0xff)).toString('hex');
const common = (commodity: string, observedAt: string) => ({ commodity, observedAt, confidence: 80 });
const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

const K1 = { type: 'KEYWORD', value: normalizeKeyword('象牙手镯'), original: '象 牙 手镯', ...common('IVORY', '2026-11-02T10:00:00Z') };
const SELLER_A = { type: 'SELLER', value: fingerprint('seller-a'), ...common('IVORY', '2026-11-02T10:00:00Z') };
const P1 = { type: 'IMAGE_PDQ', value: hex(1), quality: 90, ...common('IVORY', '2026-11-02T10:00:00Z'), species: 'Loxodonta africana' };
const H1 = { type: 'IMAGE_SHA256', value: hex(2), ...common('IVORY', '2026-11-02T10:00:00Z') };
const K2 = { type: 'KEYWORD', value: 'pangolinscales', ...common('PANGOLIN', '2026-11-03T10:00:00Z') };
const K3 = { type: 'KEYWORD', value: 'rhinohornpowder', ...common('RHINO_HORN', '2026-11-04T10:00:00Z') };

/**
 * The type/category pairs used, as PyMISP's describeTypes.json (MISP/PyMISP 99a1c797) allows them:
 * each type's sane default category, and that the category lists the type.
 */
const MISP_TYPES: Record<string, { defaultCategory: string; categories: string[] }> = {
  text: { defaultCategory: 'Other', categories: ['Other', 'Attribution', 'Payload delivery'] },
  sha256: { defaultCategory: 'Payload delivery', categories: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'] },
};
/**
 * What MISP does to a value before storing it (MISP/MISP app/Lib/Tools/AttributeValidationTool.php,
 * modifyBeforeValidation): these types are lower-cased, `hex` upper-cased; `text` is kept.
 */
const MISP_LOWERCASED = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512/224', 'sha512/256', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512', 'ja3-fingerprint-md5', 'jarm-fingerprint', 'hassh-md5', 'hasshserver-md5', 'hostname', 'pehash', 'authentihash', 'vhash', 'imphash', 'telfhash', 'tlsh', 'anonymised', 'cdhash', 'email', 'email-src', 'email-dst', 'target-email', 'whois-registrant-email', 'dom-hash', 'domain']);
const asMispStores = (type: string, value: string): string => (MISP_LOWERCASED.has(type) ? value.toLowerCase() : type === 'hex' ? value.toUpperCase() : value).trim();

const EVENT_FIELDS = ['uuid', 'info', 'threat_level_id', 'analysis', 'timestamp', 'publish_timestamp', 'published', 'date', 'extends_uuid', 'protected', 'Orgc', 'Tag', 'Attribute'];
const ATTRIBUTE_FIELDS = ['uuid', 'value', 'category', 'type', 'comment', 'deleted', 'timestamp', 'to_ids', 'disable_correlation', 'first_seen', 'Tag'];
const MANIFEST_FIELDS = ['Orgc', 'Tag', 'info', 'date', 'analysis', 'threat_level_id', 'timestamp'];

type Json = Record<string, any>;

interface Feed {
  manifest: Record<string, Json>;
  events: Record<string, Json>;
  hashes: string[];
}

/** Checks a feed's shape against the format, and returns it. */
function checkFeed(feed: Feed): Feed {
  for (const [uuid, entry] of Object.entries(feed.manifest)) {
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(Object.keys(entry).sort(), [...MANIFEST_FIELDS].sort(), 'a manifest entry has what MISPEvent.manifest writes');
    const event = feed.events[uuid]!['Event'] as Json;
    assert.ok(event, `every manifest entry has its event file ${uuid}`);
    assert.deepEqual(Object.keys(event).sort(), [...EVENT_FIELDS].sort(), 'an event has the fields of MISPEvent.to_feed');
    assert.equal(event['uuid'], uuid);
    for (const f of ['info', 'date', 'analysis', 'threat_level_id', 'timestamp']) assert.deepEqual(event[f], entry[f], `manifest and event agree on ${f}`);
    assert.deepEqual(event['Orgc'], entry['Orgc']);
    assert.match(event['timestamp'], /^[0-9]+$/, 'numbers are strings, as MISP writes them');
    assert.match(event['date'], /^\d{4}-\d\d-\d\d$/);
    assert.equal(event['Tag'].filter((t: Json) => t['name'].startsWith('tlp:')).length, 1, 'one TLP per event');
    const values = (event['Attribute'] as Json[]).map((a) => `${a['type']}/${a['category']}/${a['value']}`);
    assert.equal(new Set(values).size, values.length, 'no value twice in an event: MISP keeps one and drops the other on update');
    for (const a of event['Attribute'] as Json[]) {
      assert.deepEqual(Object.keys(a).sort(), [...ATTRIBUTE_FIELDS].sort());
      assert.equal(asMispStores(a['type'], a['value']), a['value'], `MISP stores ${a['type']} ${a['value']} unchanged, so hashes.csv and correlation hold`);
      const allowed = MISP_TYPES[a['type']];
      assert.ok(allowed?.categories.includes(a['category']), `${a['type']} in ${a['category']}`);
      assert.ok(Number(a['timestamp']) <= Number(event['timestamp']), 'the event is as new as its newest attribute');
    }
  }
  const live = Object.entries(feed.events).flatMap(([uuid, e]) => (e['Event']['Attribute'] as Json[]).filter((a) => !a['deleted']).map((a) => `${md5(a['value'])},${uuid}`));
  assert.deepEqual([...feed.hashes].sort(), live.sort(), 'hashes.csv: the MD5 of every live attribute value and its event');
  return feed;
}

async function readDirFeed(dir: string): Promise<Feed> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, Json>;
  const events: Record<string, Json> = {};
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'manifest.json')) events[f.slice(0, -5)] = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Json;
  const hashes = (await readFile(path.join(dir, 'hashes.csv'), 'utf8')).split('\n').filter((l) => l !== '').sort();
  return { manifest, events, hashes };
}

describe('MISP feed', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  const dirs: string[] = [];
  const publish = async (member: TestMember, tlp: string, indicators: object[], retractions: object[] = []) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp: tlp as never, indicators, retractions: retractions as never }) });
    assert.equal(r.status, 201, await r.text());
  };
  const get = (token: string | undefined, file: string) => fetch(`${fed.hub.url}/misp/${file}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const readHttpFeed = async (token: string): Promise<Feed> => {
    const manifest = (await (await get(token, 'manifest.json')).json()) as Record<string, Json>;
    const events: Record<string, Json> = {};
    for (const uuid of Object.keys(manifest)) {
      const res = await get(token, `${uuid}.json`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      events[uuid] = (await res.json()) as Json;
    }
    const hashes = await get(token, 'hashes.csv');
    assert.match(hashes.headers.get('content-type') ?? '', /^text\/csv/);
    return { manifest, events, hashes: (await hashes.text()).split('\n').filter((l) => l !== '').sort() };
  };
  /** Every sighting `indicators` shows the same entitlement, as (member, tlp, value, withdrawn). */
  const visibleSightings = async (scope: string, tlp: 'AMBER' | 'GREEN', commodities?: Array<'PANGOLIN'>): Promise<string[]> => {
    const token = await fed.token(scope, { tlp, sub: `gql-${Math.random()}`, ...(commodities ? { commodities } : {}) });
    const r = await graphql(fed.hub.url, '{ indicators(first: 500, filter: { includeRetracted: true, includeExpired: true }) { edges { node { value sightings { member tlp retractedAt } } } } }', {}, { authorization: `Bearer ${token}` });
    const edges = (r.body.data!['indicators'] as { edges: Array<{ node: { value: string; sightings: Array<{ member: string; tlp: string; retractedAt: string | null }> } }> }).edges;
    // An attribute per member, TLP (the day is the same here) and value, withdrawn once every sighting of it is.
    const withdrawn = new Map<string, boolean>();
    for (const e of edges) for (const s of e.node.sightings) withdrawn.set(`${s.member} ${s.tlp} ${e.node.value}`, (withdrawn.get(`${s.member} ${s.tlp} ${e.node.value}`) ?? true) && s.retractedAt !== null);
    return [...withdrawn].map(([k, w]) => `${k} ${w}`).sort();
  };
  const attributesOf = (feed: Feed): string[] =>
    Object.values(feed.events)
      .flatMap((e) => (e['Event']['Attribute'] as Json[]).map((a) => `${e['Event']['Orgc']['name']} ${e['Event']['Tag'].find((t: Json) => t['name'].startsWith('tlp:'))['name'].slice(4).toUpperCase().replace('+', '_')} ${a['value']} ${a['deleted']}`))
      .sort();

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    await publish(shopmart, 'AMBER', [K1, SELLER_A, P1, H1]);
    await publish(chatapp, 'GREEN', [SELLER_A, K2]);
    await publish(shopmart, 'RED', [K3]);
    await publish(shopmart, 'AMBER', [], [{ indicatorId: indicatorId('IMAGE_SHA256', H1.value), reason: 'stock photo' }]);
    // The same member, day and TLP report K1 and seller A again: one event, which must not repeat them.
    await publish(shopmart, 'AMBER', [{ ...K1, confidence: 95 }, { ...SELLER_A, observedAt: '2026-11-05T10:00:00Z' }]);
  });
  after(async () => {
    await fed.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('serves a feed in the MISP format holding exactly the sightings the token may see', async () => {
    const token = await fed.token('taxii:read sellers:read', { tlp: 'AMBER', sub: 'misp' });
    const feed = checkFeed(await readHttpFeed(token));
    assert.deepEqual(attributesOf(feed), await visibleSightings('indicators:read sellers:read', 'AMBER'), 'every visible sighting once, withdrawn ones deleted; no RED one');
    assert.equal(Object.keys(feed.manifest).length, 2, 'an event per member, day and TLP: shopmart AMBER, chatapp GREEN');
    const shop = Object.values(feed.events).find((e) => e['Event']['Orgc']['name'] === 'shopmart')!['Event'];
    const byValue = new Map((shop['Attribute'] as Json[]).map((a) => [a['value'], a]));
    assert.deepEqual([byValue.get(K1.value)!['type'], byValue.get(K1.value)!['category'], byValue.get(K1.value)!['to_ids']], ['text', 'Other', false]);
    assert.match(byValue.get(K1.value)!['comment'], /seen as "象 牙 手镯"/);
    assert.match(byValue.get(K1.value)!['comment'], /confidence 95;.*reported 2 times this day$/, 'a repeated report is one attribute, at its highest confidence');
    assert.deepEqual([byValue.get(SELLER_A.value)!['type'], byValue.get(SELLER_A.value)!['category']], ['text', 'Attribution']);
    assert.deepEqual([byValue.get(H1.value)!['type'], byValue.get(H1.value)!['to_ids'], byValue.get(H1.value)!['deleted']], ['sha256', true, true]);
    const pdq = byValue.get(P1.value)!;
    assert.deepEqual([pdq['type'], pdq['category']], ['text', 'Other']);
    assert.ok(pdq['Tag'].some((t: Json) => t['name'] === 'wildintel:indicator-type="image-pdq"') && pdq['Tag'].some((t: Json) => t['name'] === 'wildintel:species="Loxodonta africana"'));
    assert.deepEqual(shop['Tag'].find((t: Json) => t['name'].startsWith('tlp:')), { name: 'tlp:amber', colour: '#FFC000', local: false });
    const retractedAt = Math.max(...(shop['Attribute'] as Json[]).map((a) => Number(a['timestamp'])));
    assert.equal(Number(shop['timestamp']), retractedAt, 'a retraction moves the event on, so a pull fetches it again');
  });

  it('gives a narrow token only its events, and nothing to a token without taxii:read', async () => {
    const token = await fed.token('taxii:read', { tlp: 'GREEN', commodities: ['PANGOLIN'], sub: 'narrow' });
    const feed = checkFeed(await readHttpFeed(token));
    assert.deepEqual(attributesOf(feed), await visibleSightings('indicators:read', 'GREEN', ['PANGOLIN']));
    assert.deepEqual(attributesOf(feed), [`chatapp GREEN ${K2.value} false`]);
    const wide = await fed.token('taxii:read sellers:read', { tlp: 'AMBER', sub: 'wide' });
    const shopEvent = Object.keys((await (await get(wide, 'manifest.json')).json()) as object).find((u) => !(u in feed.manifest))!;
    const hidden = await get(token, `${shopEvent}.json`);
    assert.equal(hidden.status, 404, 'an event the token may not read is not found');
    assert.equal(((await hidden.json()) as Json)['error']['code'], 'NOT_FOUND');
    const refused = await get(await fed.token('indicators:read', { tlp: 'AMBER' }), 'manifest.json');
    assert.deepEqual([refused.status, ((await refused.json()) as Json)['error']['code']], [403, 'FORBIDDEN']);
    const anonymous = await get(undefined, 'hashes.csv');
    assert.deepEqual([anonymous.status, ((await anonymous.json()) as Json)['error']['code']], [401, 'UNAUTHENTICATED']);
    assert.equal((await get(token, 'not-an-event.json')).status, 404);
  });

  it('writes the same feed to a directory with `wildintel export misp`, through the hub or from the database', async () => {
    const token = await fed.token('taxii:read sellers:read', { tlp: 'AMBER', sub: 'exporter' });
    const viaHub = await mkdtemp(path.join(tmpdir(), 'wildintel-misp-'));
    dirs.push(viaHub);
    const run = await runCli(['export', 'misp', '--hub', fed.hub.url, '--token', token, '--out', viaHub], {});
    assert.equal(run.code, 0, run.stderr);
    const http = await readHttpFeed(token);
    assert.deepEqual(checkFeed(await readDirFeed(viaHub)), http);
    const env = { CERTS_DIR: fed.certsDir, HUB_ORIGIN: fed.config.HUB_ORIGIN, DATA_DIR: fed.config.DATA_DIR, LOG_LEVEL: 'silent', ...(testServerUrl() ? { DATABASE_URL: fed.db.env['DATABASE_URL']! } : {}) };
    const direct = await mkdtemp(path.join(tmpdir(), 'wildintel-misp-'));
    dirs.push(direct);
    const fromDb = await runCli(['export', 'misp', '--token', token, '--out', direct], env);
    if (testServerUrl() === undefined) {
      // The running hub holds the embedded database: the command says how to export through it.
      assert.equal(fromDb.code, 1);
      assert.match(fromDb.stderr, /--hub/);
      return;
    }
    assert.equal(fromDb.code, 0, fromDb.stderr);
    assert.match(fromDb.stdout, /2 events, 6 attributes, 5 hashes/);
    assert.deepEqual(checkFeed(await readDirFeed(direct)), await readDirFeed(viaHub), 'the same files either way');
    const auditor = await fed.token('audit:read', { tlp: 'CLEAR', agency: 'oversight' });
    const log = await graphql(fed.hub.url, '{ accessLog(filter: { agency: "customs" }, first: 500) { records { analyst operation fields returned } } }', {}, { authorization: `Bearer ${auditor}` });
    const records = (log.body.data!['accessLog'] as { records: Array<{ analyst: string; operation: string; fields: string; returned: number }> }).records.filter((r) => r.analyst === 'exporter');
    assert.ok(records.some((r) => r.operation === 'misp-export' && r.returned === 6), 'the export is in the access audit');
    assert.ok(records.some((r) => r.operation === 'misp-feed' && r.fields === 'manifest.json'), 'and so is each feed request');
  });
});
