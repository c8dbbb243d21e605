/**
 * The suite's own runner (scripts/test.ts): a bundled test file still knows where its source is,
 * and bad arguments are refused with a message and exit code 2 before anything runs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './helpers/hub-process.js';

describe('npm test (scripts/test.ts)', () => {
  it('gives a bundled file its source file’s import.meta', () => {
    assert.equal(import.meta.filename, path.join(REPO_ROOT, 'test/test-runner.test.ts'));
    assert.equal(import.meta.dirname, path.join(REPO_ROOT, 'test'));
    if (process.env['WILDINTEL_TEST_TSX'] !== '1') assert.match(process.argv[1] ?? '', /node_modules\/\.cache\/wildintel-tests\/run-[^/]+\/test\/test-runner\.test\.mjs$/, 'this file ran as a bundle');
  });

  it('refuses a file outside the repository, a non-test file, and bad numbers, with exit code 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['/etc/passwd'], /\/etc\/passwd: not a test file \(\*\.test\.ts\) of this repository/],
      [['README.md'], /README\.md: not a test file/],
      [['test/no-such.test.ts'], /no-such\.test\.ts: not a test file/],
      [['--concurrency', '0', 'test/test-runner.test.ts'], /--concurrency must be a positive whole number, not "0"/],
      [['--timeout', '5s', 'test/test-runner.test.ts'], /--timeout must be a positive whole number, not "5s"/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/test.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
