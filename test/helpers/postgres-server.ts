/**
 * The Postgres server the failure suite restarts: the Debian cluster this machine runs
 * (`pg_ctlcluster`), as an operator restarting it for an upgrade or a configuration change would.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Restarts the cluster serving `server` and waits until it accepts connections again; the time it took. */
export async function restartPostgres(server: string, { timeoutMs = 60_000 } = {}): Promise<number> {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0) throw new Error('no Postgres cluster under /etc/postgresql to restart');
  const started = performance.now();
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', versions.sort().at(-1)!, 'main', 'restart'], { timeout: timeoutMs });
  await waitReady(server, timeoutMs);
  return Math.round(performance.now() - started);
}

/** Polls `pg_isready` until the server accepts connections. */
export async function waitReady(server: string, timeoutMs = 60_000): Promise<void> {
  const url = new URL(server);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await run('pg_isready', ['-q', '-h', url.hostname, '-p', url.port || '5432']).then(
      () => true,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`Postgres at ${url.host} did not accept connections within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
