#!/usr/bin/env node
// Entry point of the `wildintel` command. It runs the TypeScript sources with no build step, so
// `npx wildintel …` works right after `npm install` and always runs the sources as they are.
//
// The sources are bundled with esbuild (the transformer tsx uses) into an entry and chunks split
// at the CLI's dynamic imports: a command loads only its own modules and packages (src/cli/main.ts).
// Bundling costs 1–2 s of CPU on a loaded machine, more than the command itself, so a bundle is
// reused while its sources are unchanged: a manifest beside it lists every file the build read
// with the SHA-256 of its content (and the build's own settings: this file, package.json,
// tsconfig.json, esbuild's version), and a start re-hashes those files (about 2 MB, tens of ms)
// and loads the bundle only when every hash matches; any change rebuilds. Content hashes, not
// mtimes: a checkout or a copy keeps or resets times in ways that say nothing about the content.
//
// The files sit two folders below the repository, as the sources do, so paths they resolve from
// import.meta (package.json, schema/) mean the same: node_modules/.wildintel/ normally. When
// node_modules is a link to another checkout's (a git worktree sharing one install), a bundle
// there would resolve those paths in the other checkout (Node loads modules by their real path)
// and its cache would serve the other checkout's sources, so this checkout's own .wildintel/cli/
// (ignored by git) is used. Packages stay external and load from node_modules.
// Where neither can be written, or with WILDINTEL_NO_BUNDLE=1, the sources run through tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const entry = path.join(repo, 'src/cli/main.ts');
/** Read by esbuild or deciding how it builds, though absent from its list of inputs. */
const BUILD_SETTINGS = ['bin/wildintel.js', 'package.json', 'tsconfig.json'];
const MANIFEST = 'cli-manifest.json';

/** Where the bundle goes: two folders below this checkout, in a folder that belongs to it. */
function cacheDir() {
  const modules = path.join(repo, 'node_modules');
  const own = existsSync(modules) && realpathSync(modules) === modules;
  return own ? path.join(modules, '.wildintel') : path.join(repo, '.wildintel', 'cli');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Hashes of the files (relative to the repository), or undefined when one is gone. */
function hashesOf(files) {
  const hashes = {};
  for (const file of files) {
    try {
      hashes[file] = sha256(readFileSync(path.join(repo, file)));
    } catch {
      return undefined;
    }
  }
  return hashes;
}

const keyOf = (inputs, esbuildVersion) =>
  sha256(JSON.stringify([esbuildVersion, Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : 1))]));

/** The entry of the bundle made from exactly the current sources, if there is one. */
function cachedEntry(dir) {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
    const now = hashesOf(Object.keys(manifest.inputs));
    if (now === undefined || keyOf(now, manifest.esbuild) !== manifest.key) return undefined;
    if (!manifest.files.every((f) => existsSync(path.join(dir, f)))) return undefined;
    return path.join(dir, manifest.entry);
  } catch {
    return undefined;
  }
}

/** The bundle's path, or undefined when it cannot be made here (e.g. a read-only node_modules). */
async function bundle() {
  const dir = cacheDir();
  const hit = cachedEntry(dir);
  if (hit !== undefined) return hit;
  try {
    return await writeBundle(dir);
  } catch (err) {
    if (!['EACCES', 'EPERM', 'EROFS'].includes(err?.code)) throw err;
    return undefined;
  }
}

async function writeBundle(dir) {
  const { build, version } = await import('esbuild');
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
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repo,
  });
  // Every file is named by its content (an entry's hash covers the chunks it imports), so a file
  // already there is the one this build would write.
  mkdirSync(dir, { recursive: true });
  const files = result.outputFiles.map((f) => f.path);
  const missing = result.outputFiles.filter((f) => !existsSync(f.path));
  for (const { path: file, contents } of missing) writeAtomically(file, contents);
  const cli = files.find((f) => path.basename(f).startsWith('cli-'));
  // Hashed after the build: a source edited meanwhile makes the next start rebuild, never reuse.
  const read = Object.keys(result.metafile.inputs).filter((f) => !f.includes(':'));
  const inputs = hashesOf([...new Set([...read, ...BUILD_SETTINGS])]);
  if (inputs !== undefined) {
    const names = files.map((f) => path.basename(f));
    const manifest = { key: keyOf(inputs, version), esbuild: version, entry: path.basename(cli), files: names, inputs };
    writeAtomically(path.join(dir, MANIFEST), JSON.stringify(manifest));
  }
  // Only a start that changed the sources leaves earlier bundles behind to clear.
  if (missing.length > 0) removeStale(dir, new Set([...files, path.join(dir, MANIFEST)]));
  return cli;
}

function writeAtomically(file, contents) {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
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
      // Removed by another process meanwhile, or a folder (the console's build).
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
