/**
 * `npm test` ends with what was skipped and why (scripts/skip-summary.ts): node:test's own
 * summary counts a skipped suite as nothing, and names a skip only on its own TAP line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import skipReporter, { skipSummary } from '../scripts/skip-summary.js';

const repo = path.resolve(import.meta.dirname, '..');

async function report(events: Array<{ type: string; data?: { name?: string; file?: string; skip?: string | boolean } }>): Promise<string> {
  async function* source() {
    yield* events;
  }
  let out = '';
  for await (const chunk of skipReporter(source())) out += chunk;
  return out;
}

describe('the skip summary at the end of npm test', () => {
  it('groups skipped tests and suites by reason, naming each file once, bundled paths as their sources', async () => {
    const bundled = (f: string) => path.join(repo, 'node_modules/.cache/wildintel-tests/run-Ab12cd', f.replace(/\.ts$/, '.mjs'));
    const out = await report([
      { type: 'test:pass', data: { name: 'hashes in the browser', file: bundled('test/console-browser.e2e.test.ts'), skip: 'no Chromium at /usr/bin/chromium' } },
      { type: 'test:pass', data: { name: 'wildintel publish', file: bundled('test/publish-file.e2e.test.ts'), skip: 'runs once, in the Postgres pass' } },
      { type: 'test:pass', data: { name: 'runs', file: bundled('test/publish-file.e2e.test.ts') } },
      { type: 'test:pass', data: { name: 'audit verify', file: path.join(repo, 'test/audit.e2e.test.ts'), skip: 'runs once, in the Postgres pass' } },
      { type: 'test:pass', data: { name: 'audit tamper', file: path.join(repo, 'test/audit.e2e.test.ts'), skip: 'runs once, in the Postgres pass' } },
      { type: 'test:fail', data: { name: 'odd', file: path.join(repo, 'src/x.test.ts'), skip: true } },
      { type: 'test:diagnostic' },
    ]);
    assert.equal(
      out,
      [
        '# skipped 5, by reason:',
        '#   1 × no Chromium at /usr/bin/chromium',
        '#     test/console-browser.e2e.test.ts: hashes in the browser',
        '#   1 × no reason given',
        '#     src/x.test.ts: odd',
        '#   3 × runs once, in the Postgres pass',
        '#     test/audit.e2e.test.ts: audit verify; audit tamper',
        '#     test/publish-file.e2e.test.ts: wildintel publish',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing was skipped, and keeps a reason with line breaks on its comment line', () => {
    assert.equal(skipSummary([], repo), '# skipped: nothing\n');
    assert.equal(skipSummary([{ file: undefined, name: 'n\nx', reason: 'a\n# b\u001b[2J' }], repo), '# skipped 1, by reason:\n#   1 × a # b [2J\n#     (unknown file): n x\n');
  });
});
