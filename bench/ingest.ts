/**
 * Ingest throughput: signed batches of 1,000 indicators end to end (HTTP → verify → validate →
 * store → log → receipt) into Postgres, beside a baseline from the same run: the same rows written
 * by plain multi-row INSERTs over pg, with the same concurrency. Each run ingests version 1
 * batches (JWS) and version 2 batches (SD-JWT, one disclosure per item) of the same shape, in
 * alternating order, so the two are compared under the same conditions. Signing is the member's
 * cost and happens before the clock starts.
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
import { createLogger, systemRandom } from '../src/kernel/index.js';
import { createMemberKeyAndCsr, signMemberCsr } from '../src/pki/index.js';
import { batchMediaType, presentSdJwt, signBatch, signBatchSdJwt, splitSdJwt } from '../src/provenance/index.js';
import { createBenchDatabase } from './bench-db.js';
import { median, round } from './load.js';

export interface IngestBenchResult {
  batches: number;
  batchSize: number;
  concurrency: number;
  endToEndPerSecond: number;
  /** Version 2 batches (SD-JWT), end to end like the version 1 figure above. */
  endToEndV2PerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  /** Version 2 throughput over version 1's, same run (target ≥ 0.9). */
  v2VsV1: number;
  runs: { endToEnd: number[]; endToEndV2: number[]; baseline: number[] };
  /** What a batch weighs on the wire (and in the batches table), per indicator, by version. */
  wireBytesPerIndicator: { v1: number; v2: number };
  /** A version 2 view of one item of a batch of `batchSize`: the signed JWT (a digest per item) and one disclosure. */
  oneItemViewBytes: number;
  /** The hub database's size on disk per indicator stored (tables, indexes, batches with their JWS, the log). */
  hubBytesPerIndicator: number;
}

type Indicator = { type: 'KEYWORD'; value: string; commodity: string; observedAt: string; confidence: number };

function makeBatches(run: number, batches: number, size: number): Indicator[][] {
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: size }, (_, i) => ({ type: 'KEYWORD' as const, value: `ivoryr${run}b${b}i${i}`, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 })),
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
    const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': batchMediaType(jws) }, body: jws });
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
  const endToEndV2: number[] = [];
  const baseline: number[] = [];
  const wire = { v1: 0, v2: 0 };
  let oneItemViewBytes = 0;
  let storage = 0;
  try {
    const key = createMemberKeyAndCsr({ member: 'bench' });
    const ca = { certPem: await readText(path.join(certsDir, 'dev/root.pem')), keyPem: await readText(path.join(certsDir, 'dev/root-key.pem')) };
    const certPem = signMemberCsr({ csrPem: key.csrPem, ca, now: new Date() });
    await hub.services.members.enroll({ slug: 'bench', name: 'Bench', certPem });
    const signer = { keyPem: key.keyPem, chainPem: [certPem] };
    const envelope = () => ({ batchId: randomUUID(), member: 'bench', createdAt: new Date().toISOString(), tlp: 'AMBER' as const });
    for (let run = 0; run < runs; run++) {
      const data = makeBatches(run, batches, batchSize);
      const dataV2 = makeBatches(runs + run, batches, batchSize);
      const signed = await Promise.all(data.map((indicators) => signBatch({ v: 1, ...envelope(), indicators }, signer)));
      const signedV2 = await Promise.all(dataV2.map((indicators) => signBatchSdJwt({ v: 2, ...envelope(), indicators }, signer, systemRandom)));
      wire.v1 = signed[0]!.length / batchSize;
      wire.v2 = signedV2[0]!.length / batchSize;
      const { jwt, disclosures } = splitSdJwt(signedV2[0]!);
      oneItemViewBytes = presentSdJwt(jwt, disclosures.slice(0, 1)).length;
      baseline.push((batches * batchSize) / (await baselineRun(pool, data, concurrency)));
      const v1 = async () => endToEnd.push((batches * batchSize) / (await endToEndRun(hub.url, signed, concurrency)));
      const v2 = async () => endToEndV2.push((batches * batchSize) / (await endToEndRun(hub.url, signedV2, concurrency)));
      if (run % 2 === 0) await v1().then(v2);
      else await v2().then(v1);
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
  const e2 = median(endToEndV2);
  const b = median(baseline);
  return {
    batches,
    batchSize,
    concurrency,
    endToEndPerSecond: round(e, 0),
    endToEndV2PerSecond: round(e2, 0),
    baselinePerSecond: round(b, 0),
    ratio: round(e / b),
    v2VsV1: round(e2 / e),
    runs: { endToEnd: endToEnd.map((x) => round(x, 0)), endToEndV2: endToEndV2.map((x) => round(x, 0)), baseline: baseline.map((x) => round(x, 0)) },
    wireBytesPerIndicator: { v1: round(wire.v1, 0), v2: round(wire.v2, 0) },
    oneItemViewBytes,
    hubBytesPerIndicator: storage,
  };
}

async function readText(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchIngest().then((r) => console.log(JSON.stringify(r, null, 2)));
}
