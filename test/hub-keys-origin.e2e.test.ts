/**
 * `wildintel hub keys` run from a shell without the hub's HUB_ORIGIN prints the origin the log key
 * (and so every checkpoint) names, not the default port 4000's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogKey } from '../src/hub/index.js';
import { runCli } from './helpers/hub-process.js';

describe('hub keys', () => {
  it('prints the log origin the key names, and says when the shell would default to another', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-keys-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'log-key.pem');
    await createLogKey(keyFile, 'hub.example.org:4123/wildintel');
    const run = await runCli(['hub', 'keys'], { DATA_DIR: path.join(dir, 'data'), LOG_KEY_FILE: keyFile });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^log origin {5}hub\.example\.org:4123\/wildintel$/m);
    assert.match(run.stdout, /verifier key {3}hub\.example\.org:4123\/wildintel\+/);
    assert.match(run.stdout, /note .*LOG_ORIGIN is [0-9a-z.]+:4000\/wildintel/);
    const same = await runCli(['hub', 'keys'], { DATA_DIR: path.join(dir, 'data'), LOG_KEY_FILE: keyFile, HUB_ORIGIN: 'https://hub.example.org:4123' });
    assert.doesNotMatch(same.stdout, /note/);
  });
});
