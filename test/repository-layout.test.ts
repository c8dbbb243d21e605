/**
 * What a newcomer meets at the top of the repository: the README's Layout lists every source
 * folder, `certs/` says what belongs in it and git refuses private keys there, and no one-off
 * script lies at the root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers/hub-process.js';

describe('the repository layout', () => {
  it('lists every folder of src/ in the README Layout section', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'));
    const folders = readdirSync(path.join(REPO_ROOT, 'src')).filter((f) => statSync(path.join(REPO_ROOT, 'src', f)).isDirectory());
    assert.ok(folders.length >= 17);
    assert.deepEqual(folders.filter((f) => !new RegExp(`^src/${f}\\b`, 'm').test(layout)), []);
  });

  it('has certs/ with its README, and git ignores certs/dev/ and key files there', () => {
    assert.match(readFileSync(path.join(REPO_ROOT, 'certs/README.md'), 'utf8'), /never/i);
    const ignored = (file: string): boolean => spawnSync('git', ['check-ignore', '-q', file], { cwd: REPO_ROOT }).status === 0;
    for (const file of ['certs/dev/root-key.pem', 'certs/dev/root.pem', 'certs/root-key.pem', 'certs/log.key']) assert.ok(ignored(file), `${file} is ignored`);
    for (const file of ['certs/README.md', 'certs/root.pem', 'certs/log.vkey']) assert.ok(!ignored(file), `${file} may be committed`);
  });

  it('keeps no one-off scripts at the root', () => {
    const scripts = readdirSync(REPO_ROOT).filter((f) => /\.(m?[jt]s|mts|cts)$/.test(f));
    assert.deepEqual(scripts, []);
  });
});
