/**
 * `npm run bench:scale`: what adding hub processes and a read replica does on this machine, each
 * figure beside its baseline from the same run, written to docs/scale-benchmarks.md.
 *
 * - ingest (signed batches end to end) and `indicator(id)` with 1, 2 and 4 hub processes
 *   (`wildintel hub --workers N`) on one Postgres, ratios against 1;
 * - the lag of a streaming replica while ingest runs, and `indicator(id)` read through it;
 * - C2SP hash tiles and entry bundles served against the inclusion-proof endpoint;
 * - the shared (leased) rate limiter against the per-process one.
 *
 * The Postgres servers are its own: a primary (durable: fsync and synchronous commit on) and a
 * replica made by pg_basebackup, on free ports, removed at the end (needs root to run them as
 * postgres). Every configuration runs `--rounds` times (default 3), the configurations taking
 * turns within each round, so that a load spike from elsewhere hits them alike; tables give the
 * median and the minimum. `--quick` shortens everything.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createRateLimiter, createSharedRateLimiter, type RateLimiter } from '../src/auth/index.js';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { createHubServices, loadHubTrust } from '../src/hub/index.js';
import { indicatorId } from '../src/indicators/index.js';
import { createLogger, systemClock } from '../src/kernel/index.js';
import { createMemberKeyAndCsr, signMemberCsr } from '../src/pki/index.js';
import { signBatch } from '../src/provenance/index.js';
import { MemoryHashStore, leafHash, tilePath, entryBundlePath } from '../src/tlog/index.js';
import { spawnHub, spawnWildintel, type HubProcess } from '../test/helpers/hub-process.js';
import { createDatabaseOn, startPrimaryAndReplica, type PgPair } from '../test/helpers/pg-cluster.js';
import { median, round, runLoad, type LoadResult } from './load.js';

const quick = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 3;
const PROCESSES = [1, 2, 4] as const;
const BATCHES = quick ? 6 : 16;
const BATCH_SIZE = 1000;
const LOAD_SECONDS = quick ? 2 : 5;
const INDICATORS = 10_000;
const LOG_SIZE = quick ? 20_000 : 100_000;
const silent = createLogger('silent');
const progress = (text: string): void => void process.stderr.write(`  ${text}\n`);

interface Deployment {
  readonly name: string;
  readonly hub: HubProcess;
  readonly token: string;
  readonly ids: readonly string[];
  readonly member: { keyPem: string; certPem: string };
}

async function main(): Promise<void> {
  const started = new Date();
  const pair = await startPrimaryAndReplica({ durable: true });
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-scale-'));
  const deployments: Deployment[] = [];
  try {
    const certs = path.join(dir, 'certs');
    await loadHubTrust(loadConfig({ CERTS_DIR: certs, DATA_DIR: path.join(dir, 'x'), LOG_LEVEL: 'silent' }), silent, systemClock);
    const base = { CERTS_DIR: certs, HUB_ORIGIN: 'http://bench.hub', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' };
    progress('starting the deployments: 1, 2 and 4 hub processes, and 1 reading from the replica');
    for (const n of PROCESSES) deployments.push(await deploy(pair, dir, `${n}`, n, base, false));
    const withReplica = await deploy(pair, dir, 'replica', 1, base, true);
    deployments.push(withReplica);
    await pair.caughtUp(120_000);

    const ingest = new Map<string, number[]>();
    const lookups = new Map<string, LoadResult[]>();
    const lags: number[] = [];
    const lagBytes: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      progress(`round ${r + 1}/${ROUNDS}: ingest`);
      for (const d of deployments) {
        const sampling = d === withReplica ? sampleLag(pair, lags, lagBytes) : undefined;
        const perSecond = await ingestRun(d, r);
        await sampling?.stop();
        push(ingest, d.name, perSecond);
      }
      progress(`round ${r + 1}/${ROUNDS}: indicator(id)`);
      for (const d of deployments) push(lookups, d.name, await lookupRun(d));
    }
    const catchUpMs = await pair.caughtUp(120_000);
    const tiles = await benchTiles(pair, dir, base);
    const limiter = await benchRateLimiter(pair);
    const lines = report({ started, ingest, lookups, lags, lagBytes, catchUpMs, tiles, limiter });
    const file = path.resolve(import.meta.dirname, '../docs/scale-benchmarks.md');
    writeFileSync(file, `${lines.join('\n')}\n`);
    progress(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    for (const d of deployments) await stop(d.hub);
    await pair.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

/** A database, its indicators seeded, a member enrolled, a token, and `wildintel hub --workers n` on it. */
async function deploy(pair: PgPair, dir: string, name: string, workers: number, base: Record<string, string>, replica: boolean): Promise<Deployment> {
  const dbName = `bench_scale_${name}`;
  const db = await createDatabaseOn(pair.primary, dbName);
  const env = { ...base, DATABASE_URL: db.url, DATA_DIR: path.join(dir, `data-${name}`), ...(replica ? { DATABASE_READ_URL: pair.replica.url(dbName) } : {}) };
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const database = await openDatabase({ databaseUrl: db.url, dataDir: dir }, { migrate: true });
  const ids = await seed(database.dataSource, name);
  const services = await createHubServices({ config, database, logger: silent, clock: systemClock });
  const { keyPem, csrPem } = createMemberKeyAndCsr({ member: 'bench' });
  const ca = { certPem: await readFile(path.join(base['CERTS_DIR']!, 'dev/root.pem'), 'utf8'), keyPem: await readFile(path.join(base['CERTS_DIR']!, 'dev/root-key.pem'), 'utf8') };
  const certPem = signMemberCsr({ csrPem, ca, now: new Date() });
  await services.members.enroll({ slug: 'bench', name: 'Bench', certPem });
  await services.tokens.addAgency('bench', 'Bench');
  const { token } = await services.tokens.issue({ agency: 'bench', sub: 'load', scope: 'indicators:read', tlp: 'AMBER', ttlSeconds: 7200 });
  await database.close();
  const hub = workers === 1 ? await spawnHub(env) : await spawnWildintel(['hub', '--workers', String(workers)], 'hub listening', env, { timeoutMs: 180_000 });
  return { name, hub, token, ids, member: { keyPem, certPem } };
}

async function seed(db: { query(sql: string, params?: unknown[]): Promise<unknown> }, name: string): Promise<string[]> {
  const batchId = randomUUID();
  await db.query(`INSERT INTO members (slug, name) VALUES ('seed', 'Seed')`);
  await db.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ('seed', $1, 'AMBER', now(), $2, 'x', 'x')`, [batchId, INDICATORS]);
  const values = Array.from({ length: INDICATORS }, (_, i) => `seed${name}k${i}`);
  const ids = values.map((v) => indicatorId('KEYWORD', v));
  await db.query(`INSERT INTO indicators (id, type, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, [ids, values.map(() => 'KEYWORD'), values]);
  await db.query(`INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp) SELECT id, 'seed', $2, now(), 'IVORY', 80, 'AMBER' FROM unnest($1::text[]) AS id`, [ids, batchId]);
  return ids;
}

/** Signed batches of 1,000 new indicators (signing is the member's cost: before the clock starts), sent 8 at a time; indicators/s. */
async function ingestRun(d: Deployment, round: number): Promise<number> {
  const batches = await Promise.all(
    Array.from({ length: BATCHES }, (_, b) =>
      signBatch(
        { v: 1, batchId: randomUUID(), member: 'bench', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: Array.from({ length: BATCH_SIZE }, (_, i) => ({ type: 'KEYWORD', value: `ivoryr${round}b${b}i${i}`, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 })) },
        { keyPem: d.member.keyPem, chainPem: [d.member.certPem] },
      ),
    ),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let jws = batches[next++]; jws !== undefined; jws = batches[next++]) {
        const res = await fetch(`${d.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
        if (res.status !== 201) throw new Error(`${d.name}: batch refused: ${res.status} ${await res.text()}`);
      }
    }),
  );
  return (BATCHES * BATCH_SIZE) / ((performance.now() - t0) / 1000);
}

async function lookupRun(d: Deployment): Promise<LoadResult> {
  const query = JSON.stringify({ query: 'query($id: ID!) { indicator(id: $id) { id type value sightingCount } }' });
  const pick = (i: number): string => d.ids[(i * 7919) % d.ids.length]!;
  const result = await runLoad({
    url: d.hub.url,
    concurrency: 32,
    seconds: LOAD_SECONDS,
    body: (i) => ({ method: 'POST', path: '/graphql', headers: { authorization: `Bearer ${d.token}` }, payload: query.replace('}"}', `}","variables":{"id":"${pick(i)}"}}`) }),
  });
  if (result.errors > result.requests / 100) throw new Error(`${d.name}: ${result.errors} of ${result.requests} lookups failed`);
  return result;
}

/**
 * Every 10 ms or so: the primary's flushed WAL position and the replica's replay position. A sample's lag
 * is the time until a later sample shows the replica past the primary's position of this one.
 */
function sampleLag(pair: PgPair, lags: number[], lagBytes: number[]): { stop(): Promise<void> } {
  const samples: Array<{ at: number; primary: bigint; replayed: bigint }> = [];
  const primary = new pg.Client({ connectionString: pair.primary.url() });
  const replica = new pg.Client({ connectionString: pair.replica.url() });
  let running = true;
  const loop = (async () => {
    await Promise.all([primary.connect(), replica.connect()]);
    while (running) {
      const p = await primary.query<{ lsn: string }>(`SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::text AS lsn`);
      const r = await replica.query<{ lsn: string }>(`SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text AS lsn`);
      samples.push({ at: performance.now(), primary: BigInt(p.rows[0]!.lsn), replayed: BigInt(r.rows[0]!.lsn) });
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all([primary.end(), replica.end()]);
      for (const [i, s] of samples.entries()) {
        lagBytes.push(Number(s.primary - s.replayed));
        const caught = samples.slice(i).find((later) => later.replayed >= s.primary);
        if (caught !== undefined) lags.push(caught.at - s.at);
      }
    },
  };
}

interface TileResults {
  size: number;
  tiles: LoadResult[];
  bundles: LoadResult[];
  proofs: LoadResult[];
}

/** A log of LOG_SIZE entries, one hub process: full hash tiles and entry bundles at random against inclusion proofs at random. */
async function benchTiles(pair: PgPair, dir: string, base: Record<string, string>): Promise<TileResults> {
  progress(`tiles: filling a log of ${LOG_SIZE} entries`);
  const db = await createDatabaseOn(pair.primary, 'bench_scale_tiles');
  const database = await openDatabase({ databaseUrl: db.url, dataDir: dir }, { migrate: true });
  const store = new MemoryHashStore();
  for (let start = 0; start < LOG_SIZE; start += 20_000) {
    const entries = Array.from({ length: Math.min(20_000, LOG_SIZE - start) }, (_, i) => Buffer.from(JSON.stringify({ v: 1, kind: 'opinion', ts: 1, by: 'agency:bench', recordSha256: `${'A'.repeat(37)}${String(start + i).padStart(6, '0')}` })));
    const made = store.append(entries.map(leafHash));
    await database.dataSource.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [made.map((m) => m.index), made.map((m) => Buffer.from(m.hash))]);
    await database.dataSource.query(`INSERT INTO tlog_entries (idx, kind, entry, created_at) SELECT t.idx, 'opinion', t.entry, now() FROM unnest($1::bigint[], $2::bytea[]) AS t(idx, entry)`, [entries.map((_, i) => start + i), entries]);
  }
  await database.dataSource.query(`UPDATE tlog_state SET size = $1`, [LOG_SIZE]);
  await database.close();
  const hub = await spawnHub({ ...base, DATABASE_URL: db.url, DATA_DIR: path.join(dir, 'data-tiles') });
  const fullTiles = Math.floor(LOG_SIZE / 256);
  const results: TileResults = { size: LOG_SIZE, tiles: [], bundles: [], proofs: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      progress(`round ${r + 1}/${ROUNDS}: tiles, bundles, proofs`);
      const random = (n: number): number => Math.floor(Math.random() * n);
      results.tiles.push(await runLoad({ url: hub.url, concurrency: 32, seconds: LOAD_SECONDS, body: () => ({ method: 'GET', path: `/log/${tilePath({ level: 0, index: random(fullTiles), width: 256 })}` }) }));
      results.bundles.push(await runLoad({ url: hub.url, concurrency: 32, seconds: LOAD_SECONDS, body: () => ({ method: 'GET', path: `/log/${entryBundlePath({ index: random(fullTiles), width: 256 })}` }) }));
      results.proofs.push(await runLoad({ url: hub.url, concurrency: 32, seconds: LOAD_SECONDS, body: () => ({ method: 'GET', path: `/log/proof/inclusion?index=${random(LOG_SIZE)}&size=${LOG_SIZE}` }) }));
    }
  } finally {
    await stop(hub);
  }
  return results;
}

interface LimiterResults {
  runs: Array<{ shared: number; local: number; sharedLeasesPer1000: number }>;
}

/** take() from 32 concurrent callers over 100 keys for 2 s, on the hub's generous benchmark limits: decisions/s, and leases (writes) per 1,000 decisions. */
async function benchRateLimiter(pair: PgPair): Promise<LimiterResults> {
  progress('rate limiter: shared against per process');
  const db = await createDatabaseOn(pair.primary, 'bench_scale_limits');
  const database = await openDatabase({ databaseUrl: db.url, dataDir: tmpdir() }, { migrate: true });
  const limits = { perMinute: 600_000, burst: 10_000 };
  const results: LimiterResults = { runs: [] };
  const drive = async (limiter: RateLimiter): Promise<number> => {
    let decisions = 0;
    const deadline = performance.now() + (quick ? 1000 : 2000);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await limiter.take(`key-${(c * 31 + i) % 100}`, Date.now());
        decisions++;
      }
    }));
    return decisions / ((performance.now() - t0) / 1000);
  };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const shared = createSharedRateLimiter({ ...limits, db: database.dataSource, logger: silent });
      const sharedRate = await drive(shared);
      const local = await drive(createRateLimiter(limits));
      results.runs.push({ shared: sharedRate, local, sharedLeasesPer1000: (1000 * shared.stats().leases) / shared.stats().decisions });
    }
  } finally {
    await database.close();
  }
  return results;
}

async function stop(hub: HubProcess): Promise<void> {
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  hub.child.kill('SIGTERM');
  await hub.exited;
}

function stats(values: readonly number[]): { median: number; min: number } {
  return { median: median(values), min: Math.min(...values) };
}

function report(r: { started: Date; ingest: Map<string, number[]>; lookups: Map<string, LoadResult[]>; lags: number[]; lagBytes: number[]; catchUpMs: number; tiles: TileResults; limiter: LimiterResults }): string[] {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en');
  const ingest1 = stats(r.ingest.get('1')!).median;
  const lookup1 = stats(r.lookups.get('1')!.map((x) => x.perSecond)).median;
  const row = (label: string, key: string): string => {
    const ing = stats(r.ingest.get(key)!);
    const look = stats(r.lookups.get(key)!.map((x) => x.perSecond));
    const p95 = median(r.lookups.get(key)!.map((x) => x.p95Ms));
    return `| ${label} | ${fmt(ing.median)} (min ${fmt(ing.min)}) | **${round(ing.median / ingest1)}** | ${fmt(look.median)} (min ${fmt(look.min)}) | **${round(look.median / lookup1)}** | ${round(p95, 1)} |`;
  };
  const sorted = [...r.lags].sort((a, b) => a - b);
  const pct = (p: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0, 1);
  const tile = stats(r.tiles.tiles.map((x) => x.perSecond));
  const bundle = stats(r.tiles.bundles.map((x) => x.perSecond));
  const proof = stats(r.tiles.proofs.map((x) => x.perSecond));
  const shared = stats(r.limiter.runs.map((x) => x.shared));
  const local = stats(r.limiter.runs.map((x) => x.local));
  return [
    '# Scale-out benchmarks',
    '',
    `Measured by \`npm run bench:scale\` on ${r.started.toISOString().slice(0, 10)}${quick ? ' (quick mode)' : ''}: ${ROUNDS} rounds, the configurations taking turns within each; medians, with the minimum of the rounds. Ratios are to one hub process in the same run.`,
    '',
    `- ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node.js ${process.version}; PostgreSQL 15 primary (fsync and synchronous commit on) and a streaming replica on the same machine, started for the run. The load generator runs on the same cores.`,
    '',
    '## Hub processes on one Postgres',
    '',
    `Ingest: ${BATCHES} signed batches of ${BATCH_SIZE} KEYWORD indicators per round, 8 in flight. \`indicator(id)\`: 32 keep-alive clients for ${LOAD_SECONDS} s over ${fmt(INDICATORS)} indicators, a real agency token (rate limit set out of reach, but still taken for every request: the shared limiter's leases are part of the cost), every request in the access audit. \`wildintel hub --workers N\`.`,
    '',
    '| hub processes | ingest indicators/s | ratio | `indicator(id)` requests/s | ratio | p95 ms |',
    '|---|---|---|---|---|---|',
    ...PROCESSES.map((n) => row(String(n), String(n))),
    row('1, reads on the replica', 'replica'),
    '',
    '## Replica lag',
    '',
    `While ingest ran into the deployment with a replica, about every 10 ms (two queries on open connections): how long until the replica had replayed what the primary had flushed at that moment. ${sorted.length} samples: p50 **${pct(0.5)} ms**, p95 **${pct(0.95)} ms**, max ${pct(1)} ms; at most ${fmt(Math.max(0, ...r.lagBytes) / 1024)} KiB of WAL behind. After the last round the replica caught up in ${round(r.catchUpMs, 1)} ms.`,
    '',
    '## Tiles against proofs',
    '',
    `A log of ${fmt(r.tiles.size)} entries, one hub process, 32 clients for ${LOAD_SECONDS} s: random full level-0 hash tiles (8 KiB) and entry bundles (256 entries, gzip off), against random inclusion proofs from the proof endpoint. A client computes an inclusion proof from 1 to 3 tiles (one per level: ${Math.ceil(Math.log2(r.tiles.size) / 8)} here), and full tiles are immutable, so a CDN or mirror answers them after the first fetch.`,
    '',
    '| | requests/s | ratio to proofs |',
    '|---|---|---|',
    `| full hash tile | ${fmt(tile.median)} (min ${fmt(tile.min)}) | **${round(tile.median / proof.median)}** |`,
    `| full entry bundle | ${fmt(bundle.median)} (min ${fmt(bundle.min)}) | **${round(bundle.median / proof.median)}** |`,
    `| inclusion proof (baseline) | ${fmt(proof.median)} (min ${fmt(proof.min)}) | 1 |`,
    '',
    '## The shared rate limiter',
    '',
    'Decisions per second from 32 concurrent callers over 100 keys, on limits the callers stay under (the common case: every decision is an admission), for the leased hub-wide limiter (Postgres) against the per-process token buckets.',
    '',
    '| | decisions/s | ratio | database writes per 1,000 decisions |',
    '|---|---|---|---|',
    `| shared (leases from Postgres) | ${fmt(shared.median)} (min ${fmt(shared.min)}) | **${round(shared.median / local.median, 3)}** | ${round(median(r.limiter.runs.map((x) => x.sharedLeasesPer1000)), 2)} |`,
    `| per process (baseline) | ${fmt(local.median)} (min ${fmt(local.min)}) | 1 | 0 |`,
  ];
}

await main();
