/**
 * The matching indexes against their baselines, each in the same run on the same data:
 * (a) PdqIndex (exact, radius 31) at 100k, 1M and 10M random hashes: build time, memory, query
 *     latency, beside a brute-force scan in JavaScript over the same packed hashes and, when
 *     BENCH_DATABASE_URL names a Postgres server, `bit_count(h # q) <= 31` over a bit(256) column
 *     of a temporary table holding the same hashes (at 1M);
 * The keyword automaton and normalization are measured by bench/text-path.ts.
 *
 * `node --import tsx bench/matching.ts [--quick]` prints a summary to stderr and JSON to stdout.
 * Every measurement is bounded: the default run takes about two minutes, `--quick` under 30 s.
 */
import pg from 'pg';
import { PdqIndex, type PdqEntry } from '../src/matching/index.js';
import { splitmix } from './keyword-corpus.js';

export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  samples: number;
}

export interface PdqBenchRow {
  size: number;
  /** bulkLoad wall time less the time spent making the input strings. */
  buildSeconds: number;
  memoryMiB: number;
  bytesPerHash: number;
  /** Of which the ids (43-character strings, like indicator ids) and their map take this much. */
  idBytesPerHash: number;
  index: Percentiles;
  /** Baseline: every hash scanned, packed in a Uint32Array (see `linearScan`). */
  scan: Percentiles;
  postgres?: Percentiles;
  /** scan p50 / index p50, and postgres p50 / index p50. */
  scanRatio: number;
  postgresRatio?: number;
  /** Matches found by the index over all timed queries, and whether they equal the baselines' on the queries both ran. */
  matches: number;
  agrees: boolean;
}

export interface MatchingBenchResults {
  pdq: PdqBenchRow[];
}

export interface MatchingBenchOptions {
  sizes?: number[];
  quick?: boolean;
  /** Timed index queries per size (scans run a bounded subset). */
  queries?: number;
  /** The size at which the Postgres scan runs (1M; 100k in quick mode). */
  postgresAt?: number;
  /** Postgres server for the baseline; default BENCH_DATABASE_URL; none → skipped. */
  databaseUrl?: string;
  onProgress?: (line: string) => void;
}

const RADIUS = 31;

export async function benchMatching(opts: MatchingBenchOptions = {}): Promise<MatchingBenchResults> {
  const quick = opts.quick ?? false;
  const progress = opts.onProgress ?? (() => undefined);
  const sizes = opts.sizes ?? (quick ? [100_000, 1_000_000] : [100_000, 1_000_000, 10_000_000]);
  const pdq: PdqBenchRow[] = [];
  for (const size of sizes) {
    pdq.push(
      await benchPdqIndex(size, {
        queries: opts.queries ?? (quick ? 60 : 200),
        scanQueries: quick ? 5 : 20,
        databaseUrl: size === (opts.postgresAt ?? (quick ? 100_000 : 1_000_000)) ? (opts.databaseUrl ?? process.env['BENCH_DATABASE_URL']) : undefined,
        progress,
      }),
    );
  }
  return { pdq };
}

// ---------------------------------------------------------------------------------------------
// (a) PDQ

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
function hexOf(words: Uint32Array, at: number): string {
  let hex = '';
  for (let w = at; w < at + 8; w++) {
    const x = words[w]!;
    hex += HEX_BYTE[x >>> 24]! + HEX_BYTE[(x >>> 16) & 255]! + HEX_BYTE[(x >>> 8) & 255]! + HEX_BYTE[x & 255]!;
  }
  return hex;
}

/** A 43-character id, the length of a real indicator id (base64url of SHA-256). */
const idOf = (i: number): string => `i${i.toString(36).padStart(42, '0')}`;

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const CHUNK = 10_000;

/**
 * Entries made chunk by chunk as flat strings (as the pg driver returns them; ropes built by
 * `+=` would make the index pay for flattening them), timing their own making so that it can be
 * taken out of the build time.
 */
function entries(packed: Uint32Array, size: number, spent: { ms: number }): Iterable<PdqEntry> {
  return {
    *[Symbol.iterator]() {
      for (let from = 0; from < size; from += CHUNK) {
        const t0 = performance.now();
        const count = Math.min(CHUNK, size - from);
        const text = Buffer.allocUnsafe(count * 107);
        for (let k = 0, p = 0; k < count; k++) {
          p += text.write(idOf(from + k), p, 'latin1');
          for (let w = (from + k) * 8; w < (from + k + 1) * 8; w++) for (let shift = 28; shift >= 0; shift -= 4) text[p++] = HEX_DIGITS[(packed[w]! >>> shift) & 15]!;
        }
        const chunk: PdqEntry[] = [];
        for (let k = 0; k < count; k++) chunk.push([text.toString('latin1', k * 107, k * 107 + 43), text.toString('latin1', k * 107 + 43, k * 107 + 107)]);
        spent.ms += performance.now() - t0;
        yield* chunk;
      }
    },
  };
}

async function benchPdqIndex(size: number, o: { queries: number; scanQueries: number; databaseUrl: string | undefined; progress: (line: string) => void }): Promise<PdqBenchRow> {
  const next = splitmix(size);
  const packed = new Uint32Array(size * 8);
  for (let i = 0; i < packed.length; i++) packed[i] = next();
  const queries = nearDuplicatesAndRandom(packed, size, o.queries, next);
  const index = new PdqIndex();
  const spent = { ms: 0 };
  const t0 = performance.now();
  index.bulkLoad(entries(packed, size, spent));
  const buildSeconds = (performance.now() - t0 - spent.ms) / 1000;
  o.progress(`pdq ${size.toLocaleString('en')}: built in ${buildSeconds.toFixed(1)} s (+${(spent.ms / 1000).toFixed(1)} s making input)`);
  const hexQueries = queries.map((q) => hexOf(q, 0));
  for (const q of hexQueries.slice(0, 20)) index.search(q, RADIUS); // warm-up
  const found: string[][] = [];
  const indexTimes = hexQueries.map((q) => timed(() => found.push(index.search(q, RADIUS).map((m) => m.id))));
  const scanned: string[][] = [];
  const scanTimes = queries.slice(0, o.scanQueries).map((q) => timed(() => scanned.push(linearScan(packed, q, RADIUS).map(idOf))));
  let agrees = scanned.every((ids, k) => sameSet(ids, found[k]!));
  const row: PdqBenchRow = {
    size,
    buildSeconds: round(buildSeconds, 2),
    memoryMiB: round(index.memoryBytes() / 2 ** 20, 0),
    bytesPerHash: round(index.memoryBytes() / size, 1),
    idBytesPerHash: round(43 + 4 + (8 * 2 ** Math.ceil(Math.log2(size / 0.7))) / size, 1),
    index: percentiles(indexTimes),
    scan: percentiles(scanTimes),
    scanRatio: 0,
    matches: found.reduce((n, ids) => n + ids.length, 0),
    agrees,
  };
  row.scanRatio = round(row.scan.p50Ms / row.index.p50Ms, 0);
  o.progress(`pdq ${size.toLocaleString('en')}: index p50 ${row.index.p50Ms} ms, p95 ${row.index.p95Ms} ms; JS scan p50 ${row.scan.p50Ms} ms`);
  if (o.databaseUrl !== undefined) {
    const { times, results } = await postgresScan(o.databaseUrl, packed, size, queries.slice(0, o.scanQueries), o.progress);
    row.postgres = percentiles(times);
    row.postgresRatio = round(row.postgres.p50Ms / row.index.p50Ms, 0);
    agrees &&= results.every((ids, k) => sameSet(ids.map(idOf), found[k]!));
    row.agrees = agrees;
    o.progress(`pdq ${size.toLocaleString('en')}: Postgres bit_count scan p50 ${row.postgres.p50Ms} ms`);
  }
  return row;
}

/** Half the queries are stored hashes with 1–8 bits flipped (near-duplicates), half are random. */
function nearDuplicatesAndRandom(packed: Uint32Array, size: number, count: number, next: () => number): Uint32Array[] {
  return Array.from({ length: count }, (_, q) => {
    if (q % 2 === 1) return Uint32Array.from({ length: 8 }, next);
    const at = (next() % size) * 8;
    const words = packed.slice(at, at + 8);
    for (let k = 1 + (next() % 8); k > 0; k--) {
      const bit = next() % 256;
      words[bit >>> 5]! ^= 1 << (bit & 31);
    }
    return words;
  });
}

const POPCOUNT16 = new Uint8Array(1 << 16);
for (let v = 1; v < 1 << 16; v++) POPCOUNT16[v] = POPCOUNT16[v >>> 1]! + (v & 1);
const popcount = (x: number): number => POPCOUNT16[x & 0xffff]! + POPCOUNT16[x >>> 16]!;

/**
 * The baseline: popcount(h XOR q) over every packed hash, as fast as a plain scan goes in V8
 * (words unrolled, 16-bit popcount table, the second half skipped once the first exceeds r).
 */
function linearScan(packed: Uint32Array, q: Uint32Array, r: number): number[] {
  const slots: number[] = [];
  const [q0, q1, q2, q3, q4, q5, q6, q7] = [q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!];
  for (let at = 0, slot = 0; at < packed.length; at += 8, slot++) {
    let d = popcount(packed[at]! ^ q0) + popcount(packed[at + 1]! ^ q1) + popcount(packed[at + 2]! ^ q2) + popcount(packed[at + 3]! ^ q3);
    if (d > r) continue;
    d += popcount(packed[at + 4]! ^ q4) + popcount(packed[at + 5]! ^ q5) + popcount(packed[at + 6]! ^ q6) + popcount(packed[at + 7]! ^ q7);
    if (d <= r) slots.push(slot);
  }
  return slots;
}

async function postgresScan(url: string, packed: Uint32Array, size: number, queries: Uint32Array[], progress: (line: string) => void): Promise<{ times: number[]; results: number[][] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE pdq_bench (id int NOT NULL, h bit(256) NOT NULL)');
    for (let from = 0; from < size; from += 50_000) {
      const to = Math.min(size, from + 50_000);
      const ids = Array.from({ length: to - from }, (_, k) => from + k);
      await client.query(`INSERT INTO pdq_bench SELECT id, ('x' || h)::bit(256) FROM unnest($1::int[], $2::text[]) AS t(id, h)`, [ids, ids.map((i) => hexOf(packed, i * 8))]);
    }
    await client.query('VACUUM ANALYZE pdq_bench');
    progress(`pdq ${size.toLocaleString('en')}: Postgres temp table loaded`);
    const bits = (q: Uint32Array): string => Array.from(q, (w) => w.toString(2).padStart(32, '0')).join('');
    await client.query('SELECT id FROM pdq_bench WHERE bit_count(h # $1::bit(256)) <= 31', [bits(queries[0]!)]); // warm-up
    const results: number[][] = [];
    const times: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      const { rows } = await client.query<{ id: number }>('SELECT id FROM pdq_bench WHERE bit_count(h # $1::bit(256)) <= $2', [bits(q), RADIUS]);
      times.push(performance.now() - t0);
      results.push(rows.map((row) => row.id));
    }
    return { times, results };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0, 2);
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), samples: sorted.length };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const results = await benchMatching({ quick: process.argv.includes('--quick'), onProgress: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`done in ${Math.round((performance.now() - started) / 1000)} s\n`);
  console.log(JSON.stringify(results, null, 2));
}
