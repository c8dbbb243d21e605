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
