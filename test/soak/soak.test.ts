/**
 * The soak, shortened to a test (`npm run test:soak`): one minute of steady mixed load (publishes through three member
 * nodes, agency queries with real tokens) on a hub on Postgres. `bench/soak.ts` exits 1 on any
 * failed request or wrong answer, anything not delivered exactly once, an error logged by a
 * process, an audit alarm, or the hub's memory growing more than 1.5× across the run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/hub-process.js';

describe('the soak (one minute)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-soak-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('holds a steady mixed load without errors or unbounded memory growth, and reports it', async () => {
    const report = path.join(dir, 'soak.md');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/soak.ts'), '--minutes', '1', '--interval-seconds', '15', '--warmup-seconds', '10', '--out', report], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    const text = await readFile(report, 'utf8');
    assert.match(text, /Verdict: \*\*PASS\*\*/);
    const rows = text.split('\n').filter((l) => /^\| \d+–\d+ s \|/.test(l));
    assert.equal(rows.length, 4, 'a row per 15 s');
    for (const row of rows) {
      const requests = [...row.matchAll(/\| (\d+) · /g)].map((m) => Number(m[1]));
      assert.equal(requests.length, 4);
      assert.ok(requests.every((n) => n > 0), `every kind of request ran in every interval: ${row}`);
    }
    assert.match(text, /No request failed/);
  });
});
