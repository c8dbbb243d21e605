/**
 * `npm test`: runs the suite's files with node:test, each file compiled ahead of time.
 *
 * node:test starts one process per test file, and through tsx's loader hooks each of them spends
 * about 1.9 s (2.9 s of CPU) resolving and loading our ~400 modules before its first test, against
 * 0.8 s (1.0 s of CPU) when the same modules come bundled: on a two-core CI machine, minutes of
 * every pass. So the test
 * files are bundled here with esbuild (the transformer tsx itself uses, reading the same
 * tsconfig), split into shared chunks, packages left external, and node:test runs the bundles.
 * A module's `import.meta.url`, `dirname` and `filename` are set to its source file's, so paths
 * read relative to the sources (schema/, migrations, ../shared fixtures) mean what they did.
 *
 * The files run with V8's `--liftoff-only`, which node:test passes on to each file's process and
 * test/helpers/hub-process.ts to the hubs, nodes and commands a test starts: PGlite is an 8 MB
 * WebAssembly module, and optimizing it again in every short-lived process costs about a second
 * of CPU that a test never wins back (measured: a fresh PGlite opening and answering 3,000
 * queries took 3.5 s of CPU with tiering, 2.4 s without). It changes no behaviour, only how the
 * WebAssembly is compiled; the hub itself, and the benchmarks, run with V8's defaults.
 *
 *   npm test                                  every test file but the failure and soak suites
 *   npm test -- test/feed.e2e.test.ts ...     the files named
 *   npm test -- --concurrency 1 --timeout 300000 test/faults/*.test.ts
 *   WILDINTEL_TEST_TSX=1 npm test             through tsx's loader, without the bundle
 *
 * Every run ends with what was skipped and why, by reason (scripts/skip-summary.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const repo = path.resolve(import.meta.dirname, '..');

async function findTests(dir: string, skip: readonly string[]): Promise<string[]> {
  const entries = await readdir(path.join(repo, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.relative(repo, path.join(e.parentPath, e.name)))
    .filter((f) => !skip.some((s) => f.startsWith(s)))
    .sort();
}

/** The default selection: every test file but the failure suite's and the soak's (their own scripts). */
async function defaultTests(): Promise<string[]> {
  return [...(await findTests('test', ['test/faults/', 'test/soak/'])), ...(await findTests('src', []))];
}

/** Gives each bundled module its source file's import.meta.url, dirname and filename. */
const sourceLocation: Plugin = {
  name: 'source-location',
  setup(b) {
    b.onLoad({ filter: /\.(m?ts|tsx)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const meta: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
      const contents = source.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_m, field: string) => JSON.stringify(meta[field]));
      return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts', resolveDir: path.dirname(args.path) };
    });
  },
};

/** Bundles the test files into `outdir`; the bundles' paths, in the order given. */
async function bundle(files: readonly string[], outdir: string): Promise<string[]> {
  await build({
    entryPoints: [...files],
    outbase: repo,
    outdir,
    absWorkingDir: repo,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: '_chunks/[hash]',
    outExtension: { '.js': '.mjs' },
    plugins: [sourceLocation],
    logLevel: 'warning',
  });
  return files.map((f) => path.join(outdir, f.replace(/\.ts$/, '.mjs')));
}

/** Bundles left a day ago or more by runs that were killed before they could remove theirs. */
async function removeAbandoned(cache: string): Promise<void> {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of await readdir(cache)) {
    const dir = path.join(cache, name);
    const modified = await stat(dir).then((s) => s.mtimeMs, () => Date.now());
    if (modified < dayAgo) await rm(dir, { recursive: true, force: true });
  }
}

function run(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, args, { cwd: repo, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** Ends the run with what was skipped and why (scripts/skip-summary.ts). */
const SKIP_REPORTER = 'scripts/skip-summary.ts';

/** node:test's own reporter (spec on a terminal, TAP otherwise, as without the flag) and the skip summary. */
function reporters(skipReporter: string): string[] {
  const usual = process.stdout.isTTY ? 'spec' : 'tap';
  return [`--test-reporter=${usual}`, '--test-reporter-destination=stdout', `--test-reporter=${pathToFileURL(skipReporter).href}`, '--test-reporter-destination=stdout'];
}

class UsageError extends Error {}

function positiveInteger(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** A named file as a path inside the repository; the bundles mirror it below their folder. */
function testFile(name: string): string {
  const relative = path.relative(repo, path.resolve(name));
  if (relative.startsWith('..') || path.isAbsolute(relative) || !relative.endsWith('.test.ts') || !existsSync(path.join(repo, relative))) {
    throw new UsageError(`${name}: not a test file (*.test.ts) of this repository`);
  }
  return relative;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { concurrency: { type: 'string', default: '2' }, timeout: { type: 'string', default: '600000' } },
  });
  const files = positionals.length > 0 ? positionals.map(testFile) : await defaultTests();
  const runner = [`--test-concurrency=${positiveInteger('concurrency', values.concurrency)}`, `--test-timeout=${positiveInteger('timeout', values.timeout)}`];
  const tsx = process.env['WILDINTEL_TEST_TSX'] === '1';
  // Below node_modules, so the bundles resolve packages as the sources do; one folder per run, so
  // runs side by side (CI's two passes) never share one.
  const cache = path.join(repo, 'node_modules/.cache/wildintel-tests');
  await mkdir(cache, { recursive: true });
  await removeAbandoned(cache);
  const outdir = await mkdtemp(path.join(cache, 'run-'));
  try {
    // node:test loads reporters before `--import tsx` takes effect: the skip reporter is always bundled.
    const [reporter, ...bundles] = await bundle([SKIP_REPORTER, ...(tsx ? [] : files)], outdir);
    const flags = [...runner, ...reporters(reporter!)];
    if (tsx) return await run(['--liftoff-only', '--import', 'tsx', '--test', ...flags, ...files]);
    return await run(['--liftoff-only', '--enable-source-maps', '--test', ...flags, ...bundles]);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

// Bad arguments (ours, or parseArgs' ERR_PARSE_ARGS_*) are the user's to fix: a line and exit 2.
process.exitCode = await main().catch((err: unknown) => {
  if (!(err instanceof UsageError) && !(err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) throw err;
  process.stderr.write(`npm test: ${err.message}\n`);
  return 2;
});
