import { mkdtemp, readFile, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PkiError, writePrivateKeyFile } from './index.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';

describe('writePrivateKeyFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wildintel-keys-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates missing parent directories and writes the key with mode 0600', async () => {
    const path = join(dir, 'dev', 'member', 'member.key');
    await writePrivateKeyFile(path, PEM);
    assert.equal(await readFile(path, 'utf8'), PEM);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  describe('when the file already exists', () => {
    it('refuses to overwrite it with KEY_FILE_EXISTS and leaves it untouched', async () => {
      const path = join(dir, 'existing.key');
      await writePrivateKeyFile(path, PEM);
      await assert.rejects(writePrivateKeyFile(path, 'other'), (error: unknown) => {
        assert.ok(error instanceof PkiError);
        assert.equal(error.code, 'KEY_FILE_EXISTS');
        return true;
      });
      assert.equal(await readFile(path, 'utf8'), PEM);
    });

    it('replaces it with {overwrite: true}, still 0600, leaving no temporary file', async () => {
      const path = join(dir, 'replaced.key');
      await writePrivateKeyFile(path, 'old');
      await writePrivateKeyFile(path, PEM, { overwrite: true });
      assert.equal(await readFile(path, 'utf8'), PEM);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
    });
  });
});
