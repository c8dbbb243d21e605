/**
 * graphql-http's audit of GraphQL-over-HTTP conformance (its `serverAudits`, the suite the
 * spec's authors maintain) run against a real hub: no audit may fail (`error`), and each warning
 * or notice left is one docs/agency-api.md explains, by id.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serverAudits, type AuditResult } from 'graphql-http';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { REPO_ROOT } from './helpers/hub-process.js';

describe('graphql-http server audits', () => {
  let fed: TestFederation;
  const results: AuditResult[] = [];

  before(async () => {
    fed = await startTestFederation();
    for (const audit of serverAudits({ url: `${fed.hub.url}/graphql` })) results.push(await audit.fn());
  });
  after(() => fed.close());

  it('pass with no error', () => {
    assert.ok(results.length > 50, `${results.length} audits`);
    const errors = results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}: ${r.status === 'error' ? r.reason : ''}`);
    assert.deepEqual(errors, []);
  });

  it('leave only warnings and notices that docs/agency-api.md explains', () => {
    const docs = readFileSync(path.join(REPO_ROOT, 'docs/agency-api.md'), 'utf8');
    const explained = docs.slice(docs.indexOf('## GraphQL over HTTP conformance'));
    const left = results.filter((r) => r.status === 'warn' || r.status === 'notice');
    assert.deepEqual(left.filter((r) => !explained.includes(`\`${r.id}\``)).map((r) => `${r.id} ${r.name}`), []);
  });
});
