/**
 * Ingest throughput: signed batches of 1,000 indicators end to end (HTTP → verify → validate →
 * store → log → receipt) into Postgres, beside a baseline from the same run: the same rows written
 * by plain multi-row INSERTs over pg, with the same concurrency. Signing is the member's cost and
 * happens before the clock starts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { startHub } from '../src/hub/index.js';
import { indicatorId } from '../src/indicators/index.js';
import { createLogger } from '../src/kernel/index.js';
import { createMemberKeyAndCsr, signMemberCsr } from '../src/pki/index.js';
import { signBatch } from '../src/provenance/index.js';
import { createBenchDatabase } from './bench-db.js';
import { median, round } from './load.js';

export interface IngestBenchResult {
  batches: number;
  batchSize: number;
  concurrency: number;
  endToEndPerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  runs: { endToEnd: number[]; baseline: number[] };
  /** The hub database's size on disk per indicator stored (tables, indexes, batches with their JWS, the log). */
  hubBytesPerIndicator: number;
}

type Indicator = { type: 'KEYWORD'; value: string; commodity: string; observedAt: string; confidence: number };

function makeBatches(run: number, batches: number, size: number): Indicator[][] {
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: size }, (_, i) => ({ type: 'KEYWORD' as const, value: `r${run}b${b}i${i}`, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 })),
  );
}

async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await fn(item);
  }));
  return (performance.now() - started) / 1000;
}

async function endToEndRun(url: string, jwsList: string[], concurrency: number): Promise<number> {
  return inParallel(jwsList, concurrency, async (jws) => {
    const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    if (res.status !== 201) throw new Error(`batch refused: ${res.status} ${await res.text()}`);
  });
}

async function baselineRun(pool: pg.Pool, batches: Indicator[][], concurrency: number): Promise<number> {
  return inParallel(batches, concurrency, async (batch) => {
    const batchId = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ('bench', $1, 'AMBER', now(), $2, 'x', 'x')`, [batchId, batch.length]);
      const ids = batch.map((i) => indicatorId(i.type, i.value));
      const rows = (width: number) => batch.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
      await client.query(`INSERT INTO indicators (id, type, value) VALUES ${rows(3)} ON CONFLICT (id) DO NOTHING`, batch.flatMap((i, r) => [ids[r], i.type, i.value]));
      await client.query(
        `INSERT INTO sightings (indicator_id, member, batch_id, tlp, observed_at, commodity, confidence) VALUES ${rows(7)}`,
        batch.flatMap((i, r) => [ids[r], 'bench', batchId, 'AMBER', i.observedAt, i.commodity, i.confidence]),
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
}

/** `databaseUrl`: the Postgres server to create the two scratch databases on (default BENCH_DATABASE_URL, else the local server). */
export async function benchIngest(opts: { databaseUrl?: string; batches?: number; batchSize?: number; runs?: number; concurrency?: number } = {}): Promise<IngestBenchResult> {
  const { batches = 20, batchSize = 1000, runs = 3, concurrency = 4 } = opts;
  const hubDb = await createBenchDatabase(opts.databaseUrl);
  const baseDb = await createBenchDatabase(opts.databaseUrl);
  const certsDir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-certs-'));
  // Its own DATA_DIR (the admin socket lives there), so that it never meets another hub's.
  const hub = await startHub({ config: loadConfig({ DATABASE_URL: hubDb.url, DATA_DIR: path.join(certsDir, 'data'), PORT: '0', CERTS_DIR: certsDir, LOG_LEVEL: 'warn' }), logger: createLogger('warn') });
  const base = await openDatabase({ databaseUrl: baseDb.url, dataDir: tmpdir() }, { migrate: true });
  await base.close();
  const pool = new pg.Pool({ connectionString: baseDb.url, max: concurrency });
  await pool.query(`INSERT INTO members (slug, name) VALUES ('bench', 'Bench')`);
  const endToEnd: number[] = [];
  const baseline: number[] = [];
  let storage = 0;
  try {
    const key = createMemberKeyAndCsr({ member: 'bench' });
    const ca = { certPem: await readText(path.join(certsDir, 'dev/root.pem')), keyPem: await readText(path.join(certsDir, 'dev/root-key.pem')) };
    const certPem = signMemberCsr({ csrPem: key.csrPem, ca, now: new Date() });
    await hub.services.members.enroll({ slug: 'bench', name: 'Bench', certPem });
    for (let run = 0; run < runs; run++) {
      const data = makeBatches(run, batches, batchSize);
      const signed = await Promise.all(data.map((indicators) => signBatch({ v: 1, batchId: randomUUID(), member: 'bench', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators }, { keyPem: key.keyPem, chainPem: [certPem] })));
      baseline.push((batches * batchSize) / (await baselineRun(pool, data, concurrency)));
      endToEnd.push((batches * batchSize) / (await endToEndRun(hub.url, signed, concurrency)));
    }
    const [size] = await hub.database.dataSource.query(`SELECT pg_database_size(current_database())::float8 AS bytes, (SELECT count(*) FROM indicators)::float8 AS n`);
    storage = Math.round(Number(size.bytes) / Number(size.n));
  } finally {
    await pool.end();
    await hub.stop();
    await hubDb.drop();
    await baseDb.drop();
    await rm(certsDir, { recursive: true, force: true });
  }
  const e = median(endToEnd);
  const b = median(baseline);
  return { batches, batchSize, concurrency, endToEndPerSecond: round(e, 0), baselinePerSecond: round(b, 0), ratio: round(e / b), runs: { endToEnd: endToEnd.map((x) => round(x, 0)), baseline: baseline.map((x) => round(x, 0)) }, hubBytesPerIndicator: storage };
}

async function readText(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchIngest().then((r) => console.log(JSON.stringify(r, null, 2)));
}
