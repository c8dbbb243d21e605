/**
 * The HTTP fuzzer: every route of the hub's route table (src/hub/routes.ts, so routes added later
 * are fuzzed too) with hostile path parameters, query strings, bodies and media types; byte-level
 * mutations of valid signed batches at POST /v1/batches; and hostile observations at a member
 * node's POST /v1/observations and POST /v1/outcomes (and its retractions), its GET /v1/outcomes look-ups (listing=…), and public reports (POST /v1/reports, the
 * receipt status, the review API). No 5xx, no INTERNAL_SERVER_ERROR, nothing stored by a refusal,
 * hub and node still healthy. Bounded by FUZZ_CASES and FUZZ_BUDGET_MS; prints count and seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { HUB_ROUTES, type HubRoute } from '../../src/hub/routes.js';
import { sampleIndicators, type TestFederation, type TestMember } from '../helpers/federation.js';
import { createRng, fuzzSeed, mutateBytes, nastyString, nastyValue, randomText, type Rng } from '../helpers/fuzz-random.js';
import { assertHealthy, FuzzFindings, fuzzBudget, storedCounts } from '../helpers/fuzz-harness.js';
import { federationWithNode, testPicture } from '../helpers/member-node.js';

const seed = fuzzSeed();

/** Percent-encoding that also writes a lone surrogate, as the bytes a careless client sends for one. */
const encode = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
};

describe('HTTP fuzzing', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let member: TestMember;
  let token: string;

  before(async () => {
    setup = await federationWithNode({ nodeEnv: { NODE_BATCH_DELAY_MS: '60000', REPORTS_PER_PREFIX_PER_HOUR: '100000' } });
    fed = setup.fed;
    member = await fed.addMember('fuzzer');
    token = await fed.token('indicators:read provenance:read', { tlp: 'RED' });
  });
  after(() => setup?.close());

  const pathFor = (r: Rng, route: HubRoute): string =>
    route.path
      .split('/')
      .map((s) => (s.startsWith(':') ? encode(r.pick([member.slug, randomUUID(), nastyString(r).slice(0, 200), '..', '%', ''])).replace(/%25(?=[0-9A-F]{2})/g, r.chance(0.3) ? '%' : '%25') : s))
      .join('/');

  const queryFor = (r: Rng, route: HubRoute): string => {
    const names = [...(route.query ?? []), randomText(r, 3)];
    const pairs = names.filter(() => r.chance(0.7)).map((n) => `${encode(n)}=${r.chance(0.2) ? r.pick(['%00', '%ED%A0%80', '%', '%zz', '-1', '99999999999999999999', '1e3', '0x10']) : encode(String(r.pick<unknown>([0, 1, 5, -1, nastyString(r).slice(0, 100), 1e21])))}`);
    if (r.chance(0.1)) pairs.push(pairs[0] ?? 'a=1');
    return pairs.length ? `?${pairs.join('&')}` : '';
  };

  it('serves every route of the route table (none falls through to "no such endpoint")', async () => {
    for (const route of HUB_ROUTES.filter((x) => x.kind !== 'graphql-ws')) {
      const path = route.path.replace(':member', member.slug).replace(':batchId', randomUUID());
      const res = await fetch(`${fed.hub.url}${path}`, { method: route.method, headers: { 'content-type': route.body ?? 'application/json', 'apollo-require-preflight': 'true' }, ...(route.method === 'POST' ? { body: '{}' } : {}) });
      const text = await res.text();
      assert.ok(!text.includes('no such endpoint'), `${route.method} ${route.path}: ${res.status} ${text.slice(0, 200)}`);
    }
  });

  it('answers hostile requests to every route of the route table with a 4xx or a 2xx, never an internal error', async (t) => {
    const r = createRng(seed);
    const findings = new FuzzFindings(seed, fuzzBudget({ cases: 1500, ms: 12_000 }));
    const routes = HUB_ROUTES.filter((x) => x.kind !== 'graphql-ws');
    const before = await storedCounts(fed.hub.database.dataSource);
    while (findings.more()) {
      const route = r.pick(routes);
      const method = r.chance(0.9) ? route.method : r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const url = `${fed.hub.url}${pathFor(r, route)}${queryFor(r, route)}`;
      const body = method === 'GET' || method === 'DELETE' ? undefined : r.chance(0.5) ? JSON.stringify(nastyValue(r, 3)) : mutateBytes(r, Buffer.from(JSON.stringify({ query: '{ me { agency } }' })));
      const type = r.pick([route.body ?? 'application/json', 'application/json', 'application/jose', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '']);
      const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(r.chance(0.5) ? { authorization: r.pick([`Bearer ${token}`, 'Bearer x', nastyString(r).slice(0, 50).replace(/[^\x20-\x7e]/g, '')]) } : {}) };
      let res: Response;
      try {
        res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
      } catch (err) {
        findings.fail(`${method} ${url}`, `the request failed: ${(err as Error).message}`);
        continue;
      }
      findings.checkHttp(`${method} ${url} ${type} ${String(body).slice(0, 200)}`, res.status, await res.text());
    }
    t.diagnostic(`routes: ${findings.summary()}; ${routes.length} routes from src/hub/routes.ts`);
    findings.assertNone();
    assert.deepEqual(await storedCounts(fed.hub.database.dataSource), before);
    await assertHealthy(fed.hub.url);
  });

  it('refuses byte-level mutations of valid signed batches with a 4xx and stores nothing of them', async (t) => {
    const r = createRng(seed + 1);
    const findings = new FuzzFindings(seed + 1, fuzzBudget({ cases: 1000, ms: 10_000 }));
    // Version 1 (JWS) and version 2 (SD-JWT: mutations reach the disclosures and their salts too).
    const valid = await Promise.all(Array.from({ length: 8 }, (_, i) => fed.sign(member, { indicators: sampleIndicators(2 + (i % 4), `mut${i}`), ...(i % 4 === 3 ? { retractions: [] } : {}) }, { version: i < 4 ? 1 : 2 })));
    const before = await storedCounts(fed.hub.database.dataSource);
    let accepted = 0;
    while (findings.more()) {
      const mutated = mutateBytes(r, Buffer.from(r.pick(valid)));
      const type = r.pick(['application/jose', 'application/sd-jwt']);
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': r.chance(0.95) ? type : `${type}; charset=latin1` }, body: mutated });
      const text = await res.text();
      findings.checkHttp(mutated.toString('latin1'), res.status, text);
      // A mutation of the trailing whitespace, or one that leaves the bytes intact, is the valid batch.
      if (res.status === 201) accepted += 1;
    }
    t.diagnostic(`batches: ${findings.summary()}; ${accepted} mutations left a valid batch and were accepted`);
    findings.assertNone();
    const after = await storedCounts(fed.hub.database.dataSource);
    if (accepted === 0) assert.deepEqual(after, before, 'a refused batch stores nothing');
    else assert.equal(after['batches'], before['batches']! + accepted, 'only accepted batches were stored');
    await assertHealthy(fed.hub.url);
  });

  it('refuses hostile observations at the node with a 4xx naming the observation, queueing nothing', async (t) => {
    const r = createRng(seed + 2);
    const findings = new FuzzFindings(seed + 2, fuzzBudget({ cases: 800, ms: 12_000 }));
    const node = setup.node!;
    const picture = (await testPicture(4)).toString('base64');
    const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
    const valid: Array<Record<string, unknown>> = [
      { kind: 'keyword', text: '象牙手镯 加微信 zz88', language: 'zh', ...common },
      { kind: 'seller', identifier: { type: 'phone', value: '+86 138 0013 8000' }, ...common },
      { kind: 'seller', identifier: { type: 'account', value: 'ivory_shop' }, tlp: 'GREEN', ...common },
      { kind: 'image', data: picture, ...common },
    ];
    const pending = async (): Promise<number> => Number(((await node.database.dataSource.query(`SELECT count(*)::int AS n FROM node_pending`)) as [{ n: number }])[0].n);
    const hostile = (): string => {
      const observations = Array.from({ length: 1 + r.int(3) }, () => {
        const o: Record<string, unknown> = { ...r.pick(valid) };
        const key = r.pick([...Object.keys(o), 'extra', 'identifier', 'data', 'path']);
        o[key] = r.chance(0.5) ? nastyValue(r, 2) : nastyString(r);
        return o;
      });
      const body = JSON.stringify({ observations });
      return r.chance(0.3) ? mutateBytes(r, Buffer.from(body)).toString('utf8') : body;
    };
    while (findings.more()) {
      const before = await pending();
      const body = hostile();
      const res = await fetch(`${node.url}/v1/observations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.fixture.apiKey}` }, body });
      const text = await res.text();
      findings.checkHttp(body.slice(0, 400), res.status, text);
      if (res.status >= 400 && (await pending()) !== before) findings.fail(body, `refused with ${res.status} but queued something`);
      if (res.status === 400 && !/"index":-?\d+/.test(text) && /INVALID_OBSERVATION/.test(text)) findings.fail(body, `INVALID_OBSERVATION without its index: ${text}`);
    }
    t.diagnostic(`observations: ${findings.summary()}`);
    findings.assertNone();
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  });

  it('refuses hostile outcomes and outcome retractions at the node with a 4xx naming the item, recording nothing', async (t) => {
    const r = createRng(seed + 3);
    const findings = new FuzzFindings(seed + 3, fuzzBudget({ cases: 600, ms: 8_000 }));
    const node = setup.node!;
    const valid: Array<[string, string, Record<string, unknown>]> = [
      ['/v1/outcomes', 'outcomes', { identifier: { type: 'phone', value: '+86 138 0013 8000' }, action: 'REMOVED', actedAt: '2026-03-02T00:00:00Z', reference: 'listing-1' }],
      ['/v1/outcomes', 'outcomes', { text: '象牙手镯', action: 'NO_VIOLATION', actedAt: '2026-03-02T00:00:00Z' }],
      ['/v1/outcomes', 'outcomes', { indicatorId: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg', action: 'WARNED', actedAt: '2026-03-02T00:00:00Z' }],
      ['/v1/outcomes/retractions', 'retractions', { reference: 'listing-1', reason: 'recorded-in-error' }],
      ['/v1/outcomes/retractions', 'retractions', { outcomeId: randomUUID(), reason: 'withdrawn' }],
    ];
    const counts = async (): Promise<string> => JSON.stringify(await node.database.dataSource.query(`SELECT (SELECT count(*)::int FROM node_pending) AS p, (SELECT count(*)::int FROM node_outcomes) AS o, (SELECT count(*)::int FROM node_outcomes WHERE retracted_at IS NOT NULL) AS r`));
    while (findings.more()) {
      const [route, list, item] = r.pick(valid);
      const o: Record<string, unknown> = { ...item };
      const key = r.pick([...Object.keys(o), 'extra', 'listingUrl', 'action', 'actedAt']);
      o[key] = r.chance(0.5) ? nastyValue(r, 2) : nastyString(r);
      const text = JSON.stringify({ [list]: Array.from({ length: 1 + r.int(3) }, () => o) });
      const body = r.chance(0.3) ? mutateBytes(r, Buffer.from(text)).toString('utf8') : text;
      const before = await counts();
      const res = await fetch(`${node.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.fixture.apiKey}` }, body });
      const answer = await res.text();
      findings.checkHttp(body.slice(0, 400), res.status, answer);
      if (res.status >= 400 && (await counts()) !== before) findings.fail(body, `refused with ${res.status} but recorded something`);
      if (res.status === 400 && /INVALID_OUTCOME/.test(answer) && !/"index":-?\d+/.test(answer)) findings.fail(body, `INVALID_OUTCOME without its index: ${answer}`);
    }
    t.diagnostic(`outcomes: ${findings.summary()}`);
    findings.assertNone();
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  });

  it('refuses hostile public reports, receipt look-ups and review calls with a coded 4xx, storing nothing', async (t) => {
    const r = createRng(seed + 4);
    const findings = new FuzzFindings(seed + 4, fuzzBudget({ cases: 600, ms: 8_000 }));
    const node = setup.node!;
    const valid = { listing: 'https://shop.example/item/1', commodity: 'IVORY', description: '象牙手镯 for sale', photos: [(await testPicture(5)).toString('base64')], contact: 'a@b.example', altcha: 'eyJ9' };
    const counts = async (): Promise<string> => JSON.stringify(await node.database.dataSource.query(`SELECT (SELECT count(*)::int FROM report_reports) AS r, (SELECT count(*)::int FROM report_decisions) AS d, (SELECT count(*)::int FROM report_sessions) AS s`));
    while (findings.more()) {
      const before = await counts();
      const which = r.int(4);
      let res: Response;
      let input: string;
      if (which === 0 || which === 1) {
        const o: Record<string, unknown> = { ...valid };
        o[r.pick([...Object.keys(o), 'extra', 'previousReceipt'])] = r.chance(0.5) ? nastyValue(r, 2) : nastyString(r);
        const text = JSON.stringify(o);
        input = r.chance(0.3) ? mutateBytes(r, Buffer.from(text)).toString('utf8') : text;
        res = await fetch(`${node.url}/v1/reports`, { method: 'POST', headers: { 'content-type': r.pick(['application/json', 'text/plain', 'multipart/form-data']) }, body: input });
      } else if (which === 2) {
        input = `/v1/reports/status?receipt=${encode(r.pick([nastyString(r).slice(0, 100), 'R-00000-00000-00000-00000', '']))}`;
        res = await fetch(`${node.url}${input}`);
      } else {
        input = `/review/api/reports/${encode(r.pick([randomUUID(), nastyString(r).slice(0, 80)]))}/decisions`;
        res = await fetch(`${node.url}${input}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `wildintel_review=${encode(nastyString(r).slice(0, 60))}` }, body: JSON.stringify({ decision: nastyValue(r, 1) }) });
      }
      const answer = await res.text();
      findings.checkHttp(input.slice(0, 400), res.status, answer);
      if (res.status >= 400 && !/"code":"[A-Z_]+"/.test(answer)) findings.fail(input, `a refusal without a code: ${answer.slice(0, 200)}`);
      if (res.status >= 400 && (await counts()) !== before) findings.fail(input, `refused with ${res.status} but stored something`);
    }
    t.diagnostic(`public reports: ${findings.summary()}`);
  });

  it('refuses hostile referrals at the node with a 4xx naming the field, filing nothing at the hub', async (t) => {
    const r = createRng(seed + 5);
    const findings = new FuzzFindings(seed + 5, fuzzBudget({ cases: 300, ms: 6_000 }));
    const node = setup.node!;
    // No agency has competence here: a referral that passes the node's checks is refused by the hub (409), never filed.
    const valid: Record<string, unknown> = { sellers: ['fp1.k1.n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg'], indicators: [], summary: 'Ivory bangles', urgency: 'HIGH', commodity: 'IVORY', place: 'CN-YN', evidence: [{ name: 'a.png', mediaType: 'image/png', data: 'AAAA' }] };
    const filed = async (): Promise<number> => ((await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM referrals`)) as Array<{ n: number }>)[0]!.n;
    const before = await filed();
    while (findings.more()) {
      const o: Record<string, unknown> = { ...valid };
      const key = r.pick([...Object.keys(o), 'agency', 'extra']);
      o[key] = r.chance(0.5) ? nastyValue(r, 2) : nastyString(r);
      const text = JSON.stringify(o);
      const body = r.chance(0.3) ? mutateBytes(r, Buffer.from(text)).toString('utf8') : text;
      const res = await fetch(`${node.url}/v1/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.fixture.apiKey}` }, body });
      const answer = await res.text();
      findings.checkHttp(body.slice(0, 400), res.status, answer);
      if (res.status === 400 && /INVALID_REFERRAL/.test(answer) && !/"field":/.test(answer)) findings.fail(body, `INVALID_REFERRAL without its field: ${answer}`);
    }
    if ((await filed()) !== before) findings.fail('(all)', 'a hostile referral was filed at the hub');
    t.diagnostic(`referrals: ${findings.summary()}`);
    findings.assertNone();
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  });

  it('answers hostile outcome look-ups at the node (listing, reference, indicatorId) with a 2xx or a 4xx, never a 5xx', async (t) => {
    const r = createRng(seed + 6);
    const findings = new FuzzFindings(seed + 6, fuzzBudget({ cases: 300, ms: 5_000 }));
    const node = setup.node!;
    while (findings.more()) {
      const params = new URLSearchParams();
      for (const name of ['listing', 'reference', 'indicatorId']) if (r.chance(0.5)) params.append(name, r.chance(0.2) ? 'lp1.k1.' + nastyString(r) : nastyString(r));
      if (r.chance(0.2)) params.append('listing', nastyString(r));
      const query = r.chance(0.2) ? mutateBytes(r, Buffer.from(params.toString())).toString('latin1') : params.toString();
      const res = await fetch(`${node.url}/v1/outcomes?${query}`, { headers: { authorization: `Bearer ${setup.fixture.apiKey}` } }).catch(() => undefined);
      // fetch itself refuses some mutated URLs: nothing reached the node.
      if (res === undefined) continue;
      findings.checkHttp(query.slice(0, 400), res.status, await res.text());
    }
    t.diagnostic(`outcome look-ups: ${findings.summary()}`);
    findings.assertNone();
    assert.equal((await fetch(`${node.url}/healthz`)).status, 200);
  });
});
