/**
 * The `wildintel` entry point (bin/wildintel.js) runs the sources bundled by esbuild, or through
 * tsx where the bundle cannot be written (a read-only node_modules) or with WILDINTEL_NO_BUNDLE=1.
 * Both ways must be the same program: the same version, the same PDQ bits (the WebAssembly filter
 * loads either way), the same refusal of bad input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, onlyInPass, runCli } from './helpers/hub-process.js';
import { testPicture } from './helpers/member-node.js';

describe('the wildintel entry point, bundled and through tsx', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let picture: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-cli-entry-'));
    picture = path.join(dir, 'listing.png');
    await writeFile(picture, await testPicture(5));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const both = async (args: string[]): Promise<Array<{ code: number | null; stdout: string; stderr: string }>> =>
    Promise.all([runCli(args, {}), runCli(args, { WILDINTEL_NO_BUNDLE: '1' })]);

  it('prints the package version either way', async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const run of await both(['--version'])) assert.deepEqual([run.code, run.stdout.trim()], [0, version]);
  });

  it('hashes an image to the same PDQ either way', async () => {
    const [bundled, sources] = await both(['hash', '--dihedral', picture]);
    assert.equal(bundled!.code, 0, bundled!.stderr);
    assert.match(bundled!.stdout, new RegExp(`^(?:[0-9a-f]{64} ){8}\\d+ ${picture.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
    assert.equal(sources!.stdout, bundled!.stdout);
  });

  it('refuses an unreadable image with the same one-line error and exit code either way', async () => {
    const missing = path.join(dir, 'missing.jpg');
    const [bundled, sources] = await both(['hash', missing]);
    assert.equal(bundled!.code, 1);
    assert.match(bundled!.stderr, /\[IMAGE_UNREADABLE\]\n$/);
    assert.deepEqual([sources!.code, sources!.stderr], [bundled!.code, bundled!.stderr]);
  });
});

describe('wildintel hash over many files', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let files: string[];
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-hash-cli-'));
    files = [];
    for (let i = 0; i < 7; i++) {
      const file = path.join(dir, `image-${i}.png`);
      await writeFile(file, await testPicture(100 + i));
      files.push(file);
    }
    // An unreadable one in the middle: reported, and the rest still hashed.
    await writeFile(path.join(dir, 'broken.jpg'), 'not an image');
    files.splice(3, 0, path.join(dir, 'broken.jpg'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints one line per image in the order given, whatever --jobs, and reports the unreadable one', async () => {
    const [one, four] = await Promise.all([runCli(['hash', '--jobs', '1', ...files], {}), runCli(['hash', '--jobs', '4', ...files], {})]);
    assert.equal(one.code, 1, 'an image could not be hashed');
    assert.deepEqual(one.stdout.trim().split('\n').map((l) => l.split(' ')[2]), files.filter((f) => !f.endsWith('broken.jpg')));
    assert.equal(new Set(one.stdout.trim().split('\n').map((l) => l.split(' ')[0])).size, 7, 'seven different pictures, seven different hashes');
    assert.match(one.stderr, /broken\.jpg: .*\[IMAGE_UNREADABLE\]/);
    assert.deepEqual([four.code, four.stdout, four.stderr], [one.code, one.stdout, one.stderr]);
  });

  it('refuses a bad --jobs before reading anything', async () => {
    const run = await runCli(['hash', '--jobs', '0', ...files], {});
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--jobs must be a whole number from 1 to 64 \[INVALID_ARGUMENT\]/);
    assert.equal(run.stdout, '');
  });
});
