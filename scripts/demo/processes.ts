/**
 * The demo's processes: the hub and the member nodes are real `wildintel` processes, started and
 * stopped the way an operator would; operator actions go through the CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO_ROOT, 'bin/wildintel.js');
/** V8 flags the demo itself was started with that its processes share (the test suite's --liftoff-only, scripts/test.ts). */
const NODE_FLAGS = process.execArgv.filter((flag) => flag === '--liftoff-only');

export interface Service {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** A free TCP port: `preferred` if it is free, else one the kernel picks. */
export async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const got = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(got));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

/** Operator commands print their result; only their warnings are worth a log line. */
function baseEnv(env: Record<string, string>, logLevel = 'warn'): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: logLevel, ...env };
}

/** Runs a CLI command to completion; its stdout, or an error with its stderr. */
export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], { cwd: REPO_ROOT, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`wildintel ${args.join(' ')} failed: ${stderr.trim() || stdout.trim()}`);
  return stdout.trim();
}

/**
 * Starts a long-running `wildintel` command at LOG_LEVEL=info (what an operator runs) and waits
 * until `url`/healthz answers. Its lines go to the shared log file; each names its service
 * (`"service":"hub"`, `"service":"node:shopmart"`).
 */
export async function startService(name: string, args: string[], env: Record<string, string>, url: string, logFile: NodeJS.WritableStream): Promise<Service> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], { cwd: REPO_ROOT, env: baseEnv(env, 'info'), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(logFile, { end: false });
  child.stderr?.pipe(logFile, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting; see the demo's logs`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start within 2 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, url, child, exited };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export async function stopService(service: Service, graceMs = 15_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}
