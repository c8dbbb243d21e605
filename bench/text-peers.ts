/**
 * The text path's peers in other languages, for bench/text-path.ts: Rust's aho-corasick 1.1 and
 * pyahocorasick (each a long-lived child process that times its own rounds on command, so that
 * rounds interleave with ours), and OpenCC's command-line tool. None of their code is in this
 * repository; bench/peers/fetch.md says where each comes from. A peer that is not there is
 * skipped with the reason, and the report says so.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import path from 'node:path';

export const PEERS_DIR = path.resolve(import.meta.dirname, 'peers');
const VENDOR = path.join(PEERS_DIR, '.vendor');

export interface Skipped {
  skipped: string;
}

/** Seconds of one measurement: on the wall clock, and of CPU time (every thread of the process that did the work). */
export interface Timing {
  wall: number;
  cpu: number;
}

/** A matcher in a child process: `ready <build s> <kind> <bytes>`, then `round` and `hits` on command. */
export class MatcherPeer {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly buildSeconds: number,
    readonly kind: string,
    readonly memoryBytes: number,
  ) {}

  static async start(command: string, args: readonly string[]): Promise<MatcherPeer> {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const reader: Interface = createInterface({ input: child.stdout });
    const lines = reader[Symbol.asyncIterator]();
    const first = await lines.next();
    const [word, build, kind, bytes] = String(first.value ?? '').split(' ');
    if (first.done === true || word !== 'ready') throw new Error(`${command} did not start: ${stderr.slice(0, 500)}`);
    return new MatcherPeer(child, lines, Number(build), kind ?? '?', Number(bytes));
  }

  /** One timed pass over every listing: wall and CPU seconds as the peer measured them, and the occurrences it found. */
  async round(): Promise<Timing & { hits: number }> {
    this.child.stdin.write('round\n');
    const [, wall, cpu, hits] = (await this.line()).split(' ');
    return { wall: Number(wall), cpu: Number(cpu), hits: Number(hits) };
  }

  /** Every occurrence as `listing pattern start end` (UTF-16 offsets). */
  async hits(): Promise<string[]> {
    this.child.stdin.write('hits\n');
    const found: string[] = [];
    for (let line = await this.line(); line !== 'end'; line = await this.line()) found.push(line);
    return found;
  }

  close(): void {
    this.child.stdin.end('quit\n');
  }

  private async line(): Promise<string> {
    const next = await this.lines.next();
    if (next.done === true) throw new Error('peer exited');
    return String(next.value);
  }
}

/**
 * Builds the Rust peer (bench/peers/rust-aho-corasick) against the snapshot of the crate in
 * bench/peers/.vendor/aho-corasick, offline. The crate's optional dependencies (memchr for its
 * prefilters, log) are removed from the snapshot's manifest first so that nothing is fetched; at
 * 50,000 patterns its prefilters do not apply anyway (they need a few distinct start bytes or a
 * few dozen patterns).
 */
export function rustPeerBinary(): string | Skipped {
  const crate = path.join(VENDOR, 'aho-corasick');
  if (!existsSync(path.join(crate, 'Cargo.toml'))) return { skipped: 'no snapshot of the aho-corasick crate in bench/peers/.vendor/aho-corasick (see bench/peers/fetch.md)' };
  const version = /^version = "([^"]+)"/m.exec(readFileSync(path.join(crate, 'Cargo.toml'), 'utf8'))?.[1] ?? '?';
  if (!version.startsWith('1.1.')) return { skipped: `the aho-corasick snapshot is ${version}, not 1.1.x` };
  stripOptionalDependencies(path.join(crate, 'Cargo.toml'));
  const built = spawnSync('cargo', ['build', '--release', '--offline', '--quiet'], {
    cwd: path.join(PEERS_DIR, 'rust-aho-corasick'),
    env: { ...process.env, CARGO_TARGET_DIR: path.join(VENDOR, 'target'), RUSTFLAGS: '-A warnings' },
    encoding: 'utf8',
  });
  if (built.error !== undefined || built.status !== 0) return { skipped: `cargo could not build the Rust peer: ${(built.error?.message ?? built.stderr).slice(0, 300)}` };
  return path.join(VENDOR, 'target', 'release', 'wildintel-bench-aho-corasick');
}

function stripOptionalDependencies(manifest: string): void {
  const text = readFileSync(manifest, 'utf8');
  const stripped = text
    .replace(/\n\[(dev-)?dependencies\][^[]*/g, '\n')
    .replace(/^default = \[.*\]$/m, 'default = ["std"]')
    .replace(/^std = \[.*\]$/m, 'std = []')
    .replace(/^(perf-literal|logging) = \[.*\]\n/gm, '');
  if (stripped !== text) writeFileSync(manifest, stripped);
}

/** pyahocorasick built in place from its snapshot (bench/peers/.vendor/pyahocorasick) with Debian's python3 and python3-dev. */
export function pyahocorasickModule(): string | Skipped {
  const dir = path.join(VENDOR, 'pyahocorasick');
  if (!existsSync(path.join(dir, 'setup.py'))) return { skipped: 'no snapshot of pyahocorasick in bench/peers/.vendor/pyahocorasick (see bench/peers/fetch.md)' };
  const python = '/usr/bin/python3';
  const probe = (): boolean => spawnSync(python, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); import ahocorasick`]).status === 0;
  if (probe()) return dir;
  const built = spawnSync(python, ['setup.py', '-q', 'build_ext', '--inplace'], { cwd: dir, encoding: 'utf8' });
  if (built.error !== undefined || built.status !== 0 || !probe()) return { skipped: `pyahocorasick did not build (needs Debian's python3-dev and python3-setuptools): ${(built.error?.message ?? built.stderr ?? '').slice(0, 300)}` };
  return dir;
}

export async function startPeer(kind: 'rust' | 'python', keywordsFile: string, textsFile: string): Promise<MatcherPeer | Skipped> {
  if (kind === 'rust') {
    const binary = rustPeerBinary();
    return typeof binary === 'string' ? MatcherPeer.start(binary, [keywordsFile, textsFile]) : binary;
  }
  const module = pyahocorasickModule();
  return typeof module === 'string' ? MatcherPeer.start('/usr/bin/python3', [path.join(PEERS_DIR, 'pyahocorasick-peer.py'), module, keywordsFile, textsFile]) : module;
}

/** OpenCC's command-line tool (Debian's `opencc`), or why it cannot run. */
export function openccCli(): string | Skipped {
  const probe = spawnSync('opencc', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined ? 'opencc' : { skipped: 'no opencc command (apt-get install opencc)' };
}

/** One `opencc -c config -i input -o output` run; its CPU time as bash's `times` reports its children's (user + system). */
export function runOpencc(config: string, input: string, output: string): Timing {
  const t0 = performance.now();
  const run = spawnSync('bash', ['-c', 'opencc -c "$1" -i "$2" -o "$3" && times', 'opencc', config, input, output], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`opencc failed: ${run.stderr}`);
  const children = run.stdout.trim().split('\n').at(-1) ?? '';
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, m, sec]) => sum + 60 * Number(m) + Number(sec), 0);
  return { wall, cpu };
}
