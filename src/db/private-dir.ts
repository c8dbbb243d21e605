import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Owner only: what a process role keeps in its data directory is its own. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const UMASK = 0o077;

/**
 * Makes `dir` private to the process's user, whatever the umask it was started with: the
 * directory 0700, everything already in it 0700 (directories) or 0600 (files, sockets), and the
 * process umask 077 so that what is created later is private too — the embedded database writes
 * its own files (new relation files, WAL segments) with mode 0666 less the umask. The umask is
 * process-wide: a hub or node process has nothing it means to share.
 */
export function makePrivateDir(dir: string): void {
  process.umask(UMASK);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir);
}

function tighten(at: string): void {
  const info = lstatSync(at);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    if ((info.mode & 0o777) !== DIR_MODE) chmodSync(at, DIR_MODE);
    for (const name of readdirSync(at)) tighten(path.join(at, name));
  } else if ((info.mode & 0o777) !== FILE_MODE) {
    chmodSync(at, FILE_MODE);
  }
}
