/**
 * `indicator(id)` throughput and latency under 32 concurrent clients: the hub (GraphQL over HTTP,
 * a real process on Postgres, with a real agency token: verified on every request, rate-limited,
 * and every request recorded in the access audit before it is answered) against a bare HTTP + pg
 * server answering the same lookup with the same visibility, in the same run on the same database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../src/db/index.js';
import { indicatorId } from '../src/indicators/index.js';
import { runCli, spawnHub } from '../test/helpers/hub-process.js';
import { createBenchDatabase } from './bench-db.js';
import { readFileSync } from 'node:fs';
import { median, round, runLoad, type LoadResult } from './load.js';

export interface GraphqlBenchResult {
  hub: LoadResult;
  bare: LoadResult;
  /** CPU milliseconds per request of the hub's and the baseline's process (median of the runs): what a request costs whatever else the machine runs. */
  cpuMsPerRequest: { hub: number; bare: number };
  ratio: number;
  indicators: number;
  concurrency: number;
  runs: number;
}

async function seed(url: string, count: number): Promise<string[]> {
  const database = await openDatabase({ databaseUrl: url, dataDir: tmpdir() }, { migrate: true });
  const db = database.dataSource;
  await db.query(`INSERT INTO members (slug, name) VALUES ('shopmart', 'ShopMart')`);
  const batchId = randomUUID();
  await db.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ('shopmart', $1, 'AMBER', now(), $2, 'x', 'x')`, [batchId, count]);
  const values = Array.from({ length: count }, (_, i) => `keyword${i}`);
  const ids = values.map((v) => indicatorId('KEYWORD', v));
  await db.query(`INSERT INTO indicators (id, type, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, [ids, values.map(() => 'KEYWORD'), values]);
  await db.query(
    `INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp) SELECT id, 'shopmart', $2, now(), 'IVORY', 80, 'AMBER' FROM unnest($1::text[]) AS id`,
    [ids, batchId],
  );
  await database.close();
  return ids;
}

/** A process's CPU time so far (user + system, every thread), from /proc: ms. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A load run, with the CPU the serving process spent per answered request. */
async function measured(pid: number | undefined, run: () => Promise<LoadResult>): Promise<{ load: LoadResult; cpuMs: number }> {
  const before = processCpuMs(pid);
  const load = await run();
  return { load, cpuMs: (processCpuMs(pid) - before) / Math.max(1, load.requests) };
}

async function startBare(url: string): Promise<{ url: string; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bare-server.ts')], { env: { ...process.env, BENCH_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

export async function benchGraphql(opts: { seconds?: number; runs?: number; concurrency?: number; indicators?: number } = {}): Promise<GraphqlBenchResult> {
  const { seconds = 5, runs = 5, concurrency = 32, indicators = 10_000 } = opts;
  const database = await createBenchDatabase();
  const certsDir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-certs-'));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'wildintel-bench-data-'));
  try {
    const ids = await seed(database.url, indicators);
    // A fixed HUB_ORIGIN: the CLI issues the token in its own process and must name the hub's issuer.
    const env = { DATABASE_URL: database.url, CERTS_DIR: certsDir, DATA_DIR: dataDir, HUB_ORIGIN: 'http://bench.hub', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' };
    const hub = await spawnHub(env, { nodeFlags: hubFlags() });
    const token = await issueToken(env);
    await assertAnswers(hub.url, token, ids[0]!);
    const bare = await startBare(database.url);
    const query = JSON.stringify({ query: 'query($id: ID!) { indicator(id: $id) { id type value sightingCount } }' });
    const pick = (i: number): string => ids[(i * 7919) % ids.length]!;
    const hubRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    const hubCpu: number[] = [];
    const bareCpu: number[] = [];
    try {
      for (let r = 0; r < runs; r++) {
        const b = await measured(bare.pid, () => runLoad({ url: bare.url, concurrency, seconds, body: (i) => ({ method: 'GET', path: `/indicator?id=${pick(i)}` }) }));
        bareRuns.push(b.load);
        bareCpu.push(b.cpuMs);
        const h = await measured(hub.child.pid, () =>
          runLoad({
            url: hub.url,
            concurrency,
            seconds,
            body: (i) => ({ method: 'POST', path: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: query.replace('}"}', `}","variables":{"id":"${pick(i)}"}}`) }),
          }),
        );
        hubRuns.push(h.load);
        hubCpu.push(h.cpuMs);
      }
    } finally {
      bare.stop();
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    const hubResult = medianRun(hubRuns);
    const bareResult = medianRun(bareRuns);
    return { hub: hubResult, bare: bareResult, cpuMsPerRequest: { hub: round(median(hubCpu), 3), bare: round(median(bareCpu), 3) }, ratio: Math.round((hubResult.perSecond / bareResult.perSecond) * 100) / 100, indicators, concurrency, runs };
  } finally {
    await database.drop();
    await rm(certsDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** BENCH_HUB_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`): Node flags for the hub process only, to profile it under the benchmark's load. */
const hubFlags = (): string[] => (process.env['BENCH_HUB_FLAGS'] ?? '').split(' ').filter((f) => f !== '');

/** A real agency token (AMBER, indicators:read) issued through the CLI, as an analyst would get one. */
async function issueToken(env: Record<string, string>): Promise<string> {
  const add = await runCli(['agency', 'add', 'bench', '--name', 'Benchmark agency'], env);
  if (add.code !== 0) throw new Error(add.stderr);
  const issued = await runCli(['token', 'issue', '--agency', 'bench', '--sub', 'load', '--scope', 'indicators:read', '--tlp', 'AMBER', '--ttl', '2h'], env);
  if (issued.code !== 0) throw new Error(issued.stderr);
  return issued.stdout.trim();
}

/** One request by hand first, so that a benchmark of refusals cannot pass for one of answers. */
async function assertAnswers(url: string, token: string, id: string): Promise<void> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: 'query($id: ID!) { indicator(id: $id) { id } }', variables: { id } }),
  });
  const body = (await res.json()) as { data?: { indicator: { id: string } | null }; errors?: unknown };
  if (body.data?.indicator?.id !== id) throw new Error(`the hub does not answer the benchmark's query: ${JSON.stringify(body)}`);
}

/** The run with the median throughput, so its latencies belong to the same run. */
function medianRun(runs: LoadResult[]): LoadResult {
  const m = median(runs.map((r) => r.perSecond));
  return runs.reduce((best, r) => (Math.abs(r.perSecond - m) < Math.abs(best.perSecond - m) ? r : best));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchGraphql().then((r) => console.log(JSON.stringify(r, null, 2)));
}
