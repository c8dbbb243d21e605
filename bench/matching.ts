/**
 * Exact PDQ matching (radius 31): the in-memory multi-index over N hashes, beside two baselines
 * from the same run on the same hashes and queries: a brute-force scan in JavaScript, and a
 * Postgres `bit_count(h # q) <= 31` scan of a bit(256) column.
 */
import pg from 'pg';
import { PdqIndex } from '../src/matching/index.js';
import { pdqDistance } from '../src/hashing/index.js';
import { createBenchDatabase } from './bench-db.js';
import { round } from './load.js';

export interface MatchingBenchRow {
  size: number;
  buildSeconds: number;
  memoryMiB: number;
  index: Percentiles;
  scan: Percentiles;
  postgres?: Percentiles;
}
interface Percentiles {
  p50Ms: number;
  p95Ms: number;
}

function generator(seed: number): () => string {
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  return () => Array.from({ length: 8 }, () => next().toString(16).padStart(8, '0')).join('');
}

async function percentiles(queries: string[], fn: (q: string) => Promise<unknown> | unknown): Promise<Percentiles> {
  const samples: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await fn(q);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50Ms: round(samples[Math.floor(samples.length * 0.5)]!, 2), p95Ms: round(samples[Math.floor(samples.length * 0.95)]!, 2) };
}

/** Queries: half stored hashes with a few bits flipped (real near-duplicates), half random. */
function queriesFor(hashes: string[], count: number, random: () => string): string[] {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? nearby(hashes[(i * 7919) % hashes.length]!, random()) : random()));
}

function nearby(hex: string, noise: string): string {
  return hex.slice(0, 56) + noise.slice(56);
}

async function postgresScan(hashes: string[], queries: string[]): Promise<Percentiles> {
  const database = await createBenchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE pdq (id int PRIMARY KEY, h bit(256) NOT NULL)');
    for (let start = 0; start < hashes.length; start += 50_000) {
      const chunk = hashes.slice(start, start + 50_000);
      await client.query(`INSERT INTO pdq SELECT * FROM unnest($1::int[], $2::text[]) AS t(id, h) CROSS JOIN LATERAL (SELECT ('x' || t.h)::bit(256)) AS b(bits)`.replace('SELECT * FROM', 'SELECT t.id, b.bits FROM'), [chunk.map((_, i) => start + i), chunk]);
    }
    await client.query('ANALYZE pdq');
    return await percentiles(queries.slice(0, 20), (q) => client.query(`SELECT id FROM pdq WHERE bit_count(h # ('x' || $1)::bit(256)) <= 31`, [q]));
  } finally {
    await client.end();
    await database.drop();
  }
}

export async function benchMatching(opts: { sizes?: number[]; queries?: number; postgresAt?: number; onProgress?: (t: string) => void } = {}): Promise<MatchingBenchRow[]> {
  const { sizes = [100_000, 1_000_000], queries = 200, postgresAt = 1_000_000, onProgress = () => undefined } = opts;
  const rows: MatchingBenchRow[] = [];
  for (const size of sizes) {
    const random = generator(size);
    const hashes = Array.from({ length: size }, random);
    const index = new PdqIndex();
    const t0 = performance.now();
    index.bulkLoad(hashes.map((h, i) => [String(i), h] as const));
    const buildSeconds = round((performance.now() - t0) / 1000, 1);
    const qs = queriesFor(hashes, queries, random);
    onProgress(`${size}: index built in ${buildSeconds} s`);
    const row: MatchingBenchRow = {
      size,
      buildSeconds,
      memoryMiB: round(index.memoryBytes() / 2 ** 20, 0),
      index: await percentiles(qs, (q) => index.search(q, 31)),
      scan: await percentiles(qs.slice(0, 20), (q) => hashes.filter((h) => pdqDistance(h, q) <= 31)),
    };
    if (size === postgresAt) {
      onProgress(`${size}: loading Postgres for the bit_count scan`);
      row.postgres = await postgresScan(hashes, qs);
    }
    rows.push(row);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMatching({ onProgress: (t) => process.stderr.write(`${t}\n`) }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
