/**
 * `npm run bench`: every benchmark in one run, each figure beside its baseline from the same run,
 * written to docs/benchmarks.md. Progress goes to stderr. BENCH_DATABASE_URL picks the Postgres
 * server (default postgres://postgres@127.0.0.1:5432/postgres); `--quick` shortens every part;
 * `--only TEXT` runs the sections whose title contains TEXT and replaces just those in the file.
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { benchGraphql } from './graphql.js';
import { benchIngest } from './ingest.js';
import { benchTlog } from './tlog.js';
import { benchPdq } from './pdq.js';
import { benchMatching } from './matching.js';
import { benchDihedral, dihedralSection, DIHEDRAL_SECTION_TITLE } from './dihedral.js';
import { benchInterop, interopSection, INTEROP_SECTION_TITLE } from './interop.js';
import { benchTextPath, textPathSection, TEXT_PATH_SECTION_TITLE } from './text-path.js';
import { benchIdentifiers, identifiersSection, IDENTIFIERS_SECTION_TITLE } from './identifiers.js';
import { benchIdleMemory, idleMemorySection, IDLE_MEMORY_SECTION_TITLE } from './idle-memory.js';
import { benchCliStartup, cliStartupSection, CLI_STARTUP_SECTION_TITLE } from './cli-startup.js';
import { median, round } from './load.js';
import { DEFAULT_BENCH_SERVER } from './bench-db.js';
import { benchConsole } from './console.js';
import { benchGuards, guardsSection, GUARDS_SECTION_TITLE } from './guards.js';
import { benchTiles, tilesSection, TILES_SECTION_TITLE } from './tiles.js';
import { benchModel, modelSection, MODEL_SECTION_TITLE } from './model.js';

const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;

interface Section {
  title: string;
  run: () => Promise<string[]>;
}

const sections: Section[] = [
  {
    title: 'Ingest: signed batches end to end vs plain multi-row INSERT',
    run: async () => {
      const r = await benchIngest(quick ? { batches: 6, runs: 1 } : {});
      return [
        `${r.batches} batches of ${r.batchSize} KEYWORD indicators per run and version, ${r.concurrency} concurrent clients, median of ${r.runs.endToEnd.length} runs (version 1 and version 2 in alternating order), Postgres.`,
        '',
        '| | indicators/s | runs |',
        '|---|---|---|',
        `| end to end, version 1 (JWS): HTTP → verify PS256 chain and signature → validate → store → log → receipt | **${r.endToEndPerSecond}** | ${r.runs.endToEnd.join(', ')} |`,
        `| end to end, version 2 (SD-JWT): the same, and every disclosure decoded, hashed and matched to its digest | **${r.endToEndV2PerSecond}** | ${r.runs.endToEndV2.join(', ')} |`,
        `| baseline: the same rows by plain multi-row INSERT over pg | ${r.baselinePerSecond} | ${r.runs.baseline.join(', ')} |`,
        `| ratio, version 1 to baseline | **${r.ratio}** (target ≥ 0.40; and ≥ 10,000/s) | |`,
        `| ratio, version 2 to version 1 | **${r.v2VsV1}** (target ≥ 0.9) | |`,
        '',
        `Bytes per indicator on the wire (and in the batches table): **${r.wireBytesPerIndicator.v1}** in version 1, **${r.wireBytesPerIndicator.v2}** in version 2 (a 22-character salt and the JSON array around each item, base64url, plus its 43-character digest in the signed payload). A version 2 view of one item of a ${r.batchSize}-item batch is **${r.oneItemViewBytes} bytes** (the signed JWT with a digest per item, and one disclosure).`,
        '',
        `Storage: the hub's database takes **${r.hubBytesPerIndicator} bytes per indicator** on disk after these runs, half of each version (indicator, sighting, indexes, the batch with its signed JWS or SD-JWT, the log's entries and stored hashes, checkpoints).`,
      ];
    },
  },
  {
    title: 'indicator(id) under concurrency vs a bare HTTP + pg server',
    run: async () => {
      const r = await benchGraphql(quick ? { seconds: 2, runs: 1 } : {});
      const row = (name: string, x: typeof r.hub): string => `| ${name} | ${x.perSecond} | ${x.p50Ms} | ${x.p95Ms} | ${x.p99Ms} | ${x.errors} |`;
      return [
        `${r.concurrency} concurrent keep-alive clients, ${r.indicators} indicators, the median of ${r.runs} runs, hub and baseline alternating; the hub is a separate process on Postgres, called with a real agency token (its EdDSA signature verified on first use and the token then remembered; its key, time claims and revocation checked on every request; rate-limited; every request recorded in the access audit before it is answered, the records of concurrent requests written together by group commit) and logging one line per request; the baseline runs the same visibility-restricted SQL with none of that.`,
        '',
        '| | requests/s | p50 ms | p95 ms | p99 ms | errors | CPU ms per request |',
        '|---|---|---|---|---|---|---|',
        `${row('hub: GraphQL `indicator(id)`', r.hub)} ${r.cpuMsPerRequest.hub} |`,
        `${row('baseline: bare HTTP + pg, same SQL, no token', r.bare)} ${r.cpuMsPerRequest.bare} |`,
        `| ratio | **${r.ratio}** (target ≥ 0.6) | | | | | ${round(r.cpuMsPerRequest.hub / r.cpuMsPerRequest.bare, 1)}× |`,
        '',
        'CPU ms per request: the serving process\'s CPU time (every thread, from /proc) over the requests it answered in the median run, the figure least moved by other work on the machine (Postgres\'s own CPU is not in it). `BENCH_HUB_FLAGS="--cpu-prof --cpu-prof-dir=DIR"` profiles the hub under this load.',
      ];
    },
  },
  {
    title: 'Transparency log: appends and proofs at 1 million entries',
    run: async () => {
      const r = await benchTlog({ ...(quick ? { size: 100_000, proofs: 200, appendSeconds: 2 } : {}), onProgress: (t) => process.stderr.write(`      ${t}\n`) });
      const row = (name: string, db: typeof r.inclusion, mem: typeof r.inclusion): string =>
        `| ${name} | ${db.p50Ms} / ${db.p95Ms} / ${db.p99Ms} | ${mem.p50Ms} / ${mem.p95Ms} / ${mem.p99Ms} |`;
      return [
        `Appends through the database-backed log (each transaction locks the log, appends, stores the new stored hashes and signs the checkpoint): **${r.appendsPerSecond.single}/s** one entry per transaction (bounded by the commit's fsync), **${r.appendsPerSecond.batchOf100}/s** with 100 entries per transaction.`,
        '',
        `Proofs in a tree of ${r.size.toLocaleString('en')} entries, random indexes and sizes; each proof is one query for O(log n) stored hashes.`,
        '',
        '| proof | Postgres p50 / p95 / p99 ms | in memory (baseline) p50 / p95 / p99 ms |',
        '|---|---|---|',
        row('inclusion', r.inclusion, r.inclusionMemory),
        row('consistency', r.consistency, r.consistencyMemory),
      ];
    },
  },
  {
    title: TILES_SECTION_TITLE,
    run: async () => tilesSection(await benchTiles({ ...(quick ? { entries: 20_000, runs: 1 } : {}), onProgress: (t) => process.stderr.write(`      ${t}\n`) })),
  },
  {
    title: 'Exact PDQ matching (radius 31): multi-index vs scans',
    run: async () => {
      const server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_BENCH_SERVER;
      const results = await benchMatching({ ...(quick ? { sizes: [100_000], postgresAt: 100_000, queries: 50 } : {}), databaseUrl: server, onProgress: (t) => process.stderr.write(`      ${t}\n`) });
      const rows = results.pdq;
      return [
        'Random 256-bit hashes; queries are half near-duplicates of stored hashes, half random. The index returns exactly the brute-force matches (asserted in src/matching/pdq-index.test.ts).',
        '',
        '| hashes | index build s | index MiB | index p50 / p95 / p99 ms | JS scan p50 ms | Postgres bit_count scan p50 ms | index vs Postgres |',
        '|---|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.size.toLocaleString('en')} | ${r.buildSeconds} | ${r.memoryMiB} | ${r.index.p50Ms} / ${r.index.p95Ms} / ${r.index.p99Ms} | ${r.scan.p50Ms} | ${r.postgres?.p50Ms ?? '—'} | ${r.postgres ? `**${Math.round(r.postgres.p50Ms / r.index.p50Ms)}×** faster` : '—'} |`),
      ];
    },
  },
  {
    title: DIHEDRAL_SECTION_TITLE,
    run: async () => dihedralSection(await benchDihedral(quick ? { size: 100_000, queries: 100 } : {})),
  },
  {
    title: TEXT_PATH_SECTION_TITLE,
    run: async () => textPathSection(await benchTextPath({ ...(quick ? { textBytes: 512 * 1024, rounds: 3, buildSizes: [50_000, 100_000] } : {}), onProgress: (t) => process.stderr.write(`      ${t}\n`) })),
  },
  {
    title: IDENTIFIERS_SECTION_TITLE,
    run: async () => identifiersSection(await benchIdentifiers({ ...(quick ? { textBytes: 512 * 1024, rounds: 3 } : {}), onProgress: (t) => process.stderr.write(`      ${t}\n`) })),
  },
  {
    title: GUARDS_SECTION_TITLE,
    run: async () => guardsSection(benchGuards(quick ? { keywords: 10_000, textBytes: 256 * 1024, rounds: 3 } : {})),
  },
  {
    title: MODEL_SECTION_TITLE,
    run: async () => modelSection(benchModel(quick ? { count: 3000 } : {})),
  },
  {
    title: CLI_STARTUP_SECTION_TITLE,
    run: async () => cliStartupSection(await benchCliStartup(quick ? 3 : 9)),
  },
  {
    title: IDLE_MEMORY_SECTION_TITLE,
    run: async () => idleMemorySection(await benchIdleMemory((t) => process.stderr.write(`      ${t}\n`))),
  },
  {
    title: INTEROP_SECTION_TITLE,
    run: async () => interopSection(await benchInterop({ indicators: quick ? 100_000 : 1_000_000, onProgress: (t) => process.stderr.write(`      ${t}\n`) })),
  },
  {
    title: 'PDQ images per second on one core (1-megapixel JPEG)',
    run: async () => {
      const r = await benchPdq(quick ? { seconds: 1, runs: 1 } : {});
      const ratio = (wall: number): string => `${round(wall / r.decodeOnlyPerSecond, 2)}×`;
      const row = (name: string, wall: number, cpu: number, target: string): string => `| ${name} | **${wall}** | ${cpu} | ${ratio(wall)} | ${target} |`;
      return [
        `Full-resolution PDQ, bit-exact with the reference (its float32 box filters in WebAssembly compiled from AssemblyScript, src/hashing/assembly/), on ${r.image.width}×${r.image.height} JPEGs, sharp limited to one thread, median of ${r.runs.decoded.length} runs. Per CPU-second counts every thread's CPU time (decoding runs on libvips' thread): what one dedicated core does, little affected by other load during the run. The ratio is to the decode alone, measured in the same run.`,
        '',
        '| | images/s (wall clock) | images per CPU-second | ratio to decode alone | target |',
        '|---|---|---|---|---|',
        row('end to end: JPEG decode (sharp, EXIF-oriented) + PDQ', r.endToEndPerSecond, r.perCpuSecond.endToEnd, '≥ 40'),
        row('PDQ on already decoded pixels', r.decodedPerSecond, r.perCpuSecond.decoded, '≥ 60'),
        row('baseline: decode alone', r.decodeOnlyPerSecond, r.perCpuSecond.decodeOnly, ''),
        '',
        "Meta's C++ reference tool does about 26/s end to end and 80/s on decoded pixels at full resolution on these machines (issue 6).",
      ];
    },
  },
  {
    title: 'Analyst console: page load in Chromium vs the same hub’s /healthz',
    run: async () => {
      const r = await benchConsole(quick ? { runs: 3 } : {});
      const row = (name: string, xs: number[]): string => `| ${name} | **${median(xs)}** | ${xs.join(', ')} |`;
      const lazy = Object.entries(r.sizes).filter(([name]) => ['explorer.js', 'explorer.css', 'pdq-worker.js'].includes(name) || /^chunks\/(graph|chart)-/.test(name));
      return [
        `Debian's Chromium (headless) through playwright-core against an in-process hub on the embedded database, a fresh browser context (empty cache) for each of ${r.runs} runs; median and every run. The browser suite (test/console-browser.e2e.test.ts) measures the first of these on every run and prints it (\`console page load\`).`,
        '',
        '| | ms (median) | runs |',
        '|---|---|---|',
        row('console: navigation → sign-in form in the page', r.interactiveMs),
        row('console: token submitted → `me` checked and the first search drawn', r.signedInMs),
        row('baseline: navigation → load of /healthz (same hub, nothing to render)', r.baselineMs),
        `| ratio (console / baseline) | **${round(median(r.interactiveMs) / Math.max(1, median(r.baselineMs)), 1)}×** (target: the page interactive in under 1,000 ms) | |`,
        '',
        `First visit: ${r.firstVisit.files} files, **${r.firstVisit.wireKiB} KiB on the wire** (gzip), ${r.firstVisit.decodedKiB} KiB decoded. Loaded only when their view opens (raw KiB / gzip KiB): ${lazy.map(([n, v]) => `\`${n.replace(/-[A-Z0-9]{8}\.js$/, '.js')}\` ${v}`).join(', ')}.`,
      ];
    },
  },
];

async function machine(): Promise<string[]> {
  const server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_BENCH_SERVER;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  await client.end();
  return [
    `- CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; memory ${Math.round(totalmem() / 2 ** 30)} GiB`,
    `- OS: ${platform()} ${release()}; Node.js ${process.version}; PostgreSQL ${version ?? '?'} on the same machine`,
  ];
}

/** Replaces the `## title` sections of an existing report with fresh ones (appending those it lacks). */
function spliceSections(existing: string, fresh: Map<string, string[]>): string {
  const parts = existing.trimEnd().split(/\n+(?=## )/);
  for (const [title, lines] of fresh) {
    const text = `## ${title}\n\n${lines.join('\n')}`;
    const at = parts.findIndex((p) => p.startsWith(`## ${title}\n`));
    if (at >= 0) parts[at] = text;
    else parts.push(text);
  }
  return `${parts.join('\n\n')}\n`;
}

async function main(): Promise<void> {
  const started = new Date();
  const chosen = sections.filter((s) => only === undefined || s.title.includes(only));
  const fresh = new Map<string, string[]>();
  for (const [i, section] of chosen.entries()) {
    process.stderr.write(`[${i + 1}/${chosen.length}] ${section.title}…\n`);
    const t0 = performance.now();
    fresh.set(section.title, await section.run());
    process.stderr.write(`      done in ${Math.round((performance.now() - t0) / 1000)} s\n`);
  }
  const file = path.resolve(import.meta.dirname, '../docs/benchmarks.md');
  if (only !== undefined && existsSync(file)) {
    writeFileSync(file, spliceSections(readFileSync(file, 'utf8'), fresh));
  } else {
    const out = ['# Benchmarks', '', `Measured by \`npm run bench\` on ${started.toISOString().slice(0, 10)}${quick ? ' (quick mode)' : ''}. Every figure is beside a baseline measured in the same run; compare the ratios, not the absolute numbers, across machines.`, '', '## Machine', '', ...(await machine())];
    for (const [title, lines] of fresh) out.push('', `## ${title}`, '', ...lines);
    writeFileSync(file, `${out.join('\n')}\n`);
  }
  process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

await main();
