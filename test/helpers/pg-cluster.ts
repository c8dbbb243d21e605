/**
 * A Postgres primary and a streaming replica of our own, for the scale-out suite and benchmarks:
 * `initdb` a temporary cluster on a free port, and `pg_basebackup -R` it into a hot standby on
 * another. Both belong to the `postgres` account (the tests run as root; Postgres refuses to run
 * as root), live under one temporary directory, and are stopped and removed by `stop()`. The
 * machine's own server (127.0.0.1:5432) is never touched.
 */
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { queryOnce } from './pg-query.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface PgServer {
  readonly port: number;
  readonly dataDir: string;
  /** A URL of database `name` on this server (superuser `postgres`, trust). */
  url(name?: string): string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  stop(): Promise<void>;
}

export interface PgPair {
  readonly primary: PgServer;
  readonly replica: PgServer;
  /** Stops replay on the replica (it keeps receiving WAL): reads there fall behind until `resumeReplay`. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has replayed everything the primary has flushed now; the time it took. */
  caughtUp(timeoutMs?: number): Promise<number>;
  /** Bytes of WAL the primary has flushed that the replica has not replayed. */
  lagBytes(): Promise<number>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Durable commits as in production (benchmarks); tests run with fsync off. */
  readonly durable?: boolean;
}

/**
 * `skip` for suites that start their own servers: they need the Postgres 15 server binaries and
 * root (to run them as `postgres`), as on the CI machine.
 */
export function skipWithoutPgBinaries(): string | false {
  if (!existsSync(path.join(BIN, 'initdb'))) return `no Postgres server binaries at ${BIN}`;
  if (process.getuid?.() !== 0) return 'starting a Postgres cluster of its own needs root (to run it as postgres)';
  return false;
}

async function asPostgres(command: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', path.join(BIN, command), ...args], { timeout: options.timeoutMs ?? 60_000, cwd: '/' });
  return stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function serverAt(port: number, dataDir: string): PgServer {
  const url = (name = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${name}`;
  let stopped = false;
  return {
    port,
    dataDir,
    url,
    query: <T>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> => queryOnce<T>(url(database), sql, params),
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => undefined);
    },
  };
}

async function start(dataDir: string, port: number, root: string): Promise<void> {
  await asPostgres('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '60', '-l', path.join(root, `${path.basename(dataDir)}.log`), '-o', `-p ${port}`]);
}

/** A new primary (initdb) and its streaming replica (pg_basebackup), each on a free port. */
export async function startPrimaryAndReplica(options: ClusterOptions = {}): Promise<PgPair> {
  const root = mkdtempSync(path.join(tmpdir(), 'wildintel-pg-'));
  const { uid, gid } = await postgresIds();
  chownSync(root, uid, gid);
  chmodSync(root, 0o700);
  const primaryDir = path.join(root, 'primary');
  const replicaDir = path.join(root, 'replica');
  const servers: PgServer[] = [];
  // Should the test process die before stop(), the servers must not outlive it.
  const onExit = (): void => {
    for (const dir of [replicaDir, primaryDir]) {
      try {
        execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, 'pg_ctl'), 'stop', '-D', dir, '-m', 'immediate', '-w'], { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // Not running.
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  // A test process stopped by a signal (a timeout, Ctrl-C) runs no 'exit' handlers unless asked to.
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const cleanup = async (): Promise<void> => {
    process.off('exit', onExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    for (const s of servers.reverse()) await s.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { timeoutMs: 120_000 });
    const settings = [
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      `max_connections = 200`,
      `wal_level = replica`,
      `max_wal_senders = 4`,
      `hot_standby = on`,
      `hot_standby_feedback = on`,
      ...(options.durable ? [] : ['fsync = off', 'full_page_writes = off']),
    ];
    appendFileSync(path.join(primaryDir, 'postgresql.conf'), `\n# wildintel scale-out suite\n${settings.join('\n')}\n`);
    appendFileSync(path.join(primaryDir, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
    const primaryPort = await freePort();
    await start(primaryDir, primaryPort, root);
    const primary = serverAt(primaryPort, primaryDir);
    servers.push(primary);
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast'], { timeoutMs: 120_000 });
    const replicaPort = await freePort();
    await start(replicaDir, replicaPort, root);
    const replica = serverAt(replicaPort, replicaDir);
    servers.push(replica);
    const pair: PgPair = {
      primary,
      replica,
      pauseReplay: async () => void (await replica.query('SELECT pg_wal_replay_pause()')),
      resumeReplay: async () => void (await replica.query('SELECT pg_wal_replay_resume()')),
      async lagBytes() {
        const [{ lsn }] = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')) as [{ lsn: string }];
        const [{ lag }] = (await replica.query<{ lag: string | null }>(`SELECT (($1::pg_lsn - pg_last_wal_replay_lsn()))::text AS lag`, [lsn])) as [{ lag: string | null }];
        return Math.max(0, Number(lag ?? 0));
      },
      async caughtUp(timeoutMs = 30_000) {
        const started = performance.now();
        const [{ lsn }] = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')) as [{ lsn: string }];
        for (;;) {
          const [{ done }] = (await replica.query<{ done: boolean }>(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done`, [lsn])) as [{ done: boolean }];
          if (done) return performance.now() - started;
          if (performance.now() - started > timeoutMs) throw new Error(`the replica did not replay ${lsn} within ${timeoutMs} ms`);
          await sleep(5);
        }
      },
      stop: cleanup,
    };
    await pair.caughtUp();
    return pair;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/** A database on a server of ours, for one test; dropped by `drop()`. */
export async function createDatabaseOn(server: PgServer, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  await server.query(`CREATE DATABASE ${name}`);
  return { url: server.url(name), drop: async () => void (await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
