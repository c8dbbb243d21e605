/**
 * The adversarial entitlement suite. A federation is built from a seeded random mix of members,
 * TLPs, commodities, indicator types, shared sellers and code words, retractions and expiries,
 * outcomes (each as sensitive as the member's live sightings it concerns);
 * many random narrow tokens (scopes × TLP × commodities) and member request tokens are issued;
 * half the batches signed as version 1 (JWS) and half as version 2 (SD-JWT, whose served
 * disclosures are compared item by item);
 * and for every principal and every path that returns indicator data — GraphQL over HTTP and over
 * graphql-ws, subscriptions, provenance, /v1/batches, /v1/feed, the console's reads, watchlist
 * alerts, TAXII and the MISP feed, disclosure requests and evidence packages — what comes back is compared with
 * an oracle computed here from the seeded data alone, by rules written from design.md, not by
 * calling the hub's own entitlement code. Anything returned beyond the oracle, or missing from it,
 * fails with the principal and the path named.
 *
 * The seed is random per run and printed; ENTITLEMENT_SEED=N reproduces a run.
 *
 * The last part holds the schema's root fields and the hub's HTTP routes against the paths this
 * suite checks: a path added without being classified here fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { computeListingPseudonym, indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { decodeDisclosure, signMemberRequest, splitSdJwt } from '../src/provenance/index.js';
import { buildSchema } from '../src/graphql/index.js';
import { VERSION } from '../src/kernel/index.js';
import { stixIds } from '../src/interop/index.js';
import { createRng } from './helpers/fuzz-random.js';
import { graphql } from './helpers/hub-process.js';
import { TaxiiClient } from './helpers/taxii-client.js';
import { HUB_ROUTES } from '../src/hub/routes.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { standardSdJwtVerifier } from './helpers/sd-jwt.js';
import { fileRequest, testAgency, type TestAgency } from './helpers/disclosure.js';

// ---------------------------------------------------------------------------------------------
// The seeded world
// ---------------------------------------------------------------------------------------------

const SEED = Number(process.env['ENTITLEMENT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

const rng = createRng(SEED);
const random = (): number => rng.next();
const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
const chance = (p: number): boolean => rng.chance(p);
const sample = <T>(xs: readonly T[], n: number): T[] => [...xs].sort(() => random() - 0.5).slice(0, n);
const hex = (bytes: number): string => Array.from({ length: bytes }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');
const letters = (n: number): string => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join('');

type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER_STRICT' | 'RED';
type Type = 'KEYWORD' | 'SELLER' | 'IMAGE_PDQ' | 'IMAGE_SHA256';
const TLPS: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'];
const RANK: Record<Tlp, number> = { CLEAR: 0, GREEN: 1, AMBER: 2, AMBER_STRICT: 3, RED: 4 };
const COMMODITIES = ['IVORY', 'PANGOLIN', 'RHINO_HORN', 'TIGER'];
const ALL_COMMODITIES = ['IVORY', 'RHINO_HORN', 'PANGOLIN', 'TIGER', 'LEOPARD', 'TURTLE_TORTOISE', 'BIRD', 'PRIMATE', 'REPTILE', 'OTHER'];
const MEMBERS = ['alpha', 'bravo', 'charlie'];
const READ_SCOPES = ['indicators:read', 'sellers:read', 'match:image', 'match:text', 'stats:read', 'provenance:read', 'taxii:read'];
const PAST = '2026-11-16T00:00:00Z';

interface Value {
  readonly type: Type;
  readonly value: string;
  readonly id: string;
}
const pool: Record<Type, Value[]> = { KEYWORD: [], SELLER: [], IMAGE_PDQ: [], IMAGE_SHA256: [] };
for (let i = 0; i < 9; i++) {
  const values: Array<[Type, string]> = [
    ['KEYWORD', normalizeKeyword(`code${letters(6)}`)],
    ['SELLER', `fp1.k2026.${Buffer.from(hex(32), 'hex').toString('base64url')}`],
    ['IMAGE_PDQ', hex(32)],
    ['IMAGE_SHA256', hex(32)],
  ];
  for (const [type, value] of values) pool[type].push({ type, value, id: indicatorId(type, value) });
}
const TYPES = Object.keys(pool) as Type[];
/** Few listings, so that items of different batches and TLPs share them; the same pseudonym at two members is two listings. */
const LISTINGS = Array.from({ length: 6 }, (_, i) => computeListingPseudonym(`listing-${i}`, { keyId: 'k2026', key: new Uint8Array(32).fill(9) }));

interface Item extends Value {
  readonly commodity: string;
  readonly observedAt: string;
  readonly expiresAt: string | null;
  /** Listing pseudonyms, sorted; links come from these (issue 21), never from batches. */
  readonly listings: string[];
}
interface Sighting extends Item {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
  retractedBy: string | null;
}
interface Batch {
  readonly member: string;
  batchId: string;
  readonly tlp: Tlp;
  readonly items: Item[];
  readonly retracts: string[];
  /** The sightings this batch retracted (filled in when it is applied to the model). */
  retracted: Sighting[];
  leafIndex: number;
  /** 1: a JWS, served whole or not signed; 2: an SD-JWT, served with exactly the disclosures the grant reaches. */
  readonly version: 1 | 2;
  /** Outcomes about the member's live sightings; `concerns` filled in when applied to the model. */
  readonly outcomes: Outcome[];
}
interface Outcome {
  readonly outcomeId: string;
  readonly indicatorId: string;
  concerns: Sighting[];
}

const sightings: Sighting[] = [];

function plan(count: number, { expiring }: { expiring: boolean }): Batch[] {
  const live = (member: string): string[] => [...new Set(sightings.filter((s) => s.member === member && s.retractedBy === null).map((s) => s.id))];
  const planned: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const member = pick(MEMBERS);
    const retracts = chance(0.2) ? sample(live(member), 1 + Math.floor(random() * 2)) : [];
    const n = retracts.length > 0 && chance(0.5) ? 0 : 1 + Math.floor(random() * 5);
    const chosen = new Map<string, Item>();
    while (chosen.size < n) {
      const v = pick(pool[pick(TYPES)]);
      if (chosen.has(v.id) || retracts.includes(v.id)) continue;
      const observedAt = `2026-11-${String(1 + Math.floor(random() * 14)).padStart(2, '0')}T0${Math.floor(random() * 10)}:00:00Z`;
      const expiresAt = expiring && chance(0.2) ? PAST : chance(0.3) ? '2027-06-01T00:00:00Z' : null;
      const listings = chance(0.3) ? [] : sorted(new Set(sample(LISTINGS, 1 + Math.floor(random() * 2))));
      chosen.set(v.id, { ...v, commodity: pick(COMMODITIES), observedAt, expiresAt, listings });
    }
    const stillLive = live(member).filter((id) => !retracts.includes(id));
    const outcomes = chance(0.3) ? sample(stillLive, 1 + Math.floor(random() * 2)).map((id) => ({ outcomeId: crypto.randomUUID(), indicatorId: id, concerns: [] })) : [];
    const batch: Batch = { member, batchId: '', tlp: pick(TLPS), items: [...chosen.values()], retracts, retracted: [], leafIndex: -1, version: chance(0.5) ? 2 : 1, outcomes };
    apply(batch);
    planned.push(batch);
  }
  return planned;
}

/** The model's effect of a batch: its sightings, and the member's live sightings it retracts. */
function apply(batch: Batch): void {
  batch.batchId = `pending-${planned++}`;
  for (const s of sightings) {
    if (s.member === batch.member && s.retractedBy === null && batch.retracts.includes(s.id)) {
      s.retractedBy = batch.batchId;
      batch.retracted.push(s);
    }
  }
  for (const item of batch.items) sightings.push({ ...item, member: batch.member, batchId: batch.batchId, tlp: batch.tlp, retractedBy: null });
  // An outcome concerns the member's live sightings of its indicator when it arrives, this batch's included.
  for (const o of batch.outcomes) o.concerns = sightings.filter((s) => s.member === batch.member && s.id === o.indicatorId && s.retractedBy === null);
}
let planned = 0;

function wire(item: Item): Record<string, unknown> {
  return {
    type: item.type,
    value: item.value,
    commodity: item.commodity,
    observedAt: item.observedAt,
    confidence: 50,
    ...(item.type === 'IMAGE_PDQ' ? { quality: 90 } : {}),
    ...(item.expiresAt ? { expiresAt: item.expiresAt } : {}),
    ...(item.listings.length > 0 ? { listings: item.listings } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Principals and the oracle (rules from design.md, written independently of src/auth)
// ---------------------------------------------------------------------------------------------

type Path = 'indicators' | 'seller' | 'matchText' | 'matchImage' | 'stats' | 'provenance' | 'subscription' | 'taxii';
/** design.md "Scopes", per path; the provenance paths (provenance, /v1/batches, /v1/feed) take either. */
const PATH_SCOPES: Record<Path, string[]> = {
  indicators: ['indicators:read'],
  seller: ['sellers:read'],
  matchText: ['match:text'],
  matchImage: ['match:image'],
  stats: ['stats:read'],
  provenance: ['provenance:read', 'indicators:read'],
  subscription: ['indicators:read'],
  taxii: ['taxii:read'],
};

type Party =
  | { kind: 'agency'; name: string; agency: string; scopes: string[]; tlp: Tlp; commodities: string[] | null; token: string }
  | { kind: 'member'; name: string; member: TestMember };

function opens(p: Party, path: Path): boolean {
  return p.kind === 'member' ? path === 'provenance' : PATH_SCOPES[path].some((s) => p.scopes.includes(s));
}

/** May `p` see sighting `s` on `path`? */
function sees(p: Party, path: Path, s: { member: string; tlp: Tlp; commodity: string; type: Type }): boolean {
  if (!opens(p, path)) return false;
  if (p.kind === 'member') return s.member === p.member.slug || RANK[s.tlp] <= RANK.AMBER;
  if (path === 'provenance' && p.scopes.includes('provenance:read')) return true;
  return RANK[s.tlp] <= RANK[p.tlp] && (p.commodities === null || p.commodities.includes(s.commodity)) && (s.type !== 'SELLER' || p.scopes.includes('sellers:read'));
}

const higher = (a: Tlp, b: Tlp): Tlp => (RANK[a] >= RANK[b] ? a : b);
const live = (s: Sighting): boolean => s.retractedBy === null && !(s.expiresAt !== null && Date.parse(s.expiresAt) <= Date.now());
const shownRetractions = (p: Party, path: Path, b: Batch): string[] =>
  b.retracts.filter((id) => b.retracted.filter((s) => s.id === id).every((s) => sees(p, path, { ...s, tlp: higher(b.tlp, s.tlp) })));
const shownItems = (p: Party, path: Path, b: Batch): Item[] => b.items.filter((i) => sees(p, path, { ...i, member: b.member, tlp: b.tlp }));
/** Issue #22: an outcome is shown exactly when every sighting it concerns may be, each at the higher of its TLP and the outcome batch's. */
const shownOutcomes = (p: Party, path: Path, b: Batch): string[] => b.outcomes.filter((o) => o.concerns.every((s) => sees(p, path, { ...s, tlp: higher(b.tlp, s.tlp) }))).map((o) => o.outcomeId);
const whole = (p: Party, path: Path, b: Batch): boolean =>
  shownItems(p, path, b).length === b.items.length && shownRetractions(p, path, b).length === b.retracts.length && shownOutcomes(p, path, b).length === b.outcomes.length;
/** What of batch `b` may be shown to `p`: its item ids, `r:`-prefixed retracted ids and `o:`-prefixed outcome ids. */
const shownIds = (p: Party, path: Path, b: Batch): string[] =>
  sorted([...shownItems(p, path, b).map((i) => i.id), ...shownRetractions(p, path, b).map((id) => `r:${id}`), ...shownOutcomes(p, path, b).map((id) => `o:${id}`)]);
/** What a batch's partial (unsigned) view must hold for `p`, or 'none'. */
const partialOf = (p: Party, path: Path, b: Batch): { items: string[]; retractions: string[]; outcomes: string[] } | 'none' => {
  const shown = { items: sorted(shownItems(p, path, b).map((i) => i.id)), retractions: sorted(shownRetractions(p, path, b)), outcomes: sorted(shownOutcomes(p, path, b)) };
  return shown.items.length + shown.retractions.length + shown.outcomes.length === 0 ? 'none' : shown;
};
/** The same, read from a served partial view. */
const servedPartial = (body: { indicators: Array<{ type: Type; value: string }>; retractions: Array<{ indicatorId: string }>; outcomes: Array<{ outcomeId: string }> }) => ({
  items: sorted(body.indicators.map((i) => indicatorId(i.type, i.value))),
  retractions: sorted(body.retractions.map((x) => x.indicatorId)),
  outcomes: sorted(body.outcomes.map((x) => x.outcomeId)),
});
/** The same, read from the disclosures of a served SD-JWT. */
const disclosedIds = (sdJwt: string): string[] =>
  sorted(splitSdJwt(sdJwt).disclosures.map((d, i) => {
    const item = decodeDisclosure(d, i).item as { type?: Type; value?: string; indicatorId?: string; outcomeId?: string };
    if (item.outcomeId !== undefined) return `o:${item.outcomeId}`;
    return item.indicatorId !== undefined ? `r:${item.indicatorId}` : indicatorId(item.type!, item.value!);
  }));
const visibleLive = (p: Party, path: Path, id?: string): Sighting[] => sightings.filter((s) => (id === undefined || s.id === id) && live(s) && sees(p, path, s));
const key = (s: { member: string; batchId: string }): string => `${s.member}/${s.batchId}`;
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
/**
 * The listing-link oracle: each indicator linked to `from` (sightings `from` the reader sees),
 * with the listings that support it — a listing of one member named by a visible live sighting
 * of `from` and by a visible live sighting of the other indicator.
 */
function listingLinked(p: Party, path: Path, fromId: string, from: readonly Sighting[]): Map<string, { sighting: Sighting; listings: Set<string> }> {
  const mineListings = new Set(from.flatMap((m) => m.listings.map((l) => `${m.member}/${l}`)));
  const linked = new Map<string, { sighting: Sighting; listings: Set<string> }>();
  for (const s of sightings) {
    if (s.id === fromId || !live(s) || !sees(p, path, s)) continue;
    const shared = s.listings.map((l) => `${s.member}/${l}`).filter((l) => mineListings.has(l));
    if (shared.length === 0) continue;
    const entry = linked.get(s.id) ?? { sighting: s, listings: new Set<string>() };
    for (const l of shared) entry.listings.add(l);
    linked.set(s.id, entry);
  }
  return linked;
}

function describeParty(p: Party): string {
  return p.kind === 'member' ? `member ${p.member.slug}` : `token "${p.scopes.join(' ')}" tlp=${p.tlp} commodities=${p.commodities?.join(',') ?? 'all'}`;
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

describe(`entitlement, adversarially (ENTITLEMENT_SEED=${SEED})`, () => {
  let fed: TestFederation;
  const members: Record<string, TestMember> = {};
  const parties: Party[] = [];
  let batches: Batch[] = [];
  const mismatches: string[] = [];
  let checks = 0;
  const expect = (p: Party, path: string, actual: unknown, expected: unknown): void => {
    checks++;
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a === e) return;
    if (Array.isArray(actual) && Array.isArray(expected)) {
      const extra = actual.filter((x) => !expected.some((y) => JSON.stringify(y) === JSON.stringify(x)));
      const missing = expected.filter((y) => !actual.some((x) => JSON.stringify(y) === JSON.stringify(x)));
      mismatches.push(`${describeParty(p)} · ${path}: returned beyond the oracle ${JSON.stringify(extra).slice(0, 400)}, missing ${JSON.stringify(missing).slice(0, 400)}${extra.length + missing.length === 0 ? ' (order or repeats differ)' : ''}`);
      return;
    }
    mismatches.push(`${describeParty(p)} · ${path}: got ${a.slice(0, 400)}, the oracle says ${e.slice(0, 400)}`);
  };

  const bearer = async (p: Party): Promise<string> =>
    p.kind === 'agency'
      ? p.token
      : signMemberRequest({ keyPem: p.member.keyPem, chainPem: [p.member.certPem], member: p.member.slug, audience: fed.config.HUB_ORIGIN, now: new Date(), jti: crypto.randomUUID() });
  const ask = async (p: Party, query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${await bearer(p)}` });
  const get = async (p: Party, path: string) => fetch(`${fed.hub.url}${path}`, { headers: { authorization: `Bearer ${await bearer(p)}` } });

  async function publish(list: Batch[]): Promise<void> {
    for (const b of list) {
      const modelId = b.batchId;
      const batchId = crypto.randomUUID();
      const payload = {
        batchId,
        tlp: b.tlp,
        indicators: b.items.map(wire),
        ...(b.retracts.length > 0 ? { retractions: b.retracts.map((indicatorId) => ({ indicatorId, reason: 'withdrawn' })) } : {}),
        ...(b.outcomes.length > 0 ? { outcomes: b.outcomes.map((o) => ({ outcomeId: o.outcomeId, indicatorId: o.indicatorId, action: 'REMOVED' as const, actedAt: '2026-11-15T00:00:00Z' })) } : {}),
      };
      const jws = await fed.sign(members[b.member]!, payload, { version: b.version });
      const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
      const text = await r.text();
      assert.equal(r.status, 201, `seed ${SEED}: publishing ${JSON.stringify(b)}: ${text}`);
      b.batchId = batchId;
      b.leafIndex = (JSON.parse(text) as { leafIndex: number }).leafIndex;
      for (const s of sightings) {
        if (s.batchId === modelId) (s as { batchId: string }).batchId = batchId;
        if (s.retractedBy === modelId) s.retractedBy = batchId;
      }
    }
  }

  before(async () => {
    fed = await startTestFederation({ env: { RATE_LIMIT_BURST: '1000000', RATE_LIMIT_PER_MINUTE: '1000000' } });
    for (const slug of MEMBERS) members[slug] = await fed.addMember(slug);
    batches = plan(28, { expiring: true });
    await publish(batches);
    for (let i = 0; i < 22; i++) {
      const scopes = sample(READ_SCOPES, 1 + Math.floor(random() * 3));
      const tlp = pick(TLPS);
      const commodities = chance(0.5) ? null : sample(COMMODITIES, 1 + Math.floor(random() * 2));
      const agency = `agency-${i % 4}`;
      const token = await fed.token(scopes.join(' '), { tlp, ...(commodities ? { commodities: commodities as never } : {}), agency, sub: `analyst-${i}` });
      parties.push({ kind: 'agency', name: `t${i}`, agency, scopes, tlp, commodities, token });
    }
    for (const slug of ['alpha', 'charlie']) parties.push({ kind: 'member', name: slug, member: members[slug]! });
  });
  after(async () => {
    await fed.close();
  });

  it('GraphQL indicators and indicator(id) over HTTP', async () => {
    const ids = sorted(new Set(sightings.map((s) => s.id)));
    for (const p of parties.filter((x) => x.kind === 'agency')) {
      const r = await ask(p, '{ indicators(first: 500) { totalCount edges { node { id sightingCount } } } all: indicators(first: 500, filter: { includeRetracted: true, includeExpired: true }) { edges { node { id sightingCount } } } }');
      if (!opens(p, 'indicators')) {
        expect(p, 'indicators', r.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
        continue;
      }
      const got = (r.body.data!['indicators'] as { totalCount: number; edges: Array<{ node: { id: string; sightingCount: number } }> });
      const expected = ids.flatMap((id) => {
        const n = visibleLive(p, 'indicators', id).length;
        return n > 0 ? [`${id}:${n}`] : [];
      });
      expect(p, 'indicators', sorted(got.edges.map((e) => `${e.node.id}:${e.node.sightingCount}`)), expected);
      expect(p, 'indicators.totalCount', got.totalCount, expected.length);
      const all = (r.body.data!['all'] as { edges: Array<{ node: { id: string; sightingCount: number } }> }).edges.map((e) => `${e.node.id}:${e.node.sightingCount}`);
      const expectedAll = ids.flatMap((id) => {
        const n = sightings.filter((s) => s.id === id && sees(p, 'indicators', s)).length;
        return n > 0 ? [`${id}:${n}`] : [];
      });
      expect(p, 'indicators(includeRetracted, includeExpired)', sorted(all), expectedAll);
      for (const id of sample(ids, 12)) {
        const one = await ask(p, 'query($id: ID!) { indicator(id: $id) { id sightings { member batchId } } }', { id });
        const node = one.body.data!['indicator'] as { sightings: Array<{ member: string; batchId: string }> } | null;
        const want = visibleLive(p, 'indicators', id);
        expect(p, `indicator(${id})`, node === null ? null : sorted(node.sightings.map(key)), want.length === 0 ? null : sorted(want.map(key)));
      }
    }
  });

  it('seller, matchText, matchImage and stats', async () => {
    const text = pool.KEYWORD.map((k) => k.value).join(' — ');
    const normalized = normalizeKeyword(text);
    for (const p of parties.filter((x) => x.kind === 'agency')) {
      if (opens(p, 'seller')) {
        for (const seller of pool.SELLER) {
          const r = await ask(p, 'query($fp: String!) { seller(fingerprint: $fp) { indicator { members } keywords { indicator { id } listings } images { indicator { id } } sellers { indicator { id } } } }', { fp: seller.value });
          const got = r.body.data!['seller'] as { indicator: { members: string[] }; keywords: Array<{ indicator: { id: string }; listings: number }>; images: Array<{ indicator: { id: string } }>; sellers: Array<{ indicator: { id: string } }> } | null;
          const mine = visibleLive(p, 'seller', seller.id);
          if (mine.length === 0) {
            expect(p, `seller(${seller.value})`, got, null);
            continue;
          }
          const linked = listingLinked(p, 'seller', seller.id, mine);
          const linkedIds = (types: Type[]) => sorted([...linked].filter(([, l]) => types.includes(l.sighting.type)).map(([id]) => id));
          expect(p, `seller(${seller.value}).members`, got?.indicator.members ?? null, sorted(new Set(mine.map((s) => s.member))));
          expect(p, `seller(${seller.value}).keywords`, sorted(got?.keywords.map((k) => `${k.indicator.id}:${k.listings}`) ?? []), linkedIds(['KEYWORD']).map((id) => `${id}:${linked.get(id)!.listings.size}`));
          expect(p, `seller(${seller.value}).images`, sorted(got?.images.map((k) => k.indicator.id) ?? []), linkedIds(['IMAGE_PDQ', 'IMAGE_SHA256']));
          expect(p, `seller(${seller.value}).sellers`, sorted(got?.sellers.map((k) => k.indicator.id) ?? []), linkedIds(['SELLER']));
        }
      }
      if (opens(p, 'matchText')) {
        const r = await ask(p, 'query($t: String!) { matchText(text: $t) { indicator { id } } }', { t: text });
        const got = sorted(new Set((r.body.data!['matchText'] as Array<{ indicator: { id: string } }>).map((m) => m.indicator.id)));
        expect(p, 'matchText', got, sorted(pool.KEYWORD.filter((k) => normalized.includes(k.value) && visibleLive(p, 'matchText', k.id).length > 0).map((k) => k.id)));
        // Suppressed hits (issue 21) are read through the same visibility: asking for them opens nothing more.
        const all = await ask(p, 'query($t: String!) { matchText(text: $t, withSuppressed: true) { indicator { id } } }', { t: `${text} 象牙白` });
        expect(p, 'matchText(withSuppressed)', sorted(new Set((all.body.data!['matchText'] as Array<{ indicator: { id: string } }>).map((m) => m.indicator.id))), got);
      }
      if (opens(p, 'matchImage')) {
        for (const pdq of pool.IMAGE_PDQ) {
          const r = await ask(p, 'query($h: String!) { matchImage(pdq: $h, maxDistance: 0) { indicator { id } } }', { h: pdq.value });
          expect(p, `matchImage(${pdq.value})`, (r.body.data!['matchImage'] as Array<{ indicator: { id: string } }>).map((m) => m.indicator.id), visibleLive(p, 'matchImage', pdq.id).length > 0 ? [pdq.id] : []);
        }
      }
      if (opens(p, 'stats')) {
        const r = await ask(p, '{ stats(from: "2026-11-01T00:00:00Z", to: "2026-11-20T00:00:00Z", bucket: DAY, groupBy: COMMODITY) { key sightings } }');
        const totals: Record<string, number> = {};
        for (const row of r.body.data!['stats'] as Array<{ key: string; sightings: number }>) totals[row.key] = (totals[row.key] ?? 0) + row.sightings;
        const expected: Record<string, number> = {};
        for (const s of visibleLive(p, 'stats')) expected[s.commodity] = (expected[s.commodity] ?? 0) + 1;
        expect(p, 'stats', Object.entries(totals).sort(), Object.entries(expected).sort());
      }
    }
  });

  it('outcomeFigures: only outcomes whose every sighting the token may see count, per indicator and per listing', async () => {
    for (const p of parties.filter((x) => x.kind === 'agency')) {
      const r = await ask(p, '{ outcomeFigures(from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { indicators { indicatorId removals } listings { listing member removals noViolation other } } }');
      if (!opens(p, 'stats')) {
        expect(p, 'outcomeFigures', r.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
        continue;
      }
      const counts = new Map<string, number>();
      for (const b of batches) for (const o of b.outcomes) if (shownOutcomes(p, 'stats', b).includes(o.outcomeId)) counts.set(o.indicatorId, (counts.get(o.indicatorId) ?? 0) + 1);
      const got = (r.body.data!['outcomeFigures'] as { indicators: Array<{ indicatorId: string; removals: number }> }).indicators.map((i) => `${i.indicatorId}:${i.removals}`);
      expect(p, 'outcomeFigures.indicators', sorted(got), sorted([...counts].map(([id, n]) => `${id}:${n}`)));
      // Per listing: a visible outcome counts once toward each listing its member sighted the indicator in, by a sighting the token may see (retracted and expired ones too).
      const byListing = new Map<string, number>();
      for (const b of batches) {
        for (const o of b.outcomes) {
          if (!shownOutcomes(p, 'stats', b).includes(o.outcomeId)) continue;
          const seen = new Set(sightings.filter((x) => x.member === b.member && x.id === o.indicatorId && sees(p, 'stats', x)).flatMap((x) => x.listings));
          for (const l of seen) byListing.set(`${b.member} ${l}`, (byListing.get(`${b.member} ${l}`) ?? 0) + 1);
        }
      }
      const listings = (r.body.data!['outcomeFigures'] as { listings: Array<{ listing: string; member: string; removals: number; noViolation: number; other: number }> }).listings;
      expect(p, 'outcomeFigures.listings', sorted(listings.map((l) => `${l.member} ${l.listing}:${l.removals}/${l.noViolation}/${l.other}`)), sorted([...byListing].map(([k, n]) => `${k}:${n}/0/0`)));
    }
  });

  it('the console’s reads: sellerGraph and risingKeywords', async () => {
    const DAY = 86_400_000;
    const [from, to] = [Date.parse('2026-11-08T00:00:00Z'), Date.parse('2026-11-15T00:00:00Z')];
    for (const p of parties.filter((x) => x.kind === 'agency')) {
      if (opens(p, 'seller')) {
        for (const seller of pool.SELLER) {
          const r = await ask(p, 'query($fp: String!) { sellerGraph(fingerprint: $fp, hops: 2, maxNodes: 150) { truncated nodes { id kind hop } } }', { fp: seller.value });
          const graph = r.body.data!['sellerGraph'] as { truncated: boolean; nodes: Array<{ id: string; kind: string; hop: number }> } | null;
          const mine = visibleLive(p, 'seller', seller.id);
          if (mine.length === 0 || graph === null) {
            expect(p, `sellerGraph(${seller.value})`, graph === null, mine.length === 0);
            continue;
          }
          const indicators = graph.nodes.filter((n) => n.kind !== 'PLATFORM');
          expect(p, `sellerGraph(${seller.value}) nodes beyond the token`, indicators.filter((n) => visibleLive(p, 'seller', n.id).length === 0).map((n) => n.id), []);
          const platforms = graph.nodes.filter((n) => n.kind === 'PLATFORM').map((n) => n.id.replace(/^member:/, ''));
          const reporting = new Set(indicators.flatMap((n) => visibleLive(p, 'seller', n.id).map((s) => s.member)));
          expect(p, `sellerGraph(${seller.value}) platforms`, sorted(platforms), sorted(reporting));
          if (!graph.truncated) {
            const linked = sorted(listingLinked(p, 'seller', seller.id, mine).keys());
            expect(p, `sellerGraph(${seller.value}) first hop`, sorted(indicators.filter((n) => n.hop === 1).map((n) => n.id)), linked);
          }
        }
      }
      if (opens(p, 'indicators')) {
        const r = await ask(p, 'query($f: DateTime!, $t: DateTime!) { risingKeywords(from: $f, to: $t, first: 100) { indicator { id } current previous } }', { f: new Date(from).toISOString(), t: new Date(to).toISOString() });
        const count = (id: string, a: number, b: number) => visibleLive(p, 'indicators', id).filter((s) => Date.parse(s.observedAt) >= a && Date.parse(s.observedAt) < b).length;
        const expected = pool.KEYWORD.map((k) => ({ id: k.id, current: count(k.id, from, to), previous: count(k.id, from - 7 * DAY, from) })).filter((k) => k.current > k.previous);
        const got = r.body.data!['risingKeywords'] as Array<{ indicator: { id: string }; current: number; previous: number }>;
        expect(p, 'risingKeywords', sorted(got.map((k) => `${k.indicator.id}:${k.current}:${k.previous}`)), sorted(expected.map((k) => `${k.id}:${k.current}:${k.previous}`)));
      }
    }
  });

  it('emergingCodeWords: members counted over the sightings the caller may see, members and agencies alike', async () => {
    // Every batch here was received within the last minutes, so over a year's window a member's
    // first publication is always inside it: a word emerges when enough distinct members have a
    // visible, unretracted sighting of it (expired ones count: publishing happened).
    const visibleTo = (p: Party, s: Sighting): boolean =>
      s.retractedBy === null && (p.kind === 'member' ? s.member === p.member.slug || RANK[s.tlp] <= RANK.AMBER : sees(p, 'indicators', s));
    for (const p of parties) {
      for (const minMembers of [1, 2, 3]) {
        const r = await ask(p, 'query($m: Int!) { emergingCodeWords(window: 52, minMembers: $m, first: 100) { indicator { id } members weeks { sightings newMembers } } }', { m: minMembers });
        if (p.kind === 'agency' && !opens(p, 'indicators')) {
          expect(p, 'emergingCodeWords', r.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
          break;
        }
        const expected = pool.KEYWORD.map((k) => {
          const mine = sightings.filter((s) => s.id === k.id && visibleTo(p, s));
          return { id: k.id, members: new Set(mine.map((s) => s.member)).size, sightings: mine.length };
        }).filter((k) => k.members >= minMembers);
        const got = r.body.data!['emergingCodeWords'] as Array<{ indicator: { id: string }; members: number; weeks: Array<{ sightings: number; newMembers: number }> }>;
        const total = (w: (typeof got)[number], f: 'sightings' | 'newMembers') => w.weeks.reduce((a, x) => a + x[f], 0);
        for (const w of got) expect(p, `emergingCodeWords(${w.indicator.id}) weeks`, [w.weeks.length, total(w, 'newMembers')], [52, w.members]);
        const shown = sorted(got.map((w) => `${w.indicator.id}:${w.members}:${total(w, 'sightings')}`));
        if (expected.length <= 100) expect(p, `emergingCodeWords(minMembers ${minMembers})`, shown, sorted(expected.map((k) => `${k.id}:${k.members}:${k.sightings}`)));
        else expect(p, `emergingCodeWords(minMembers ${minMembers}) beyond the caller`, shown.filter((x) => !expected.some((k) => x === `${k.id}:${k.members}:${k.sightings}`)), []);
      }
    }
  });

  it('provenance(indicatorId): the sightings, and a batch’s JWS only when every item of it may be seen', async () => {
    const ids = sorted(new Set(sightings.map((s) => s.id)));
    for (const p of parties) {
      for (const id of sample(ids, 14)) {
        const r = await ask(p, 'query($id: ID!) { provenance(indicatorId: $id) { sightings { member batchId jws sdJwt jwsSha256 } } }', { id });
        if (!opens(p, 'provenance')) {
          expect(p, `provenance(${id})`, r.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
          continue;
        }
        const got = r.body.data!['provenance'] as { sightings: Array<{ member: string; batchId: string; jws: string | null; sdJwt: string | null }> } | null;
        const want = sightings.filter((s) => s.id === id && s.retractedBy === null && sees(p, 'provenance', s));
        const shapeOf = (s: Sighting): string => {
          const b = batches.find((x) => x.batchId === s.batchId)!;
          return `${key(s)}:${b.version === 2 ? `sd(${shownIds(p, 'provenance', b).join(',')})` : whole(p, 'provenance', b) ? 'jws' : 'hash'}`;
        };
        expect(
          p,
          `provenance(${id})`,
          got === null ? null : sorted(got.sightings.map((s) => `${key(s)}:${s.sdJwt !== null ? `sd(${disclosedIds(s.sdJwt).join(',')})` : s.jws !== null ? 'jws' : 'hash'}`)),
          want.length === 0 ? null : sorted(want.map(shapeOf)),
        );
      }
    }
  });

  it('disclosure requests and evidence(caseId): filed only for a seller the token sees, routed to the members it sees, and the package holds no more than the token may see', async () => {
    type Agency = Extract<Party, { kind: 'agency' }>;
    const keys = new Map<string, TestAgency>();
    for (const slug of new Set(parties.flatMap((p) => (p.kind === 'agency' ? [p.agency] : [])))) keys.set(slug, await testAgency(fed, slug));
    // Each token again with disclosure:request added (never in a default token), its grant otherwise the same.
    const filers: Agency[] = [];
    for (const p of parties.filter((x): x is Agency => x.kind === 'agency')) {
      const scopes = [...p.scopes, 'disclosure:request'];
      const token = await fed.token(scopes.join(' '), { tlp: p.tlp, ...(p.commodities ? { commodities: p.commodities as never } : {}), agency: p.agency, sub: `${p.name}-disclosure` });
      filers.push({ ...p, scopes, token });
    }
    const ids = sorted(new Set(sightings.map((s) => s.id)));
    const filed = new Map<string, { caseId: string; sellerId: string }>();
    for (const p of filers) {
      const visible = pool.SELLER.filter((v) => visibleLive(p, 'seller', v.id).length > 0);
      const seller = visible.length > 0 && chance(0.85) ? pick(visible) : pick(pool.SELLER);
      const caseId = `CASE-${p.name}`;
      const result = await fileRequest(fed, p.token, await keys.get(p.agency)!.sign(p.token, { fingerprint: seller.value }, { caseId }));
      const reporters = sorted(new Set(visibleLive(p, 'seller', seller.id).map((s) => s.member)));
      expect(p, `fileDisclosureRequest(${seller.value})`, result.code ?? sorted(result.request!.routes.map((r) => r.member)), reporters.length > 0 ? reporters : 'NOT_FOUND');
      if (result.code === undefined) filed.set(p.name, { caseId, sellerId: seller.id });
    }
    for (const [i, p] of filers.entries()) {
      // Its own case, and the case of the token before it (of its own agency or another).
      for (const owner of [p, filers[(i + filers.length - 1) % filers.length]!]) {
        const own = filed.get(owner.name);
        const extra = sample(ids, 6);
        const r = await ask(p, 'query($c: String!, $ids: [ID!]) { evidence(caseId: $c, indicatorIds: $ids) { document } }', { c: `CASE-${owner.name}`, ids: extra });
        const path = `evidence(CASE-${owner.name})`;
        if (own === undefined || owner.agency !== p.agency) {
          expect(p, path, r.body.errors?.[0]?.extensions?.['code'], 'CASE_MISMATCH');
          continue;
        }
        const pkg = JSON.parse((r.body.data!['evidence'] as { document: string }).document) as {
          indicators: Array<{ id: string; sightings: Array<{ member: string; batchId: string }> }>;
          provenance: Array<{ indicatorId: string; sightings: Array<{ member: string; batchId: string; sdJwt?: string }> }>;
        };
        const wanted = sorted(new Set([own.sellerId, ...extra])).filter((id) => visibleLive(p, 'indicators', id).length > 0);
        expect(p, `${path} indicators and sightings`, sorted(pkg.indicators.map((x) => `${x.id}=${sorted(x.sightings.map(key)).join(',')}`)), wanted.map((id) => `${id}=${sorted(visibleLive(p, 'indicators', id).map(key)).join(',')}`));
        // A version 1 batch's JWS goes in only when the token may see all of it (then it verifies
        // offline); a version 2 batch always, with the disclosures of the items about the package's
        // indicator alone: the indicator, and what the member did about it in the same batch (its
        // outcomes about that indicator) where the token may see them.
        const signed = wanted.flatMap((id) =>
          sightings
            .filter((s) => s.id === id && s.retractedBy === null && sees(p, 'provenance', s))
            .flatMap((s) => {
              const b = batches.find((x) => x.batchId === s.batchId)!;
              const about = shownOutcomes(p, 'provenance', b).filter((o) => b.outcomes.find((x) => x.outcomeId === o)!.indicatorId === id);
              return b.version === 2 ? [`${id}:${key(s)}:sd(${sorted([id, ...about.map((o) => `o:${o}`)]).join(',')})`] : whole(p, 'provenance', b) ? [`${id}:${key(s)}`] : [];
            }),
        );
        expect(p, `${path} signed batches`, sorted(pkg.provenance.flatMap((x) => x.sightings.map((s) => `${x.indicatorId}:${key(s)}${s.sdJwt === undefined ? '' : `:sd(${disclosedIds(s.sdJwt).join(',')})`}`))), sorted(signed));
      }
    }
  });

  const opinions: Array<{ id: string; leafIndex: number }> = [];
  const watchlists: Array<{ id: string; owner: Party }> = [];
  const phaseTwo = new Set<string>();
  it('reportOpinion: only on an indicator the token may see', async () => {
    const ids = sorted(new Set(sightings.map((s) => s.id)));
    for (const p of parties) {
      const id = pick(ids);
      const r = await ask(p, 'mutation($id: ID!) { reportOpinion(indicatorId: $id, opinion: CONFIRMED) { leafIndex } }', { id });
      const mayJudge = p.kind === 'member' ? visibleLive(p, 'provenance', id).length > 0 : opens(p, 'indicators') && visibleLive(p, 'indicators', id).length > 0;
      const code = r.body.errors?.[0]?.extensions?.['code'] ?? 'OK';
      expect(p, `reportOpinion(${id})`, code, mayJudge ? 'OK' : p.kind === 'agency' && !opens(p, 'indicators') ? 'FORBIDDEN' : 'NOT_FOUND');
      if (code === 'OK') opinions.push({ id, leafIndex: (r.body.data!['reportOpinion'] as { leafIndex: number }).leafIndex });
    }
  });

  it('GET /v1/batches/<member>/<batchId>: whole, the visible items, or not found', async () => {
    for (const p of parties) {
      for (const b of batches) {
        const r = await get(p, `/v1/batches/${b.member}/${b.batchId}`);
        if (!opens(p, 'provenance')) {
          expect(p, `/v1/batches/${key(b)}`, r.status, 403);
          continue;
        }
        const partial = partialOf(p, 'provenance', b);
        const expected = partial === 'none' ? 404 : b.version === 2 ? `sd(${shownIds(p, 'provenance', b).join(',')})` : whole(p, 'provenance', b) ? 'whole' : partial;
        let got: unknown = r.status;
        if (r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('application/jose')) got = 'whole';
        else if (r.status === 200 && (r.headers.get('content-type') ?? '').startsWith('application/sd-jwt')) {
          const view = await r.text();
          // Every view verifies: the member's signature over exactly the items shown.
          const verified = await standardSdJwtVerifier().verify(view).catch((err: Error) => err);
          got = verified instanceof Error ? `unverifiable: ${verified.message}` : `sd(${disclosedIds(view).join(',')})`;
        } else if (r.status === 200) {
          got = servedPartial((await r.json()) as Parameters<typeof servedPartial>[0]);
        }
        expect(p, `/v1/batches/${key(b)}`, got, expected);
      }
    }
  });

  it('GET /v1/feed, paged to the end', async () => {
    const byIndex = new Map(batches.map((b) => [b.leafIndex, b]));
    for (const p of parties) {
      const first = await get(p, '/v1/feed');
      if (!opens(p, 'provenance')) {
        expect(p, '/v1/feed', first.status, 403);
        continue;
      }
      const served = new Map<number, unknown>();
      const opinionsServed = new Set<number>();
      let page = (await first.json()) as { items: Array<{ index: number; jws?: string; sdJwt?: string; opinion?: string; partial?: Parameters<typeof servedPartial>[0] }>; next: number; size: number };
      for (;;) {
        for (const item of page.items) {
          if (item.opinion !== undefined) opinionsServed.add(item.index);
          if (!byIndex.has(item.index)) continue;
          served.set(item.index, item.sdJwt !== undefined ? `sd(${disclosedIds(item.sdJwt).join(',')})` : item.jws !== undefined ? 'whole' : item.partial !== undefined ? servedPartial(item.partial) : 'none');
        }
        if (page.next + 1 >= page.size) break;
        page = (await (await get(p, `/v1/feed?after=${page.next}`)).json()) as typeof page;
      }
      for (const b of batches) {
        const partial = partialOf(p, 'provenance', b);
        const expected = partial === 'none' ? 'none' : b.version === 2 ? `sd(${shownIds(p, 'provenance', b).join(',')})` : whole(p, 'provenance', b) ? 'whole' : partial;
        expect(p, `/v1/feed entry ${b.leafIndex}`, served.get(b.leafIndex), expected);
      }
      // An opinion is served with its entry when one of the indicator's sightings (live or not) may be seen.
      const expectedOpinions = opinions.filter((o) => sightings.some((s) => s.id === o.id && sees(p, 'provenance', s))).map((o) => o.leafIndex);
      expect(p, '/v1/feed opinions', [...opinionsServed].sort((a, b) => a - b), expectedOpinions.sort((a, b) => a - b));
    }
  });

  it('TAXII 2.1 collections and the MISP feed: the token’s history of indicators, nothing beyond', async () => {
    const history = (p: Party): string[] => sorted(new Set(sightings.filter((s) => sees(p, 'taxii', s)).map((s) => stixIds.indicator(s.id))));
    for (const p of parties.filter((x): x is Extract<Party, { kind: 'agency' }> => x.kind === 'agency')) {
      const taxii = new TaxiiClient(`${fed.hub.url}/taxii2/`, p.token);
      const discovery = await taxii.get(`${fed.hub.url}/taxii2/`);
      if (!opens(p, 'taxii')) {
        expect(p, 'TAXII discovery', discovery.status, 403);
        expect(p, 'MISP manifest', (await get(p, '/misp/manifest.json')).status, 403);
        continue;
      }
      const [root] = await taxii.apiRoots();
      const collections = await taxii.collections(root!);
      const readable = sorted(collections.map((c) => String(c['title'])));
      const expectedCollections = sorted(new Set(TLPS.filter((t) => RANK[t] <= RANK[p.tlp]).flatMap((t) => (p.commodities ?? ALL_COMMODITIES).map((c) => `TLP:${t.replace('_STRICT', '+STRICT')} ${c}`))));
      expect(p, 'TAXII collections', readable, expectedCollections);
      const seen = new Set<string>();
      for (const c of collections) {
        for (const o of await taxii.poll(`${root}collections/${c['id']}/`, {}, { limit: 500, filters: { 'match[type]': 'indicator' } })) seen.add(String(o['id']));
      }
      expect(p, 'TAXII indicators (all collections)', sorted(seen), history(p));
      const manifest = (await (await get(p, '/misp/manifest.json')).json()) as Record<string, unknown>;
      const values = new Set<string>();
      for (const uuid of Object.keys(manifest)) {
        const event = (await (await get(p, `/misp/${uuid}.json`)).json()) as { Event: { Attribute: Array<{ value: string }> } };
        for (const a of event.Event.Attribute) values.add(a.value);
      }
      expect(p, 'MISP feed attribute values', sorted(values), sorted(new Set(sightings.filter((s) => sees(p, 'taxii', s)).map((s) => s.value))));
    }
  });

  it('graphql-ws: queries answer as over HTTP, and subscriptions deliver exactly the visible items of new batches', async () => {
    const agencies = parties.filter((p): p is Extract<Party, { kind: 'agency' }> => p.kind === 'agency');
    const url = `${fed.hub.url.replace('http', 'ws')}/graphql`;
    const clients: Client[] = [];
    const received = new Map<string, string[]>();
    try {
      for (const p of agencies) {
        const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${p.token}` } });
        clients.push(client);
        const query = '{ indicators(first: 500) { edges { node { id sightingCount } } } }';
        const overWs = await new Promise<unknown>((resolve, reject) => client.subscribe({ query }, { next: resolve, error: reject, complete: () => undefined }));
        const overHttp = (await ask(p, query)).body;
        expect(p, 'graphql-ws query indicators', overWs, overHttp);
        received.set(p.name, []);
        client.subscribe<{ indicatorPublished: { batchId: string; retracted: boolean; indicator: { id: string } } }>(
          { query: 'subscription { indicatorPublished { batchId retracted indicator { id } } }' },
          { next: (m) => void received.get(p.name)!.push(m.data ? `${m.data.indicatorPublished.batchId}:${m.data.indicatorPublished.indicator.id}:${m.data.indicatorPublished.retracted}` : `error:${JSON.stringify(m.errors)}`), error: () => undefined, complete: () => undefined },
        );
      }
      // Each token that may save one watches every commodity: its alerts are then every new sighting its own grant reaches.
      for (const p of agencies.filter((x) => opens(x, 'indicators'))) {
        const r = await ask(p, 'mutation($c: [Commodity!]) { createWatchlist(input: { name: "all", commodities: $c }) { id } }', { c: p.commodities ?? COMMODITIES });
        watchlists.push({ id: (r.body.data!['createWatchlist'] as { id: string }).id, owner: p });
      }
      await new Promise((r) => setTimeout(r, 500));
      const fresh = plan(8, { expiring: false });
      await publish(fresh);
      batches.push(...fresh);
      const expectedFor = (p: Party): string[] =>
        fresh.flatMap((b) => [...shownItems(p, 'subscription', b).map((i) => `${b.batchId}:${i.id}:false`), ...shownRetractions(p, 'subscription', b).map((id) => `${b.batchId}:${id}:true`)]);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && agencies.some((p) => received.get(p.name)!.length < expectedFor(p).length)) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      for (const p of agencies) {
        const got = received.get(p.name)!.map((m) => (m.startsWith('error:') ? `error:${(JSON.parse(m.slice(6)) as Array<{ extensions: { code: string } }>)[0]!.extensions.code}` : m));
        expect(p, 'subscription indicatorPublished', sorted(got), opens(p, 'subscription') ? sorted(expectedFor(p)) : ['error:FORBIDDEN']);
      }
      fresh.forEach((b) => phaseTwo.add(b.batchId));
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  it('watchlist alerts: raised with the saving token’s grant, shown through the reader’s', async () => {
    for (const reader of parties.filter((x): x is Extract<Party, { kind: 'agency' }> => x.kind === 'agency')) {
      const r = await ask(reader, '{ alerts(first: 200) { edges { node { watchlistId batchId indicator { id } } } } }');
      if (!opens(reader, 'indicators')) {
        expect(reader, 'alerts', r.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
        continue;
      }
      const got = (r.body.data!['alerts'] as { edges: Array<{ node: { watchlistId: string; batchId: string; indicator: { id: string } } }> }).edges.map((e) => `${e.node.watchlistId}:${e.node.batchId}:${e.node.indicator.id}`);
      const expected = watchlists
        .filter((w) => w.owner.kind === 'agency' && w.owner.agency === reader.agency)
        .flatMap((w) => sightings.filter((s) => phaseTwo.has(s.batchId) && COMMODITIES.includes(s.commodity) && sees(w.owner, 'indicators', s) && sees(reader, 'indicators', s)).map((s) => `${w.id}:${s.batchId}:${s.id}`));
      expect(reader, 'alerts', sorted(got), sorted(expected));
    }
  });

  it('agrees with the oracle everywhere', () => {
    assert.ok(checks > 500, `only ${checks} comparisons were made`);
    assert.deepEqual(mismatches, [], `seed ${SEED}: ${mismatches.length} of ${checks} comparisons differ:\n${mismatches.slice(0, 30).join('\n')}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Every path is classified: a new root field or route must be added here (and to the suites)
// ---------------------------------------------------------------------------------------------

/**
 * Each GraphQL root field and HTTP route: which entitlement path this suite checks it under, or
 * why it returns no indicator data. Keep it in step with the entitlement, access-audit, rate-limit
 * and fuzz suites when adding a path.
 */
const ROOT_FIELDS: Record<string, Path | `none: ${string}`> = {
  'Query.hubInfo': 'none: version and time',
  'Query.checkpoint': 'none: the public signed checkpoint',
  'Query.indicator': 'indicators',
  'Query.indicators': 'indicators',
  'Query.seller': 'seller',
  'Query.matchImage': 'matchImage',
  'Query.matchText': 'matchText',
  'Query.stats': 'stats',
  'Query.members': 'none: the coalition’s public member list',
  'Query.me': 'none: the caller’s own token',
  'Query.accessLog': 'none: access records (audit:read), no indicator data',
  'Query.accessDigests': 'none: access digests (audit:read)',
  'Query.provenance': 'provenance',
  'Mutation.publishBatch': 'none: a member publishes; the receipt names only its own indicators',
  'Mutation.reportOpinion': 'indicators',
  'Subscription.indicatorPublished': 'subscription',
  // The analyst console (issue 14).
  'Query.risingKeywords': 'indicators',
  // Emerging code words (issue 24): counted over the caller's visible sightings only.
  'Query.emergingCodeWords': 'indicators',
  'Query.sellerGraph': 'seller',
  'Query.watchlists': 'indicators',
  'Query.alerts': 'indicators',
  'Mutation.createWatchlist': 'indicators',
  'Mutation.deleteWatchlist': 'none: returns the id of the agency’s own watchlist',
  'Mutation.acknowledgeAlerts': 'indicators',
  'Subscription.alertRaised': 'subscription',
  // Disclosure requests and evidence (issue 15): the evidence package reads indicators through the
  // indicators path and batches through the provenance path; a request names a seller through the
  // seller path and is routed to the members whose sightings of it the token may see.
  'Query.evidence': 'indicators',
  'Mutation.fileDisclosureRequest': 'seller',
  'Query.disclosureRequests': 'none: the agency’s own requests',
  'Query.disclosureAnswers': 'none: ciphertext for the requesting agency',
  'Query.disclosures': 'none: disclosure records for the auditor (hashes and routing)',
  'Query.disclosureVolume': 'none: counts per agency',
  // Outcomes (issue 22): each outcome counts where every sighting it concerns is visible.
  'Query.outcomeFigures': 'stats',
  // Precision guards (issue 21).
  'Query.warninglists': 'none: the federation’s warninglists (benign phrases, generic terms), no indicator data',
  'Mutation.reportFlood': 'none: a member node reports its own scan rates; the receipt names only the indicator it sent',
  // Referrals (issue 22): no indicator data leaves through them; an agency reads only the referrals
  // routed to it, a member only those it filed (test/referrals.e2e.test.ts: another agency, a token
  // without the scope, another member's node).
  'Query.referralInbox': 'none: the referrals routed to the caller’s agency',
  'Query.referral': 'none: a referral routed to the caller’s agency, or filed by the calling member',
  'Query.referralStats': 'none: counts of the caller’s agency’s referrals',
  'Query.referralCompetence': 'none: the caller’s agency’s own competence',
  'Query.referralAgencies': 'none: agency slugs and public keys, for member nodes',
  'Query.memberReferrals': 'none: the calling member’s own referrals',
  'Mutation.fileReferral': 'none: a member files its own signed referral',
  'Mutation.setReferralCompetence': 'none: the caller’s agency’s own competence',
  'Mutation.acknowledgeReferral': 'none: a referral routed to the caller’s agency',
  'Mutation.acceptReferral': 'none: a referral routed to the caller’s agency',
  'Mutation.declineReferral': 'none: a referral routed to the caller’s agency',
  'Mutation.closeReferral': 'none: a referral routed to the caller’s agency',
  'Subscription.referralFiled': 'none: referrals as they are routed to the caller’s agency',
};
const HTTP_ROUTES: Record<string, Path | `none: ${string}`> = {
  'GET /.well-known/jwks.json': 'none: public keys',
  '* /graphql': 'none: GraphQL, classified field by field above',
  'GET /healthz': 'none: liveness',
  'GET /readyz': 'none: readiness',
  'GET /metrics': 'none: process and request metrics',
  'GET /log/checkpoint': 'none: the public log',
  'GET /log/entries': 'none: the public log (hashes only)',
  'GET /log/proof/inclusion': 'none: the public log',
  'GET /log/proof/consistency': 'none: the public log',
  'GET /log/tile/*path': 'none: the public log as C2SP tlog-tiles (hashes and entries, which carry hashes only)',
  'POST /v1/batches': 'none: ingest; the receipt names only the batch’s own indicators',
  'GET /v1/batches/:member/:batchId': 'provenance',
  'GET /v1/feed': 'provenance',
  'GET /': 'none: redirects to the console',
  'GET /console': 'none: redirects to /console/',
  'GET /console/{*file}': 'none: the console’s static files (its data comes through GraphQL)',
  'GET /graphql': 'none: a browser is redirected to the console’s explorer; others go on to GraphQL',
  'GET /taxii2/': 'taxii',
  'GET /taxii2/:root': 'taxii',
  'GET /taxii2/:root/status/:statusId': 'none: TAXII status (the server is read-only: always not found)',
  'GET /taxii2/:root/collections': 'taxii',
  'GET /taxii2/:root/collections/:id': 'taxii',
  'GET /taxii2/:root/collections/:id/objects': 'taxii',
  'POST /taxii2/:root/collections/:id/objects': 'none: read-only, refused',
  'GET /taxii2/:root/collections/:id/manifest': 'taxii',
  'GET /taxii2/:root/collections/:id/objects/:objectId': 'taxii',
  'DELETE /taxii2/:root/collections/:id/objects/:objectId': 'none: read-only, refused',
  'GET /taxii2/:root/collections/:id/objects/:objectId/versions': 'taxii',
  'GET /misp/manifest.json': 'taxii',
  'GET /misp/hashes.csv': 'taxii',
  'GET /misp/:file': 'taxii',
  'GET /v1/disclosures': 'none: the disclosure requests routed to the calling member',
  'POST /v1/disclosures/:requestId/steps': 'none: a member posts a signed step record',
};

describe('every path is known to the entitlement suite', () => {
  it('classifies every root field of the schema', () => {
    const schema = buildSchema(VERSION);
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => (type ? Object.keys(type.getFields()).map((f) => `${type.name}.${f}`) : []));
    assert.deepEqual(fields.filter((f) => !(f in ROOT_FIELDS)), [], 'new root fields: classify them here and check them in the suite above');
    assert.deepEqual(Object.keys(ROOT_FIELDS).filter((f) => !fields.includes(f)), [], 'fields that no longer exist');
  });

  it('classifies every HTTP route of the hub', async () => {
    const fed = await startTestFederation();
    try {
      const routes = fed.hub.routes.map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(routes.filter((r) => !(r in HTTP_ROUTES)), [], 'new routes: classify them here and check them in the suite above');
      assert.deepEqual(Object.keys(HTTP_ROUTES).filter((r) => !routes.includes(r)), [], 'routes that no longer exist');
      // The route table (metrics labels, the fuzz suite) must list the same routes the app serves.
      const norm = (path: string) => path.replace(/\/$/, '') || '/';
      const inTable = (method: string, path: string) => HUB_ROUTES.some((h) => h.kind !== 'graphql-ws' && (method === '*' || h.method === method) && norm(h.path) === norm(path));
      assert.deepEqual(fed.hub.routes.filter((r) => !inTable(r.method, r.path)).map((r) => `${r.method} ${r.path}`), [], 'routes missing from src/hub/routes.ts');
      const served = (h: (typeof HUB_ROUTES)[number]) => fed.hub.routes.some((r) => (r.method === '*' || r.method === h.method) && norm(r.path) === norm(h.path));
      assert.deepEqual(HUB_ROUTES.filter((h) => h.kind !== 'graphql-ws' && !served(h)).map((h) => `${h.method} ${h.path}`), [], 'routes in src/hub/routes.ts the app does not serve');
    } finally {
      await fed.close();
    }
  });
});
