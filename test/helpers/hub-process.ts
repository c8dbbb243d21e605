import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export { onlyInPass } from '../../src/db/test-server.js';
export const CLI = path.join(REPO_ROOT, 'bin/wildintel.js');
/** The V8 flags the suite runs with (scripts/test.ts), passed on to the processes a test starts. */
export const NODE_FLAGS = process.execArgv.filter((flag) => flag === '--liftoff-only');

export interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logs: string[];
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
}

/** Starts `wildintel hub` as a real child process and waits until it listens. */
export function spawnHub(env: Record<string, string>, options: { timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<HubProcess> {
  return spawnWildintel(['hub'], 'hub listening', env, options);
}

/** Starts a long-running `wildintel` command and waits for the JSON log line `ready` (its `url` is the process's). */
export async function spawnWildintel(args: string[], ready: string, env: Record<string, string>, { timeoutMs = 90_000, umask, nodeFlags = [] }: { timeoutMs?: number; umask?: string; nodeFlags?: string[] } = {}): Promise<HubProcess> {
  // With `umask`, through a shell that sets it first (exec keeps the pid: the child is the wildintel process).
  // `nodeFlags`: flags Node refuses in NODE_OPTIONS, such as --cpu-prof for a benchmark's profile.
  const flags = [...NODE_FLAGS, ...nodeFlags];
  const [command, argv] = umask === undefined ? [process.execPath, [...flags, CLI, ...args]] : ['/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, ...flags, CLI, ...args]];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    let started = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      // Lines are parsed only until the ready line: a benchmark's load must not pay for parsing
      // a line per request in the process that generates it.
      if (started) return;
      const entry = safeJson(line);
      if (entry?.['msg'] === ready) {
        started = true;
        clearTimeout(timer);
        resolve(String(entry['url']));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return { url, child, logs, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
/** Runs the CLI to its end; `cli` another checkout's entry point, `nodeFlags` more flags for Node (e.g. an --import hook). */
export function runCli(args: string[], env: Record<string, string>, { cli = CLI, nodeFlags = [] }: { cli?: string; nodeFlags?: string[] } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, cli, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

export function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function graphql(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/**
 * What an end-to-end test of hub processes needs: a temporary folder, a reserved database (a
 * Postgres database, or a PGlite data dir), and the environment that points a hub or the CLI
 * at both. `cleanup()` stops any hub given to it and removes everything.
 */
export async function hubEnvironment(extra: Record<string, string> = {}): Promise<{ dir: string; env: Record<string, string>; options: Awaited<ReturnType<typeof import('../../src/db/test-database.js').reserveTestDatabase>>['options']; cleanup(...hubs: Array<HubProcess | undefined>): Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { reserveTestDatabase } = await import('../../src/db/test-database.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-e2e-'));
  const reserved = await reserveTestDatabase();
  // A fixed HUB_ORIGIN: the hub listens on a random port, and tokens the CLI issues (on Postgres,
  // in its own process) must name the same issuer the hub verifies.
  const env = { ...reserved.env, DATA_DIR: reserved.env['DATA_DIR'] ?? path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs'), HUB_ORIGIN: 'http://hub.test', ...extra };
  return {
    dir,
    env,
    options: reserved.options,
    async cleanup(...hubs) {
      for (const hub of hubs) {
        if (hub !== undefined && hub.child.exitCode === null) {
          hub.child.kill('SIGTERM');
          await hub.exited;
        }
      }
      await reserved.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A real agency token with every read scope up to RED, issued through the CLI of a running hub. */
export async function readerToken(env: Record<string, string>): Promise<string> {
  const add = await runCli(['agency', 'add', 'test-readers', '--name', 'Test readers'], env);
  if (add.code !== 0) throw new Error(add.stderr);
  const scope = 'indicators:read sellers:read match:image match:text stats:read provenance:read';
  const issued = await runCli(['token', 'issue', '--agency', 'test-readers', '--sub', 'test', '--scope', scope, '--tlp', 'RED', '--ttl', '8h'], env);
  if (issued.code !== 0) throw new Error(issued.stderr);
  return issued.stdout.trim();
}

/** The authorization header for a token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
