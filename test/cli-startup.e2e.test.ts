/**
 * A plain command (help, the version, a subcommand's help, `hub keys`, an offline audit check)
 * starts without the packages that take most of a start: TypeORM, the database drivers, Apollo
 * and GraphQL, Express, sharp. Checked by the packages the process resolves, not by timing: a
 * loaded machine makes any time limit either flaky or meaningless. The bundle the entry point
 * reuses is checked the same way: edited sources are what runs next, never a stale bundle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, onlyInPass, runCli } from './helpers/hub-process.js';
import { testPicture } from './helpers/member-node.js';

/** What a plain command must not load (each is a tenth of a second to a second of CPU). */
const HEAVY = ['typeorm', 'pg', '@electric-sql/pglite', '@apollo/server', 'graphql', 'graphql-ws', 'express', 'multer', 'sharp'];

/**
 * A module resolve hook, loaded with --import, that appends each package the process resolves
 * (from node_modules, by name) to a file.
 */
function tracingHook(file: string): string {
  const hook = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
      if (m) appendFileSync(${JSON.stringify(file)}, m[1] + '\\n');
      return result;
    }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  return `data:text/javascript,${encodeURIComponent(register)}`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  packages: Set<string>;
}

async function runTraced(cli: string, args: string[], env: Record<string, string>, traceFile: string): Promise<Run> {
  await writeFile(traceFile, '');
  const { code, stdout, stderr } = await runCli(args, env, { cli, nodeFlags: ['--import', tracingHook(traceFile)] });
  const packages = new Set((await readFile(traceFile, 'utf8')).split('\n').filter((l) => l !== ''));
  return { code, stdout, stderr, packages };
}

describe('wildintel start-up', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = path.join(REPO_ROOT, 'bin/wildintel.js');
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-startup-'));
    env = { DATA_DIR: path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs') };
    // Warm the bundle once, so the runs below measure what every later start does.
    await runTraced(cli, ['--version'], env, path.join(dir, 'warm.txt'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const plain: Array<{ args: string[]; shows: RegExp }> = [
    { args: ['--version'], shows: /^\d+\.\d+\.\d+\n$/ },
    { args: ['--help'], shows: /Commands:[\s\S]*hub[\s\S]*audit/ },
    { args: ['token', 'list', '--help'], shows: /Usage: wildintel token list/ },
    { args: ['hub', 'keys'], shows: /verifier key {3}\S+\+[0-9a-f]{8}\+/ },
    { args: ['audit', 'check', '--help'], shows: /Usage: wildintel audit check/ },
    { args: ['node', 'requests', '--help'], shows: /Usage: wildintel node requests/ },
  ];
  for (const { args, shows } of plain) {
    it(`\`wildintel ${args.join(' ')}\` loads none of ${HEAVY.join(', ')}`, async () => {
      const run = await runTraced(cli, args, env, path.join(dir, 'trace.txt'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, shows);
      assert.ok(run.packages.has('commander'), 'the trace sees the packages the command loads');
      assert.deepEqual(HEAVY.filter((p) => run.packages.has(p)), []);
    });
  }

  it('sees a heavy package where a command needs it (hashing an image loads sharp)', async () => {
    const picture = path.join(dir, 'listing.png');
    await writeFile(picture, await testPicture(7));
    const run = await runTraced(cli, ['hash', picture], env, path.join(dir, 'trace.txt'));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.packages.has('sharp'), [...run.packages].join(' '));
  });
});

describe('the bundle the entry point reuses', { skip: onlyInPass('embedded') }, () => {
  let copy: string;
  before(async () => {
    // A checkout of its own whose node_modules links to this one's, as a git worktree sharing an
    // install does: its bundle must be its own, made from its own sources.
    copy = await mkdtemp(path.join(tmpdir(), 'wildintel-bundle-'));
    for (const part of ['bin', 'src', 'schema', 'migrations', 'package.json', 'tsconfig.json']) {
      await cp(path.join(REPO_ROOT, part), path.join(copy, part), { recursive: true, filter: (f) => !f.includes(`${path.sep}node_modules`) });
    }
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  });
  after(() => rm(copy, { recursive: true, force: true }));

  it('runs edited sources at the next start, and keeps its bundle in the checkout', async () => {
    const cli = path.join(copy, 'bin/wildintel.js');
    const trace = path.join(copy, 'trace.txt');
    const first = await runTraced(cli, ['--help'], {}, trace);
    assert.match(first.stdout, /wildintel: a federation/);
    assert.ok(first.packages.has('esbuild'), 'the first start bundles');
    const reused = await runTraced(cli, ['--help'], {}, trace);
    assert.equal(reused.stdout, first.stdout);
    assert.ok(!reused.packages.has('esbuild'), 'an unchanged checkout reuses its bundle');
    const main = path.join(copy, 'src/cli/main.ts');
    await writeFile(main, (await readFile(main, 'utf8')).replace('wildintel: a federation', 'wildintel (edited): a federation'));
    const edited = await runTraced(cli, ['--help'], {}, trace);
    assert.match(edited.stdout, /wildintel \(edited\): a federation/);
    assert.ok(edited.packages.has('esbuild'), 'an edited source is bundled again');
    assert.ok((await readdir(path.join(copy, '.wildintel', 'cli'))).some((f) => f.startsWith('cli-')), 'the bundle sits in the checkout, not behind the link');
  });
});
