/**
 * What third-party GraphQL clients check, against a real hub over HTTP: the introspection result
 * must load in clients that implement the October 2021 spec (graphql-core 3.2, whose
 * build_client_schema maps every directive location to its own enum and fails on any other),
 * the DateTime scalar is described and says which specification it follows, and a refused
 * request is answered in the media type the client accepts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { startTestFederation, type TestFederation } from './helpers/federation.js';

/** GraphQL, October 2021 edition, §3.13 DirectiveLocations: the only locations graphql-core 3.2 knows. */
const OCTOBER_2021_LOCATIONS = new Set([
  'QUERY', 'MUTATION', 'SUBSCRIPTION', 'FIELD', 'FRAGMENT_DEFINITION', 'FRAGMENT_SPREAD', 'INLINE_FRAGMENT', 'VARIABLE_DEFINITION',
  'SCHEMA', 'SCALAR', 'OBJECT', 'FIELD_DEFINITION', 'ARGUMENT_DEFINITION', 'INTERFACE', 'UNION', 'ENUM', 'ENUM_VALUE', 'INPUT_OBJECT', 'INPUT_FIELD_DEFINITION',
]);
/** §4.5 __TypeKind. */
const OCTOBER_2021_KINDS = new Set(['SCALAR', 'OBJECT', 'INTERFACE', 'UNION', 'ENUM', 'INPUT_OBJECT', 'LIST', 'NON_NULL']);

describe('GraphQL conformance', () => {
  let fed: TestFederation;
  let introspection: IntrospectionQuery;

  before(async () => {
    fed = await startTestFederation();
    // What graphql-core 3.2's get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True) asks.
    const res = await fetch(`${fed.hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: false, inputValueDeprecation: false }) }),
    });
    const body = (await res.json()) as { data: IntrospectionQuery };
    assert.equal(res.status, 200);
    introspection = body.data;
  });
  after(() => fed.close());

  it('serves only directive locations and type kinds of the October 2021 spec', () => {
    for (const d of introspection.__schema.directives) {
      const unknown = d.locations.filter((l) => !OCTOBER_2021_LOCATIONS.has(l));
      assert.deepEqual(unknown, [], `@${d.name} lists ${unknown.join(', ')}`);
    }
    for (const t of introspection.__schema.types) assert.ok(OCTOBER_2021_KINDS.has(t.kind), `${t.name} is a ${t.kind}`);
    assert.ok(buildClientSchema(introspection).getQueryType(), 'and it builds a client schema');
  });

  it('describes DateTime and names its specification with @specifiedBy', () => {
    const dateTime = introspection.__schema.types.find((t) => t.name === 'DateTime') as { description?: string | null; specifiedByURL?: string | null } | undefined;
    assert.ok(dateTime?.description && /RFC 3339/.test(dateTime.description), JSON.stringify(dateTime));
    assert.equal(dateTime?.specifiedByURL, 'https://scalars.graphql.org/andimarek/date-time');
  });

  describe('a body that is not JSON', () => {
    const send = (accept?: string) =>
      fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body: '{"query": ' });
    it('is answered as a GraphQL response in application/graphql-response+json when the client asks for it', async () => {
      const res = await send('application/graphql-response+json');
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]?.extensions.code, 'MALFORMED_REQUEST');
    });
    it('and in application/json otherwise', async () => {
      for (const accept of [undefined, 'application/json', '*/*', 'application/json, application/graphql-response+json;q=0.9']) {
        const res = await send(accept);
        assert.equal(res.status, 400);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/, String(accept));
      }
    });
  });

  it('answers a GET query that carries the CSRF preflight header, and refuses one without it (docs/agency-api.md)', async () => {
    const url = `${fed.hub.url}/graphql?query=${encodeURIComponent('{ hubInfo { version } }')}`;
    const withHeader = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(withHeader.status, 200);
    const without = await fetch(url);
    assert.equal(without.status, 400);
    assert.equal(((await without.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, 'BAD_REQUEST');
  });
});
