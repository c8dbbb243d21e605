#!/usr/bin/env node
// Entry point of the `wildintel` command. It runs the TypeScript sources with no build step, so
// `npx wildintel …` works right after `npm install` and always runs the sources as they are.
//
// The sources are bundled with esbuild (the transformer tsx uses) on each start, about 0.1 s, into
// an entry and chunks split at the CLI's dynamic imports: a command loads only its own modules
// and packages (src/cli/main.ts), so `wildintel config`, `ca`, `audit` or `hash` start in about
// 0.4 s and one that loads everything (`--help`, `hub`) in 0.9 s, against 1.35 s through tsx's
// loader hooks. Every file is named by its content, written atomically, and sits two folders
// below the repository, as the sources do, so paths they resolve from import.meta
// (package.json, schema/) mean the same. Packages stay external and load from node_modules.
// Where node_modules is read-only, or with WILDINTEL_NO_BUNDLE=1, the sources run through tsx.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(repo, 'src/cli/main.ts');

/** The bundle's path, or undefined when it cannot be made here (e.g. a read-only node_modules). */
async function bundle() {
  try {
    return await writeBundle();
  } catch (err) {
    if (!['EACCES', 'EPERM', 'EROFS'].includes(err?.code)) throw err;
    return undefined;
  }
}

async function writeBundle() {
  const { build } = await import('esbuild');
  const dir = path.join(repo, 'node_modules/.wildintel');
  const result = await build({
    entryPoints: { cli: entry },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    outdir: dir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'silent',
    absWorkingDir: repo,
  });
  // Every file is named by its content (an entry's hash covers the chunks it imports), so a file
  // already there is the one this build would write.
  mkdirSync(dir, { recursive: true });
  const files = result.outputFiles.map((f) => f.path);
  const missing = result.outputFiles.filter((f) => !existsSync(f.path));
  for (const { path: file, contents } of missing) {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
  }
  // Only a start that changed the sources leaves earlier bundles behind to clear.
  if (missing.length > 0) removeStale(dir, new Set(files));
  return files.find((f) => path.basename(f).startsWith('cli-'));
}

async function loadBundled() {
  const file = await bundle();
  if (file === undefined) return loadThroughTsx();
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(file).href);
}

/** Bundles of earlier sources, once no process can still be about to load them. */
function removeStale(dir, keep) {
  for (const name of readdirSync(dir)) {
    const other = path.join(dir, name);
    try {
      if (!keep.has(other) && Date.now() - statSync(other).mtimeMs > 3_600_000) rmSync(other, { force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

async function loadThroughTsx() {
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(entry).href);
}

const { main } = process.env.WILDINTEL_NO_BUNDLE === '1' ? await loadThroughTsx() : await loadBundled();
await main(process.argv);
