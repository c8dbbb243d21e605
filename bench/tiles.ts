/**
 * `audit verify --tiles`: the auditor's walk of a log read from its C2SP tiles alone (every entry
 * bundle parsed and each entry hashed and checked against its level-0 tile hash, every tile
 * authenticated against the signed root, the root recomputed) against a real hub process, beside
 * Go's own golang.org/x/mod/sumdb/tlog verifying the same tiles from the same hub in the same run
 * (bench/peers/go-tlog-tiles). Entries per second of wall clock and per CPU-second of the
 * verifying process (the hub serving the tiles is another process, the same for both).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { auditLog, createTileLogClient } from '../src/audit/index.js';
import { openDatabase } from '../src/db/index.js';
import { systemClock } from '../src/kernel/index.js';
import { createLogKey } from '../src/hub/log-key/index.js';
import { encodeEntry, leafHash, MemoryHashStore, parseSignerKey, signCheckpoint, treeHashSync, type LogEntry } from '../src/tlog/index.js';
import { spawnHub } from '../test/helpers/hub-process.js';
import { createBenchDatabase } from './bench-db.js';
import { median, round } from './load.js';
import { readFileSync } from 'node:fs';

export interface TilesBenchResult {
  entries: number;
  runs: number;
  ours: Figures;
  go: Figures | undefined;
  goSkipped?: string;
}

interface Figures {
  perSecond: number;
  perCpuSecond: number;
  runs: Array<{ perSecond: number; perCpuSecond: number }>;
}

export const BENCH_ORIGIN = 'bench.hub/wildintel';

/** Mostly batch entries, as a federation's log is, an access digest every 50th. */
function entryAt(i: number): LogEntry {
  const ts = 1_765_000_000_000 + i * 1000;
  if (i % 50 === 49) return { kind: 'access', ts, agency: 'bench', hour: 1_765_000_000_000 - (1_765_000_000_000 % 3_600_000), count: i, digestSha256: leafB64(i) };
  return { kind: 'batch', ts, member: 'shopmart', batchId: randomUUID(), tlp: 'AMBER', count: 1000, jwsSha256: leafB64(i) };
}
const leafB64 = (i: number): string => Buffer.from(leafHash(Buffer.from(String(i)))).toString('base64url');

/** `entries` log entries straight into the tables and a checkpoint of them signed with `signerKey`. */
export async function fillForBench(url: string, entries: number, signerKey: string, onProgress: (text: string) => void): Promise<void> {
  const database = await openDatabase({ databaseUrl: url, dataDir: tmpdir() }, { migrate: true });
  const db = database.dataSource;
  const store = new MemoryHashStore();
  const chunk = 20_000;
  for (let start = 0; start < entries; start += chunk) {
    const made = Array.from({ length: Math.min(chunk, entries - start) }, (_, i) => entryAt(start + i));
    const bytes = made.map(encodeEntry);
    const stored = store.append(bytes.map(leafHash));
    await db.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [stored.map((s) => s.index), stored.map((s) => Buffer.from(s.hash))]);
    await db.query(`INSERT INTO tlog_entries (idx, kind, entry, created_at) SELECT * , now() FROM unnest($1::bigint[], $2::text[], $3::bytea[])`, [made.map((_, i) => start + i), made.map((e) => e.kind), bytes.map((b) => Buffer.from(b))]);
    onProgress(`filled ${start + made.length}/${entries} entries`);
  }
  const root = treeHashSync(entries, store.read);
  const note = signCheckpoint({ origin: BENCH_ORIGIN, size: entries, root }, parseSignerKey(signerKey));
  await db.query(`UPDATE tlog_state SET size = $1`, [entries]);
  await db.query(`INSERT INTO tlog_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, now())`, [entries, Buffer.from(root), note]);
  await database.close();
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function runOurs(hubUrl: string, verifierKey: string): Promise<{ entries: number; wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const report = await auditLog({ client: createTileLogClient(hubUrl), verifierKey, clock: systemClock });
  return { entries: report.entriesChecked, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

/** Builds the Go peer (Debian's golang-go and golang-golang-x-mod-dev, GOPATH mode, offline), or says why not. */
function buildGo(dir: string): string | { skipped: string } {
  const gopath = '/usr/share/gocode';
  if (!existsSync(path.join(gopath, 'src/golang.org/x/mod/sumdb/tlog'))) return { skipped: 'golang-golang-x-mod-dev is not installed' };
  const out = path.join(dir, 'go-tlog-tiles');
  try {
    execFileSync('go', ['build', '-o', out, '.'], { cwd: path.join(import.meta.dirname, 'peers/go-tlog-tiles'), env: { ...process.env, GOPATH: gopath, GO111MODULE: 'off', GOCACHE: path.join(dir, 'gocache') }, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    return { skipped: `go build failed: ${(err as Error).message.split('\n')[0]}` };
  }
  return out;
}

function runGo(binary: string, hubUrl: string, size: number, root: string): Promise<{ entries: number; wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-log', `${hubUrl}/log`, '-size', String(size), '-root', root, '-parallel', String(PARALLEL)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the Go verifier failed: ${stderr}`));
      const r = JSON.parse(stdout) as { entries: number; wallSeconds: number; cpuSeconds: number };
      resolve({ entries: r.entries, wall: r.wallSeconds, cpu: r.cpuSeconds });
    });
  });
}

/** The Go peer's concurrent requests: the same bound as the tile client's. */
const PARALLEL = 8;

function figures(runs: Array<{ entries: number; wall: number; cpu: number }>): Figures {
  const each = runs.map((r) => ({ perSecond: Math.round(r.entries / r.wall), perCpuSecond: Math.round(r.entries / r.cpu) }));
  return { perSecond: median(each.map((r) => r.perSecond)), perCpuSecond: median(each.map((r) => r.perCpuSecond)), runs: each };
}

export async function benchTiles(opts: { entries?: number; runs?: number; onProgress?: (text: string) => void } = {}): Promise<TilesBenchResult> {
  const { entries = 100_000, runs = 3, onProgress = () => undefined } = opts;
  const database = await createBenchDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-tiles-'));
  try {
    const keyFile = path.join(dir, 'log-key');
    const { verifierKey } = await createLogKey(keyFile, BENCH_ORIGIN);
    await fillForBench(database.url, entries, readFileSync(keyFile, 'utf8').trim(), onProgress);
    const go = buildGo(dir);
    const hub = await spawnHub({ DATABASE_URL: database.url, CERTS_DIR: path.join(dir, 'certs'), DATA_DIR: path.join(dir, 'data'), HUB_ORIGIN: 'http://bench.hub', LOG_KEY_FILE: keyFile, LOG_ORIGIN: BENCH_ORIGIN, RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' });
    const ours: Array<{ entries: number; wall: number; cpu: number }> = [];
    const peer: Array<{ entries: number; wall: number; cpu: number }> = [];
    try {
      const note = await (await fetch(`${hub.url}/log/checkpoint`)).text();
      const root = note.split('\n')[2]!;
      for (let r = 0; r < runs; r++) {
        onProgress(`round ${r + 1}/${runs}`);
        if (typeof go === 'string') peer.push(await runGo(go, hub.url, entries, root));
        ours.push(await runOurs(hub.url, verifierKey));
        if (ours.at(-1)!.entries !== entries) throw new Error(`the audit checked ${ours.at(-1)!.entries} entries, not ${entries}`);
      }
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    return { entries, runs, ours: figures(ours), go: peer.length > 0 ? figures(peer) : undefined, ...(typeof go === 'string' ? {} : { goSkipped: go.skipped }) };
  } finally {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const TILES_SECTION_TITLE = 'Auditing from tiles: `audit verify --tiles` vs Go’s sumdb/tlog';

export function tilesSection(r: TilesBenchResult): string[] {
  const row = (name: string, f: Figures): string => `| ${name} | **${f.perSecond}** | **${f.perCpuSecond}** | ${f.runs.map((x) => `${x.perSecond} / ${x.perCpuSecond}`).join(', ')} |`;
  return [
    `A log of ${r.entries.toLocaleString('en')} entries (batch entries, an access digest every 50th) served by one hub process as C2SP tiles over HTTP; each verifier reads it from the checkpoint, its hash tiles and its entry bundles, ${r.runs} rounds in turn, median. Per CPU-second counts the verifying process's CPU time only (every thread), what one core does; the hub serving both is the same process.`,
    '',
    '| verifier | entries/s (wall) | entries per CPU-second | runs (wall / CPU) |',
    '|---|---|---|---|',
    row('`audit verify --tiles` (`auditLog` with the tile client): every entry parsed and checked for its form, hashed, compared with its tile hash; tiles authenticated against the root; the root recomputed', r.ours),
    r.go === undefined ? `| Go sumdb/tlog: skipped (${r.goSkipped}) | | | |` : row(`Go \`golang.org/x/mod/sumdb/tlog\` (Debian's 0.7.0, go1.19): \`TileHashReader\` against the root, \`RecordHash\` per entry compared with its tile hash, the root recomputed; entries not parsed; ${PARALLEL} requests at once`, r.go),
    ...(r.go === undefined ? [] : [`| ratio, ours / Go | ${round(r.ours.perSecond / r.go.perSecond, 2)}× | **${round(r.ours.perCpuSecond / r.go.perCpuSecond, 2)}×** (target ≥ 1) | |`]),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const entries = Number(process.argv[2] ?? 100_000);
  benchTiles({ entries, runs: Number(process.argv[3] ?? 3), onProgress: (t) => process.stderr.write(`${t}\n`) }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
