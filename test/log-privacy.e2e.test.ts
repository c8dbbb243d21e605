/**
 * What reaches the hub's log when a query fails in the database: codes, ids and a hash of the
 * variables, never the SQL text or its parameters (which carry what the analyst searched for).
 * The failure is real: a table the query reads is renamed away for the duration of the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Base64url } from '../src/kernel/index.js';
import { canonicalJson } from '../src/provenance/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { capturingLogger } from './helpers/member-node.js';
import { graphql } from './helpers/hub-process.js';

const SECRET = 'zz-secret-search-4711';

describe('the log of a failed query', () => {
  let fed: TestFederation;
  let logs: ReturnType<typeof capturingLogger>;
  let token: string;

  before(async () => {
    logs = capturingLogger();
    fed = await startTestFederation({ logger: logs.logger });
    token = await fed.token('indicators:read sellers:read', { tlp: 'RED' });
  });
  after(() => fed.close());

  const broken = async <T>(run: () => Promise<T>): Promise<T> => {
    const db = fed.hub.database.dataSource;
    await db.query(`ALTER TABLE sightings RENAME TO sightings_away`);
    try {
      return await run();
    } finally {
      await db.query(`ALTER TABLE sightings_away RENAME TO sightings`);
    }
  };

  it('holds the request id, the error codes and a hash of the variables, not the SQL or its parameters', async () => {
    const variables = { v: SECRET };
    const before = logs.text().length;
    const answer = await broken(() => graphql(fed.hub.url, 'query Lookup($v: String) { indicators(filter: { value: $v }) { totalCount } }', variables, { authorization: `Bearer ${token}` }));
    assert.equal(answer.body.errors?.[0]?.extensions?.['code'], 'INTERNAL_SERVER_ERROR', JSON.stringify(answer.body));
    const lines = logs.text().slice(before).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(SECRET), 'no parameter');
    assert.doesNotMatch(text, /SELECT |\bFROM |\bWHERE /, 'no SQL text');
    assert.doesNotMatch(text, /"parameters"|"query"/, 'no query or parameters fields');
    const failure = lines.find((l) => l['msg'] === 'unexpected error in GraphQL request');
    assert.ok(failure, text);
    assert.equal(failure['operation'], 'Lookup');
    assert.equal(failure['variablesSha256'], sha256Base64url(canonicalJson(variables)));
    assert.equal(typeof failure['requestId'], 'string');
    assert.equal((failure['err'] as { code?: string }).code, '42P01', 'the SQLSTATE says what failed: an undefined table');
  });

  it('keeps the SQL and its parameters out of the log of a failed batch too', async () => {
    const member = await fed.addMember('shopmart');
    const before = logs.text().length;
    const jws = await fed.sign(member, { indicators: [{ type: 'KEYWORD', value: SECRET.replace(/-/g, ''), commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 }] });
    const res = await broken(() => fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws }));
    assert.equal(res.status, 503);
    const text = logs.text().slice(before);
    assert.match(text, /batch ingest failed/);
    assert.ok(!text.includes(SECRET.replace(/-/g, '')), 'no parameter');
    assert.doesNotMatch(text, /INSERT INTO|SELECT |\bFROM /, 'no SQL text');
  });
});
