import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { applyAuthorization } from './authorization.js';
import { loadTypeDefs } from './schema.js';

describe('@requires on root fields', () => {
  const directives = loadTypeDefs().match(/enum Scope \{[^}]*\}|directive @[^\n]*/g)!.join('\n');
  it('refuses to build a schema with an unprotected root field', () => {
    const schema = makeExecutableSchema({ typeDefs: `${directives}\ntype Query { open: String }` });
    assert.throws(() => applyAuthorization(schema), /Query.open must carry exactly one of @requires and @public/);
  });
  it('refuses a field marked both public and protected', () => {
    const schema = makeExecutableSchema({ typeDefs: `${directives}\ntype Query { both: String @public @requires(anyOf: []) }` });
    assert.throws(() => applyAuthorization(schema), /Query.both/);
  });
  it('accepts the schema as shipped', () => {
    assert.doesNotThrow(() => applyAuthorization(makeExecutableSchema({ typeDefs: loadTypeDefs() })));
  });
});
