/**
 * `npm run soak`: a steady mixed load on a federation of real processes — a hub on Postgres and
 * three member nodes (embedded PGlite each) — for a few minutes: the nodes' pipelines post
 * observations without pause while three analysts query the hub over GraphQL with real tokens
 * (`indicators`, `matchText`, `matchImage`). It samples the hub's memory (RSS and heap from
 * /metrics) and the nodes' RSS, records latency percentiles per interval, writes a report
 * (docs/soak.md by default) and exits 1 if any request failed, if anything was not delivered
 * exactly once, or if the hub's memory grew without bound: the median RSS of the last third of
 * the run more than 1.5× that of the first third (after a warm-up that is not measured).
 *
 *   npm run soak -- [--minutes 3] [--interval-seconds 60] [--warmup-seconds 30] [--out docs/soak.md]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startFeeder, type Feeder, type MadeIndicator } from '../test/helpers/observation-feed.js';
import { startProcessFederation, type ProcessFederation } from '../test/helpers/process-federation.js';
import { DEFAULT_BENCH_SERVER } from './bench-db.js';
import { median, round } from './load.js';

interface Options {
  minutes: number;
  intervalSeconds: number;
  warmupSeconds: number;
  out: string;
}

const MEMBERS = ['shopmart', 'chatapp', 'searchco'];
/** Per node: a request of 4 observations every 400 ms (10/s), a photo in every 8th. */
const FEED = { intervalMs: 400, observationsPerRequest: 4, imageEvery: 8 };
/** Per analyst (one token each, well under the hub's default rate limit of 600/min). */
const QUERIES_PER_SECOND = 4;
const SAMPLE_MS = 5000;
const GROWTH_LIMIT = 1.5;
const KINDS = ['publish', 'indicators', 'matchText', 'matchImage'] as const;
type Kind = (typeof KINDS)[number];

interface Sample {
  readonly at: number;
  readonly kind: Kind;
  readonly ms: number;
}
interface MemorySample {
  readonly at: number;
  readonly hubRss: number;
  readonly hubHeap: number;
  readonly nodesRss: number;
}

const positive = (name: string) => (text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};

function parseOptions(argv: string[]): Options {
  return new Command('npm run soak --')
    .option('--minutes <n>', 'how long the measured load runs', positive('--minutes'), 3)
    .option('--interval-seconds <n>', 'length of one row of the report', positive('--interval-seconds'), 60)
    .option('--warmup-seconds <n>', 'load before measuring (not in the figures)', positive('--warmup-seconds'), 30)
    .option('--out <file>', 'where the report goes', path.resolve(import.meta.dirname, '../docs/soak.md'))
    .parse(argv)
    .opts<Options>();
}

const say = (text: string): void => void process.stderr.write(`${text}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number): number => round(bytes / 2 ** 20, 1);

/** What the analysts ask about: indicators the hub is known to hold, refreshed as the run goes. */
interface QueryPool {
  keywords: string[];
  images: string[];
}

async function refreshPool(fed: ProcessFederation, feeders: readonly Feeder[], pool: QueryPool): Promise<void> {
  const made = feeders.flatMap((f) => f.made).filter((m) => m.type === 'KEYWORD' || m.type === 'IMAGE_PDQ');
  const held = new Set((await fed.hubQuery<{ id: string }>(`SELECT id FROM indicators WHERE id = ANY($1)`, [made.map((m) => m.id)])).map((r) => r.id));
  const at = (type: string): string[] => made.filter((m: MadeIndicator) => m.type === type && held.has(m.id)).map((m) => m.value);
  pool.keywords = at('KEYWORD');
  pool.images = at('IMAGE_PDQ');
}

/** One analyst: a GraphQL query of its kind at a steady pace; every answer is checked. */
function startAnalyst(hubUrl: string, token: string, kind: Exclude<Kind, 'publish'>, pool: QueryPool, record: (ms: number, error?: string) => void): () => Promise<void> {
  let stopped = false;
  const pick = (list: string[], i: number): string => list[(i * 7919) % list.length]!;
  const request = (i: number): { query: string; variables: Record<string, unknown>; check: (data: Record<string, unknown>) => boolean } => {
    switch (kind) {
      case 'indicators': {
        const filters = [{ type: 'KEYWORD' }, { commodity: 'IVORY' }, { member: MEMBERS[i % MEMBERS.length] }, { keywordContains: '象牙' }];
        // As an analyst pages: the total asked for now and then (it reads every match), pages often.
        const withTotal = i % 4 === 0;
        return {
          query: `query($f: IndicatorFilter) { indicators(filter: $f, first: 20) { ${withTotal ? 'totalCount ' : ''}edges { node { id type value members } } } }`,
          variables: { f: filters[Math.floor(i / 4) % filters.length] },
          check: (d) => {
            const connection = d['indicators'] as { totalCount?: number; edges: unknown[] };
            return connection.edges.length > 0 && (!withTotal || (connection.totalCount ?? 0) >= connection.edges.length);
          },
        };
      }
      case 'matchText':
        return { query: 'query($t: String!) { matchText(text: $t) { start end matched indicator { id members } } }', variables: { t: `出售 ${pick(pool.keywords, i)}，包邮` }, check: (d) => (d['matchText'] as unknown[]).length > 0 };
      case 'matchImage':
        return { query: 'query($h: String!) { matchImage(pdq: $h, maxDistance: 31) { distance indicator { id members } } }', variables: { h: pick(pool.images, i) }, check: (d) => (d['matchImage'] as Array<{ distance: number }>)[0]?.distance === 0 };
    }
  };
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const { query, variables, check } = request(i);
      const started = performance.now();
      let error: string | undefined;
      try {
        const res = await fetch(`${hubUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
        if (res.status !== 200 || body.errors?.length || !body.data) error = `${kind}: HTTP ${res.status} ${body.errors?.[0]?.extensions?.code ?? ''} ${body.errors?.[0]?.message ?? ''}`.trim();
        else if (!check(body.data)) error = `${kind}: no result for ${JSON.stringify(variables)}`;
      } catch (err) {
        error = `${kind}: ${(err as Error).message}`;
      }
      const ms = performance.now() - started;
      record(ms, error);
      await sleep(Math.max(0, 1000 / QUERIES_PER_SECOND - ms));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function sampleMemory(fed: ProcessFederation): Promise<MemorySample> {
  const text = await (await fetch(`${fed.hubUrl}/metrics`)).text();
  const metric = (name: string): number => Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)`, 'm').exec(text)?.[1] ?? NaN);
  const rssOf = (pid: number | undefined): number => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
    } catch {
      return NaN;
    }
  };
  return { at: Date.now(), hubRss: metric('wildintel_process_resident_memory_bytes'), hubHeap: metric('wildintel_nodejs_heap_size_used_bytes'), nodesRss: fed.nodes.reduce((sum, n) => sum + rssOf(n.process.child.pid), 0) };
}

function percentiles(values: number[]): string {
  if (values.length === 0) return '—';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  return `${at(0.5)} / ${at(0.95)} / ${at(0.99)}`;
}

/** The median of the first and of the last third of the samples, and their ratio. */
function growth(values: readonly number[]): { first: number; last: number; ratio: number } {
  const third = Math.max(1, Math.floor(values.length / 3));
  const first = median(values.slice(0, third));
  const last = median(values.slice(-third));
  return { first, last, ratio: round(last / first) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_BENCH_SERVER;
  say(`starting a hub on Postgres and ${MEMBERS.length} member nodes…`);
  const fed = await startProcessFederation({ server, members: MEMBERS, databasePrefix: 'wildintel_soak', nodeEnv: { NODE_BATCH_DELAY_MS: '500', NODE_FEED_INTERVAL_MS: '2000' } });
  const errors: string[] = [];
  let exitCode = 1;
  try {
    const scope = 'indicators:read match:text match:image';
    const tokens = Object.fromEntries(
      await Promise.all((['indicators', 'matchText', 'matchImage'] as const).map(async (kind) => [kind, await fed.token('soak-analysts', scope, 'AMBER')] as const)),
    );
    const samples: Sample[] = [];
    const memory: MemorySample[] = [];
    let measuring = false;
    const record = (kind: Kind) => (ms: number, error?: string): void => {
      if (error !== undefined) errors.push(error);
      if (measuring) samples.push({ at: Date.now(), kind, ms });
    };
    const feeders = fed.nodes.map((node) => startFeeder(node, { ...FEED, onRequest: (ms, ok) => record('publish')(ms, ok ? undefined : 'publish failed') }));
    say(`warming up for ${options.warmupSeconds} s (publishes only)…`);
    await sleep(options.warmupSeconds * 1000);
    const pool: QueryPool = { keywords: [], images: [] };
    for (let tries = 0; pool.keywords.length === 0 || pool.images.length === 0; tries++) {
      if (tries > 60) throw new Error('nothing the nodes published reached the hub');
      await refreshPool(fed, feeders, pool);
      if (pool.keywords.length === 0 || pool.images.length === 0) await sleep(500);
    }
    const started = Date.now();
    const end = started + options.minutes * 60_000;
    measuring = true;
    const analysts = (['indicators', 'matchText', 'matchImage'] as const).map((kind) => startAnalyst(fed.hubUrl, tokens[kind]!, kind, pool, record(kind)));
    say(`measuring for ${options.minutes} min: ${MEMBERS.length} × ${(FEED.observationsPerRequest * 1000) / FEED.intervalMs} observations/s, 3 × ${QUERIES_PER_SECOND} queries/s`);
    let nextRow = started + options.intervalSeconds * 1000;
    while (Date.now() < end) {
      memory.push(await sampleMemory(fed));
      if (Date.now() >= nextRow) {
        const row = samples.filter((s) => s.at >= nextRow - options.intervalSeconds * 1000 && s.at < nextRow);
        say(`  ${Math.round((nextRow - started) / 1000)} s: ${row.length} requests, hub RSS ${mib(memory.at(-1)!.hubRss)} MiB, ${errors.length} errors`);
        nextRow += options.intervalSeconds * 1000;
        await refreshPool(fed, feeders, pool);
      }
      await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
    }
    memory.push(await sampleMemory(fed));
    measuring = false;
    await Promise.all(analysts.map((stop) => stop()));
    await Promise.all(feeders.map((f) => f.stop()));
    const seconds = (Date.now() - started) / 1000;
    say('waiting for the nodes to deliver everything…');
    const statuses = await fed.drained(120_000);
    const delivery = await checkDelivery(fed, feeders);
    errors.push(...delivery.problems);
    const logErrors = [fed.hub, ...fed.nodes.map((n) => n.process)].flatMap((p) => p.logs.filter((l) => /"level":(50|60)/.test(l)));
    errors.push(...logErrors.map((l) => `error logged: ${l.slice(0, 300)}`));
    if (statuses.some((s) => s.alarms.count > 0)) errors.push(`audit alarms on the nodes: ${statuses.map((s) => s.alarms.count).join(', ')}`);
    const hubGrowth = growth(memory.map((m) => m.hubRss));
    const nodesGrowth = growth(memory.map((m) => m.nodesRss));
    if (!Number.isFinite(hubGrowth.ratio)) errors.push('the hub did not report its memory on /metrics');
    const grew = hubGrowth.ratio > GROWTH_LIMIT;
    const report = writeReport(options, { seconds, samples, memory, started, errors, hubGrowth, nodesGrowth, delivered: delivery.indicators, grew });
    writeFileSync(options.out, report);
    say(`wrote ${path.relative(process.cwd(), options.out)}`);
    exitCode = errors.length === 0 && !grew ? 0 : 1;
    say(exitCode === 0 ? `soak passed: hub RSS ratio ${hubGrowth.ratio}, no errors` : `soak FAILED: ${errors.length} errors${grew ? `, hub RSS grew ${hubGrowth.ratio}×` : ''}\n${errors.slice(0, 10).join('\n')}`);
  } finally {
    await fed.close();
  }
  process.exitCode = exitCode;
}

/** Every indicator each node made is at the hub, sighted once by that member. */
async function checkDelivery(fed: ProcessFederation, feeders: readonly Feeder[]): Promise<{ indicators: number; problems: string[] }> {
  const problems: string[] = [];
  let indicators = 0;
  for (const [i, node] of fed.nodes.entries()) {
    const made = new Set(feeders[i]!.made.map((m) => m.id));
    const rows = await fed.hubQuery<{ indicator_id: string; n: number }>(`SELECT indicator_id, count(*)::int AS n FROM sightings WHERE member = $1 GROUP BY indicator_id`, [node.slug]);
    const atHub = new Set(rows.map((r) => r.indicator_id));
    const missing = [...made].filter((id) => !atHub.has(id)).length;
    const twice = rows.filter((r) => r.n !== 1).length;
    const unknown = rows.filter((r) => !made.has(r.indicator_id)).length;
    if (missing + twice + unknown > 0) problems.push(`${node.slug}: ${missing} indicators missing at the hub, ${twice} sighted more than once, ${unknown} never made`);
    indicators += made.size;
  }
  return { indicators, problems };
}

interface Results {
  seconds: number;
  samples: Sample[];
  memory: MemorySample[];
  started: number;
  errors: string[];
  hubGrowth: ReturnType<typeof growth>;
  nodesGrowth: ReturnType<typeof growth>;
  delivered: number;
  grew: boolean;
}

/** The options that differ from the defaults, as they are typed after `npm run soak --`. */
function commandArgs(options: Options): string {
  const given = [options.minutes !== 3 && `--minutes ${options.minutes}`, options.intervalSeconds !== 60 && `--interval-seconds ${options.intervalSeconds}`, options.warmupSeconds !== 30 && `--warmup-seconds ${options.warmupSeconds}`].filter(Boolean);
  return given.length === 0 ? '' : ` -- ${given.join(' ')}`;
}

function writeReport(options: Options, r: Results): string {
  const interval = options.intervalSeconds * 1000;
  const rows: string[] = [];
  for (let from = r.started; from < r.started + options.minutes * 60_000 - 1; from += interval) {
    const inRow = <T extends { at: number }>(list: T[]): T[] => list.filter((s) => s.at >= from && s.at < from + interval);
    const cells = KINDS.map((kind) => {
      const ms = inRow(r.samples).filter((s) => s.kind === kind).map((s) => s.ms);
      return `${ms.length} · ${percentiles(ms)}`;
    });
    const mem = inRow(r.memory);
    const label = options.intervalSeconds === 60 ? `${(from - r.started) / interval + 1}` : `${Math.round((from - r.started) / 1000)}–${Math.round((from - r.started + interval) / 1000)} s`;
    rows.push(`| ${label} | ${cells.join(' | ')} | ${mib(median(mem.map((m) => m.hubRss)))} | ${mib(median(mem.map((m) => m.hubHeap)))} | ${mib(median(mem.map((m) => m.nodesRss)))} |`);
  }
  const verdict = r.errors.length === 0 && !r.grew ? '**PASS**' : '**FAIL**';
  return [
    '# Soak',
    '',
    `Measured by \`npm run soak${commandArgs(options)}\` on ${new Date(r.started).toISOString().slice(0, 16).replace('T', ' ')} UTC: ${round(r.seconds / 60, 1)} min of steady mixed load after a ${options.warmupSeconds} s warm-up. Verdict: ${verdict}.`,
    '',
    `- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; ${platform()} ${release()}; Node.js ${process.version}; PostgreSQL on the same machine.`,
    `- Processes: a hub (\`wildintel hub\`, Postgres) and ${MEMBERS.length} member nodes (\`wildintel node\`, embedded PGlite each), as in production; the load generator is a separate process.`,
    `- Publishes: each node's pipeline posts ${FEED.observationsPerRequest} observations every ${FEED.intervalMs} ms (code words, seller e-mail addresses and accounts; a product photo in every ${FEED.imageEvery}th request) through the platform API; the nodes sign and deliver them in batches. Latency is the platform API's answer (the observations are durable in the node's outbox).`,
    `- Queries: three analysts, each with a real agency token (AMBER; \`indicators:read match:text match:image\`), ${QUERIES_PER_SECOND} requests/s each: \`indicators\` with a rotating filter (\`totalCount\` selected in one request of four, as an analyst paging on leaves it out), \`matchText\` on a listing that contains a published code word, \`matchImage\` with a published PDQ hash; every answer is checked (non-empty, exact match found).`,
    '',
    `## Per ${options.intervalSeconds === 60 ? 'minute' : `${options.intervalSeconds} s`}`,
    '',
    'Requests and latency p50 / p95 / p99 in ms; memory as the median of samples every 5 s (hub from its `/metrics`, nodes summed from `/proc`).',
    '',
    '| interval | publishes | `indicators` | `matchText` | `matchImage` | hub RSS MiB | hub heap MiB | 3 nodes RSS MiB |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Memory',
    '',
    `Hub RSS: median ${mib(r.hubGrowth.first)} MiB in the first third of the run, ${mib(r.hubGrowth.last)} MiB in the last: **${r.hubGrowth.ratio}×** (fails above ${GROWTH_LIMIT}×). The three nodes together: ${mib(r.nodesGrowth.first)} → ${mib(r.nodesGrowth.last)} MiB (${r.nodesGrowth.ratio}×). The hub's matching indexes hold every published code word and image hash, so some growth with the data is expected; growth without bound is not.`,
    '',
    '## Errors and delivery',
    '',
    `${r.delivered.toLocaleString('en')} indicators made by the nodes during the run; after it, the hub's database was checked for each: sighted exactly once by its member.`,
    r.errors.length === 0 ? 'No request failed, no answer was wrong, no error was logged by the hub or a node, no audit alarm.' : `${r.errors.length} errors:\n\n${r.errors.slice(0, 20).map((e) => `- ${e}`).join('\n')}`,
    '',
  ].join('\n');
}

await main();
