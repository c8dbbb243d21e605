/**
 * The GraphQL fuzzer: documents generated from the schema the hub serves (valid ones for every
 * root field, mutated ones, random tokens) sent over HTTP (POST and GET, both media types) as
 * anonymous, a member and agencies of several scopes and TLPs, and over graphql-ws. Every answer
 * must be a 4xx or a 2xx without INTERNAL_SERVER_ERROR, nothing may be stored, and the hub must
 * still be healthy. Bounded by FUZZ_CASES and FUZZ_BUDGET_MS; prints the count and the seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildSchema } from '../../src/graphql/index.js';
import { VERSION } from '../../src/kernel/index.js';
import { signMemberRequest } from '../../src/provenance/index.js';
import { normalizeKeyword } from '../../src/indicators/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from '../helpers/federation.js';
import { createRng, fuzzSeed, type Rng } from '../helpers/fuzz-random.js';
import { fieldRequest, randomRequest, rootFields, type FuzzRequest, type RootField } from '../helpers/fuzz-graphql.js';
import { assertHealthy, FuzzFindings, fuzzBudget, storedCounts } from '../helpers/fuzz-harness.js';
import { openRawGraphqlWs, type RawGraphqlWs } from '../helpers/ws-raw.js';

const seed = fuzzSeed();

describe('GraphQL fuzzing', () => {
  let fed: TestFederation;
  let member: TestMember;
  let agencies: string[];
  let roots: RootField[];

  before(async () => {
    fed = await startTestFederation({ env: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '100000' } });
    member = await fed.addMember('shopmart');
    const publish = async (tlp: 'GREEN' | 'RED', indicators: object[]) => {
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, { tlp, indicators }) });
      assert.equal(res.status, 201);
    };
    await publish('GREEN', [...sampleIndicators(3, 'fuzz'), { type: 'KEYWORD', value: normalizeKeyword('象牙手镯'), original: '象牙手镯', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 }]);
    await publish('RED', sampleIndicators(2, 'red'));
    agencies = [
      await fed.token('indicators:read sellers:read match:image match:text stats:read provenance:read audit:read admin', { tlp: 'RED', agency: 'all' }),
      await fed.token('indicators:read', { tlp: 'AMBER', agency: 'narrow', commodities: ['PANGOLIN'] }),
      await fed.token('audit:read stats:read', { tlp: 'CLEAR', agency: 'auditor' }),
    ];
    roots = rootFields(buildSchema(VERSION));
  });
  after(() => fed.close());

  const requestFor = (r: Rng): FuzzRequest => {
    const dice = r.next();
    if (dice < 0.35) return fieldRequest(r, r.pick(roots), false);
    if (dice < 0.85) return fieldRequest(r, r.pick(roots), true);
    return randomRequest(r);
  };

  const authorization = async (r: Rng): Promise<string | undefined> => {
    const who = r.int(5);
    if (who === 0) return undefined;
    if (who === 1) return `Bearer ${await signMemberRequest({ keyPem: member.keyPem, chainPem: [member.certPem], member: member.slug, audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() })}`;
    if (who === 4 && r.chance(0.3)) return r.pick(['Bearer', 'Bearer x.y.z', 'Basic abc', `Bearer ${agencies[0]!}x`]);
    return `Bearer ${r.pick(agencies)}`;
  };

  it('answers every generated document over HTTP with a 4xx or a 2xx, never an internal error, and stores nothing', async (t) => {
    const r = createRng(seed);
    const findings = new FuzzFindings(seed, fuzzBudget({ cases: 1200, ms: 25_000 }));
    const before = await storedCounts(fed.hub.database.dataSource);
    const fields = new Set<string>();
    while (findings.more()) {
      const request = requestFor(r);
      fields.add(request.field);
      const auth = await authorization(r);
      const accept = r.pick(['application/json', 'application/graphql-response+json', '*/*', undefined]);
      const headers: Record<string, string> = { ...(auth ? { authorization: auth } : {}), ...(accept ? { accept } : {}) };
      let res: Response;
      if (request.operation === 'query' && r.chance(0.15)) {
        const params = new URLSearchParams({ query: request.query, variables: JSON.stringify(request.variables), ...(request.operationName ? { operationName: request.operationName } : {}) });
        res = await fetch(`${fed.hub.url}/graphql?${params}`, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
      } else {
        const body = r.chance(0.05) ? `${JSON.stringify(request).slice(0, r.int(200))}` : JSON.stringify({ query: request.query, variables: request.variables, ...(request.operationName ? { operationName: request.operationName } : {}) });
        res = await fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': r.chance(0.03) ? 'text/plain' : 'application/json' }, body });
      }
      findings.checkHttp(`${request.kind} ${request.query} ${JSON.stringify(request.variables)}`, res.status, await res.text());
    }
    t.diagnostic(`HTTP: ${findings.summary()}; root fields reached: ${[...fields].filter(Boolean).length} of ${roots.length}`);
    findings.assertNone();
    assert.deepEqual(await storedCounts(fed.hub.database.dataSource), before, 'a refused request stores nothing');
    await assertHealthy(fed.hub.url);
  });

  it('answers every generated document over graphql-ws with a message, never an internal error or a 4500 close', async (t) => {
    const r = createRng(seed + 1);
    const findings = new FuzzFindings(seed + 1, fuzzBudget({ cases: 300, ms: 15_000 }));
    const before = await storedCounts(fed.hub.database.dataSource);
    let ws: RawGraphqlWs | undefined;
    try {
      while (findings.more()) {
        ws ??= await openRawGraphqlWs(fed.hub.url, `Bearer ${r.pick(agencies)}`);
        const request = requestFor(r);
        const id = `f${findings.tried}`;
        const payload = r.chance(0.05) ? { query: 42, variables: 'x' } : { query: request.query, variables: request.variables, ...(request.operationName ? { operationName: request.operationName } : {}) };
        const outcome = await ws.subscribe(payload, { id, timeoutMs: 300 });
        const input = `${request.kind} ${request.query} ${JSON.stringify(request.variables)}`;
        findings.tried++;
        if (outcome.kind === 'closed') {
          // Closes that are the client's fault, said so: 4400, a message that is not graphql-ws (a query
          // that is not a string); 1009, a message over the 64 KiB limit (docs/operations.md).
          if (outcome.code !== 4400 && outcome.code !== 1009) findings.fail(input, `closed ${outcome.code} ${outcome.reason}`);
          ws = undefined;
        } else if (outcome.kind === 'error' && JSON.stringify(outcome.errors).includes('INTERNAL_SERVER_ERROR')) {
          findings.fail(input, `error ${JSON.stringify(outcome.errors).slice(0, 300)}`);
        } else if (outcome.kind === 'next' && JSON.stringify(outcome.payload).includes('INTERNAL_SERVER_ERROR')) {
          findings.fail(input, `next ${JSON.stringify(outcome.payload).slice(0, 300)}`);
        } else if (outcome.kind === 'timeout') {
          ws.send({ id, type: 'complete' });
        }
      }
    } finally {
      await ws?.close();
    }
    t.diagnostic(`graphql-ws: ${findings.summary()}`);
    findings.assertNone();
    assert.deepEqual(await storedCounts(fed.hub.database.dataSource), before);
    await assertHealthy(fed.hub.url);
  });
});
