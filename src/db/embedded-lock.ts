import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DatabaseError } from './errors.js';

/**
 * PGlite is one Postgres backend inside one process: two processes opening the
 * same data directory would corrupt it. A pid file, created atomically, keeps a
 * second process out; a stale file (its process is gone, e.g. after SIGKILL)
 * is taken over. Operator commands reach a running hub's database through the
 * hub's admin socket instead (see src/hub/admin-socket.ts).
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pglite.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DatabaseError('DATABASE_IN_USE', `the embedded database in ${dir} is open in process ${holder} (a running hub or node); stop it, or run the command while it runs so it goes through its admin socket`, {
          details: { pid: holder },
        });
      }
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseError('DATABASE_IN_USE', `cannot lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
