import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PkiError } from './errors.js';

/**
 * Writes a private key readable by its owner only (0600), creating the parent directory (0700).
 * Refuses to replace an existing file unless `overwrite` is set, because overwriting a member or CA
 * key by mistake orphans every certificate issued for it. An overwrite goes through a temporary
 * file and a rename, so a crash never leaves a half-written key behind.
 * @throws PkiError `KEY_FILE_EXISTS`
 */
export async function writePrivateKeyFile(path: string, pem: string, options: { overwrite?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (options.overwrite === true) return replaceFile(path, pem);
  try {
    // 'wx' = O_CREAT|O_EXCL: the existence check and the creation are one atomic step.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new PkiError('KEY_FILE_EXISTS', `refusing to overwrite ${path}`, { cause, details: { path } });
    }
    throw cause;
  }
}

async function replaceFile(path: string, pem: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode further, never widened it; make it exact.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw cause;
  }
}
