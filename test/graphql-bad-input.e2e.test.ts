/**
 * Bad input to the GraphQL API, over HTTP and graphql-ws, as a careless client or an attacker
 * sends it: every refusal is a 4xx with a specific code, never a 5xx or INTERNAL_SERVER_ERROR,
 * and nothing is stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { openRawGraphqlWs } from './helpers/ws-raw.js';

type Answer = { status: number; contentType: string; body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };

describe('bad input to the GraphQL API', () => {
  let fed: TestFederation;
  let token: string;
  const post = async (body: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: (await res.json()) as Answer['body'] };
  };
  const ask = (query: string, variables?: Record<string, unknown>, auth = true): Promise<Answer> =>
    post(JSON.stringify({ query, ...(variables ? { variables } : {}) }), auth ? { authorization: `Bearer ${token}` } : {});
  const codes = (a: Answer): string[] => (a.body.errors ?? []).map((e) => e.extensions?.code ?? '?');
  const refused = (a: Answer, status: number, code: string): void => {
    assert.equal(a.status, status, JSON.stringify(a.body));
    assert.deepEqual([...new Set(codes(a))], [code], JSON.stringify(a.body));
  };

  before(async () => {
    fed = await startTestFederation();
    token = await fed.token('indicators:read sellers:read match:image match:text stats:read provenance:read audit:read', { tlp: 'RED' });
  });
  after(() => fed.close());

  describe('when the document does not parse', () => {
    it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED, anonymous or not', async () => {
      refused(await ask('{ me {', undefined, false), 400, 'GRAPHQL_PARSE_FAILED');
      refused(await ask('{ me {'), 400, 'GRAPHQL_PARSE_FAILED');
    });
    it('answers 1,000 aliases and 2,001 fields (over the token limit) with 400 GRAPHQL_PARSE_FAILED', async () => {
      const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: hubInfo { version }`).join(' ')} }`;
      refused(await ask(aliases, undefined, false), 400, 'GRAPHQL_PARSE_FAILED');
      const fields = `{ hubInfo { ${Array.from({ length: 2001 }, () => 'version').join(' ')} } }`;
      refused(await ask(fields, undefined, false), 400, 'GRAPHQL_PARSE_FAILED');
    });
  });

  describe('when a string holds a NUL byte or a lone surrogate', () => {
    const withNul = 'a\u0000b';
    const literal = JSON.stringify(withNul);
    const fields: Array<[string, string, Record<string, unknown>]> = [
      ['indicator(id)', 'query($v: ID!) { indicator(id: $v) { id } }', {}],
      ['provenance(indicatorId)', 'query($v: ID!) { provenance(indicatorId: $v) { __typename } }', {}],
      ['reportOpinion(note)', 'mutation($v: String) { reportOpinion(indicatorId: "x", opinion: CONFIRMED, note: $v) { leafIndex } }', {}],
      ['indicators(filter.value)', 'query($v: String) { indicators(filter: { value: $v }) { totalCount } }', {}],
      ['indicators(filter.keywordContains)', 'query($v: String) { indicators(filter: { keywordContains: $v }) { totalCount } }', {}],
      ['indicators(after)', 'query($v: String) { indicators(after: $v) { totalCount } }', {}],
      ['seller(fingerprint)', 'query($v: String!) { seller(fingerprint: $v) { fingerprint } }', {}],
      ['accessLog(filter.agency)', 'query($v: String) { accessLog(filter: { agency: $v }) { records { id } } }', {}],
      ['accessDigests(agency)', 'query($v: String) { accessDigests(agency: $v) { hour } }', {}],
      ['matchText(text)', 'query($v: String!) { matchText(text: $v) { indicator { id } } }', {}],
    ];
    for (const [name, query] of fields) {
      it(`refuses it in ${name} with 400 BAD_USER_INPUT, as a variable and as a literal`, async () => {
        refused(await ask(query, { v: withNul }), 400, 'BAD_USER_INPUT');
        refused(await ask(query, { v: 'a\ud800b' }), 400, 'BAD_USER_INPUT');
        const inline = query.replace(/^(query|mutation)\(\$v: [A-Za-z!]+\)/, '$1').replace('$v', literal);
        refused(await ask(inline), 400, 'BAD_USER_INPUT');
      });
    }
    it('refuses a lone surrogate in the raw JSON body of variables with 400, not 503', async () => {
      const a = await post('{"query":"query($id: ID!){ indicator(id: $id) { id } }","variables":{"id":"\\ud800"}}', { authorization: `Bearer ${token}` });
      refused(a, 400, 'BAD_USER_INPUT');
    });
    it('refuses a NUL anywhere in the variables, nested or unused', async () => {
      refused(await ask('{ hubInfo { version } }', { unused: { deep: ['ok', withNul] } }), 400, 'BAD_USER_INPUT');
    });
    it('refuses arrays nested 20,000 deep (40 KB) in the variables or the extensions with 400 BAD_USER_INPUT, with or without a token', async () => {
      const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      for (const part of ['variables', 'extensions']) {
        for (const headers of [{}, { authorization: `Bearer ${token}` }] as Array<Record<string, string>>) {
          const a = await post(`{"query":"{ hubInfo { version } }","${part}":{"a":${deep}}}`, headers);
          refused(a, 400, 'BAD_USER_INPUT');
          assert.match(a.body.errors![0]!.message, /nested deeper than 32 levels/);
        }
      }
    });
    it('still answers ordinary text in every script', async () => {
      const a = await ask('query($v: String!) { matchText(text: $v) { indicator { id } } }', { v: '象牙手镯 rhino horn 500g 🐘' });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(a.body.errors, undefined);
    });
  });

  describe('validation errors', () => {
    // graphql-js would suggest the schema's names ("Did you mean …?"); graphql-armor masked some as "[Suggestion hidden]".
    const cases: Array<[string, string, string]> = [
      ['a misspelt field', '{ indicatr(id: "x") { id } }', 'Cannot query field "indicatr" on type "Query".'],
      ['a misspelt nested field', '{ hubInfo { versio } }', 'Cannot query field "versio" on type "HubInfo".'],
      ['a misspelt argument', '{ indicator(id: "x", ide: "y") { id } }', 'Unknown argument "ide" on field "Query.indicator".'],
      ['a misspelt enum value', '{ indicators(filter: { tlp: REDD }) { totalCount } }', 'Value "REDD" does not exist in "Tlp" enum.'],
      ['a misspelt type', '{ ...F } fragment F on Quer { __typename }', 'Unknown type "Quer".'],
    ];
    for (const [name, query, message] of cases) {
      it(`names ${name} plainly, without suggesting the schema's names, anonymous or not`, async () => {
        for (const auth of [false, true]) {
          const a = await ask(query, undefined, auth);
          assert.equal(a.status, 400, JSON.stringify(a.body));
          assert.deepEqual(a.body.errors?.map((e) => e.message), [message]);
        }
      });
    }
    it('says the same over graphql-ws', async () => {
      const ws = await openRawGraphqlWs(fed.hub.url, `Bearer ${token}`);
      try {
        const outcome = await ws.subscribe({ query: 'subscription { indicatorPublishd { member } }' });
        assert.deepEqual(outcome.kind === 'error' ? outcome.errors.map((e) => [e.message, e.extensions?.['code']]) : outcome, [['Cannot query field "indicatorPublishd" on type "Subscription".', 'GRAPHQL_VALIDATION_FAILED']]);
      } finally {
        await ws.close();
      }
    });
  });

  describe('operations HTTP does not carry', () => {
    it('refuses a subscription sent by POST with 400 and a code saying where subscriptions go', async () => {
      const a = await ask('subscription { indicatorPublished { member } }');
      refused(a, 400, 'OPERATION_NOT_SUPPORTED');
      assert.match(a.body.errors![0]!.message, /graphql-ws/);
    });
    it('refuses a persisted query whose hash does not match with 400 BAD_REQUEST', async () => {
      const a = await post(JSON.stringify({ query: '{ hubInfo { version } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }));
      refused(a, 400, 'BAD_REQUEST');
      refused(await post(JSON.stringify({ query: '{ hubInfo { version } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } })), 400, 'BAD_REQUEST');
    });
  });

  describe('the batch endpoint', () => {
    it('answers GET /v1/batches/shopmart/%00 with a 4xx code, not 500', async () => {
      for (const path of ['/v1/batches/shopmart/%00', '/v1/batches/%00/x', '/v1/batches/shopmart/%ED%A0%80', '/v1/feed?after=%00']) {
        const res = await fetch(`${fed.hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { error: { code: string } };
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status} ${JSON.stringify(body)}`);
        assert.notEqual(body.error.code, 'INTERNAL_SERVER_ERROR');
      }
    });
  });

  describe('over graphql-ws', () => {
    it('answers a malformed subscription with an error message and keeps the connection, without logging a stack to the console', async () => {
      const printed: unknown[][] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void printed.push(args);
      const ws = await openRawGraphqlWs(fed.hub.url, `Bearer ${token}`);
      try {
        const cases: Array<[unknown, string]> = [
          [{ query: 'subscription {' }, 'GRAPHQL_PARSE_FAILED'],
          [{ query: `subscription { ${Array.from({ length: 2001 }, () => 'a').join(' ')} }` }, 'GRAPHQL_PARSE_FAILED'],
          [{ query: 'subscription { nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
          [{ query: 'subscription($m: String) { indicatorPublished(filter: { member: $m }) { member } }', variables: { m: 'a\u0000' } }, 'BAD_USER_INPUT'],
          [{ query: 'subscription($m: String) { indicatorPublished(filter: { member: $m }) { member } }', variables: { m: '\ud800' } }, 'BAD_USER_INPUT'],
          [{ query: 'subscription { indicatorPublished(filter: { member: "a\\u0000" }) { member } }' }, 'BAD_USER_INPUT'],
          [{ query: 'subscription($m: Int) { indicatorPublished(filter: { member: $m }) { member } }', variables: { m: 1 } }, 'GRAPHQL_VALIDATION_FAILED'],
          [{ query: 'subscription($m: String!) { indicatorPublished(filter: { member: $m }) { member } }', variables: {} }, 'BAD_USER_INPUT'],
          [{ query: 'query A { hubInfo { version } } query B { hubInfo { version } }' }, 'OPERATION_RESOLUTION_FAILURE'],
          [{ query: 'query A { hubInfo { version } }', operationName: 'C' }, 'OPERATION_RESOLUTION_FAILURE'],
        ];
        for (const [payload, code] of cases) {
          const outcome = await ws.subscribe(payload);
          assert.equal(outcome.kind, 'error', `${JSON.stringify(payload).slice(0, 80)}: ${JSON.stringify(outcome)}`);
          if (outcome.kind === 'error') assert.equal(outcome.errors[0]?.extensions?.['code'], code, JSON.stringify(outcome.errors));
        }
        const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
        for (const part of ['variables', 'extensions']) {
          const outcome = await ws.subscribe(`{"query":"subscription { indicatorPublished { member } }","${part}":{"a":${deep}}}`, { raw: true });
          assert.equal(outcome.kind, 'error', `20,000 nested arrays in ${part}: ${JSON.stringify(outcome).slice(0, 200)}`);
          if (outcome.kind === 'error') assert.equal(outcome.errors[0]?.extensions?.['code'], 'BAD_USER_INPUT');
        }
        const ok = await ws.subscribe({ query: '{ hubInfo { version } }' });
        assert.equal(ok.kind, 'next', 'the connection still answers');
      } finally {
        await ws.close();
        console.error = original;
      }
      assert.deepEqual(printed, [], 'nothing printed outside the JSON log');
    });
  });
});
