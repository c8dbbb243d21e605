/**
 * Transparency log: appends per second through the database-backed log (one entry per
 * transaction, and 100 per transaction), and inclusion/consistency proof latency at 1 million
 * entries read from Postgres, beside the same proofs computed in memory in the same run.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { openDatabase, type Database } from '../src/db/index.js';
import { fixedClock } from '../src/kernel/index.js';
import { MemoryHashStore, consistencyProofSync, createTransparencyLog, generateSignerKey, inclusionProofSync, leafHash, parseSignerKey, type TransparencyLog } from '../src/tlog/index.js';
import { createBenchDatabase } from './bench-db.js';
import { round } from './load.js';

export interface TlogBenchResult {
  appendsPerSecond: { single: number; batchOf100: number };
  size: number;
  inclusion: Latency;
  consistency: Latency;
  inclusionMemory: Latency;
  consistencyMemory: Latency;
}

interface Latency {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function latency(samples: number[]): Latency {
  samples.sort((a, b) => a - b);
  const at = (p: number): number => round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? 0, 3);
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}

async function time<T>(samples: number[], fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  samples.push(performance.now() - t0);
  return out;
}

const entry = () => ({ kind: 'batch' as const, member: 'bench', batchId: randomUUID(), tlp: 'AMBER' as const, count: 1000, jwsSha256: 'A'.repeat(43) });

async function appendRate(database: Database, log: TransparencyLog, perTransaction: number, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let appended = 0;
  while (performance.now() < deadline) {
    await database.dataSource.transaction((tx) => log.append(tx, Array.from({ length: perTransaction }, entry)));
    appended += perTransaction;
  }
  return round(appended / ((performance.now() - started) / 1000), 0);
}

/** Loads the stored hashes of a `size`-leaf tree straight into the tables (the proofs read nothing else). */
async function fill(database: Database, size: number, onProgress: (done: number) => void): Promise<MemoryHashStore> {
  const store = new MemoryHashStore();
  const db = database.dataSource;
  const chunk = 50_000;
  for (let start = 0; start < size; start += chunk) {
    const leaves = Array.from({ length: Math.min(chunk, size - start) }, (_, i) => leafHash(Buffer.from(`entry-${start + i}`)));
    const made = store.append(leaves);
    await db.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [made.map((m) => m.index), made.map((m) => Buffer.from(m.hash))]);
    onProgress(start + leaves.length);
  }
  await db.query(`UPDATE tlog_state SET size = $1`, [size]);
  return store;
}

export async function benchTlog(opts: { size?: number; proofs?: number; appendSeconds?: number; onProgress?: (text: string) => void } = {}): Promise<TlogBenchResult> {
  const { size = 1_000_000, proofs = 1000, appendSeconds = 5, onProgress = () => undefined } = opts;
  const appendDb = await createBenchDatabase();
  const proofDb = await createBenchDatabase();
  const signer = parseSignerKey(generateSignerKey('bench.example/log').signerKey);
  const clock = fixedClock('2026-11-28T00:00:00Z');
  const appendDatabase = await openDatabase({ databaseUrl: appendDb.url, dataDir: tmpdir() }, { migrate: true });
  const proofDatabase = await openDatabase({ databaseUrl: proofDb.url, dataDir: tmpdir() }, { migrate: true });
  try {
    const log = createTransparencyLog({ origin: 'bench.example/log', signer, clock });
    const single = await appendRate(appendDatabase, log, 1, appendSeconds);
    const batchOf100 = await appendRate(appendDatabase, log, 100, appendSeconds);
    const store = await fill(proofDatabase, size, (done) => done % 200_000 === 0 && onProgress(`filled ${done}/${size} leaves`));
    const db = proofDatabase.dataSource;
    const samples = { inclusion: [] as number[], consistency: [] as number[], inclusionMemory: [] as number[], consistencyMemory: [] as number[] };
    for (let i = 0; i < proofs; i++) {
      const index = Math.floor(Math.random() * size);
      const from = 1 + Math.floor(Math.random() * (size - 1));
      await time(samples.inclusion, () => log.inclusionProof(db, index, size));
      await time(samples.consistency, () => log.consistencyProof(db, from, size));
      await time(samples.inclusionMemory, () => inclusionProofSync(index, size, store.read));
      await time(samples.consistencyMemory, () => consistencyProofSync(from, size, store.read));
    }
    return {
      appendsPerSecond: { single, batchOf100 },
      size,
      inclusion: latency(samples.inclusion),
      consistency: latency(samples.consistency),
      inclusionMemory: latency(samples.inclusionMemory),
      consistencyMemory: latency(samples.consistencyMemory),
    };
  } finally {
    await appendDatabase.close();
    await proofDatabase.close();
    await appendDb.drop();
    await proofDb.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchTlog({ onProgress: (t) => process.stderr.write(`${t}\n`) }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
