/**
 * Builds the analyst console (src/console/web) into the static files the hub serves, with
 * esbuild, the first time it is asked for, into a cache folder keyed by the content of every
 * input; later starts reuse the files after re-hashing the inputs the last build read (tens of
 * milliseconds). So `npm install && npm start` serves the console with no build step and no
 * committed bundle, and a changed source or upgraded package rebuilds it.
 *
 * Everything the page needs is in the output: no CDN, no web font, nothing from outside.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import type { Logger } from '../kernel/index.js';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly gzip: Buffer | null;
  readonly type: string;
  readonly etag: string;
}

export interface ConsoleAssets {
  /** By path under /console/, e.g. `main.js`; the page is `index.html`. */
  readonly files: ReadonlyMap<string, ConsoleAsset>;
  /** Content key of the inputs. */
  readonly key: string;
  /** Whether this call built (false: reused the cache). */
  readonly built: boolean;
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const WEB = 'src/console/web';
/** The build's own configuration is an input too. */
const BUILD_SOURCE = 'src/console/build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * src/kernel/index.ts re-exports node-only helpers (node:crypto, pino) beside the error classes
 * the PDQ core needs; in the browser build it stands for its errors module alone.
 */
const kernelForBrowser: Plugin = {
  name: 'kernel-for-browser',
  setup(build) {
    build.onResolve({ filter: /\/kernel\/index\.js$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path.replace(/index\.js$/, 'errors.ts')) }));
  },
};

function options(): BuildOptions {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: { main: `${WEB}/main.tsx`, explorer: `${WEB}/explorer.ts`, 'pdq-worker': `${WEB}/pdq-worker.ts` },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Fixed entry names (the page, the worker and the lazily loaded explorer are found by name,
    // revalidated by ETag); shared chunks are named by content.
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    loader: { '.woff2': 'file', '.png': 'file', '.svg': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    outdir: 'console',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [kernelForBrowser],
  };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Manifest {
  key: string;
  inputs: Record<string, string>;
}

function inputHashes(files: readonly string[]): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  for (const file of files) {
    try {
      hashes[file] = sha256(readFileSync(path.join(REPO_ROOT, file)));
    } catch {
      return undefined;
    }
  }
  return hashes;
}

function keyOf(inputs: Record<string, string>): string {
  return sha256(Buffer.from(JSON.stringify(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : 1))))).slice(0, 24);
}

/** The cached build, if every input it read is unchanged. */
function cached(cacheDir: string): { key: string; dir: string } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(cacheDir, 'manifest.json'), 'utf8')) as Manifest;
    const dir = path.join(cacheDir, manifest.key);
    const now = inputHashes(Object.keys(manifest.inputs));
    if (now === undefined || keyOf(now) !== manifest.key || !existsSync(dir)) return undefined;
    return { key: manifest.key, dir };
  } catch {
    return undefined;
  }
}

function metafileInputs(metafile: Metafile): string[] {
  // Inputs are paths relative to absWorkingDir; anything in another namespace is not a file.
  const files = Object.keys(metafile.inputs).filter((f) => !f.includes(':') && existsSync(path.join(REPO_ROOT, f)));
  return [...new Set([...files, `${WEB}/index.html`, BUILD_SOURCE, 'package-lock.json'])];
}

/** Writes a build under `cacheDir/<key>` (atomically: another process may be writing the same). */
async function buildInto(cacheDir: string): Promise<{ key: string; dir: string }> {
  const { build } = await import('esbuild');
  const result = await build(options());
  const inputs = inputHashes(metafileInputs(result.metafile!));
  if (inputs === undefined) throw new Error('a console source vanished during the build');
  const key = keyOf(inputs);
  const dir = path.join(cacheDir, key);
  if (!existsSync(dir)) {
    const partial = `${dir}.${process.pid}.tmp`;
    rmSync(partial, { recursive: true, force: true });
    const outRoot = path.join(REPO_ROOT, 'console');
    for (const file of result.outputFiles!) {
      const target = path.join(partial, path.relative(outRoot, file.path));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.contents);
    }
    writeFileSync(path.join(partial, 'index.html'), readFileSync(path.join(REPO_ROOT, WEB, 'index.html')));
    try {
      renameSync(partial, dir);
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(dir)) throw err;
    }
  }
  const manifest = path.join(cacheDir, `manifest.json.${process.pid}.tmp`);
  writeFileSync(manifest, JSON.stringify({ key, inputs } satisfies Manifest));
  renameSync(manifest, path.join(cacheDir, 'manifest.json'));
  removeOthers(cacheDir, key);
  return { key, dir };
}

/** Builds of earlier sources, once an hour has passed (a process may still be serving them). */
function removeOthers(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || name === 'manifest.json') continue;
    const other = path.join(cacheDir, name);
    try {
      if (/^[0-9a-f]{24}$/.test(name) && Date.now() - statSync(other).mtimeMs > 3_600_000) rmSync(other, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

function readTree(dir: string, prefix = ''): Array<[string, Buffer]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d): Array<[string, Buffer]> =>
    d.isDirectory() ? readTree(path.join(dir, d.name), `${prefix}${d.name}/`) : [[`${prefix}${d.name}`, readFileSync(path.join(dir, d.name))]],
  );
}

function toAssets(key: string, dir: string, built: boolean): ConsoleAssets {
  const files = new Map<string, ConsoleAsset>();
  for (const [name, body] of readTree(dir)) {
    const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
    const compressible = type.startsWith('text/') || type.startsWith('image/svg');
    files.set(name, { body, gzip: compressible && body.length > 1024 ? gzipSync(body, { level: 9 }) : null, type, etag: `"${sha256(body).slice(0, 32)}"` });
  }
  return { files, key, built };
}

/** The cache folder: beside the CLI's bundles in node_modules, or the system's temporary folder when that is read-only. */
function cacheDirs(): string[] {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [path.join(REPO_ROOT, 'node_modules/.wildintel/console'), path.join(tmpdir(), `wildintel-console-${uid}`)];
}

/** The console's files, from the cache when current, else built now. */
export async function loadConsoleAssets(logger: Logger): Promise<ConsoleAssets> {
  let lastError: unknown;
  for (const cacheDir of cacheDirs()) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const hit = cached(cacheDir);
      if (hit !== undefined) return toAssets(hit.key, hit.dir, false);
      const t0 = performance.now();
      const made = await buildInto(cacheDir);
      const assets = toAssets(made.key, made.dir, true);
      logger.info({ ms: Math.round(performance.now() - t0), dir: made.dir, kiB: sizes(assets) }, 'analyst console built');
      return assets;
    } catch (err) {
      lastError = err;
      if (!['EACCES', 'EPERM', 'EROFS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  throw lastError;
}

/** Sizes in KiB of what a first visit loads (raw / gzip), for the log and docs/benchmarks.md. */
export function sizes(assets: ConsoleAssets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of assets.files) {
    if (name.endsWith('.LEGAL.txt')) continue;
    out[name] = `${(a.body.length / 1024).toFixed(1)}/${((a.gzip ?? a.body).length / 1024).toFixed(1)}`;
  }
  return out;
}
