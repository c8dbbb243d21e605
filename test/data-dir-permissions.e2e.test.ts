/**
 * The hub's and the member node's data directories hold the embedded database, the vault key and
 * the admin socket: 0700, every file 0600, whatever the umask of whoever started them (checked
 * with umask 000), also for what the database writes after start (an enrolment, a batch).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { hubEnvironment, onlyInPass, runCli, spawnWildintel, type HubProcess } from './helpers/hub-process.js';
import { callNode, eventually, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

/** Every entry under `dir` whose mode is not 0700 (directories) or 0600 (anything else). */
async function looseEntries(dir: string): Promise<string[]> {
  const loose: string[] = [];
  const walk = async (at: string): Promise<void> => {
    const info = await lstat(at);
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if (mode !== 0o700) loose.push(`${path.relative(dir, at) || '.'}/ ${mode.toString(8)}`);
      for (const name of await readdir(at)) await walk(path.join(at, name));
    } else if (!info.isSymbolicLink() && mode !== 0o600) {
      loose.push(`${path.relative(dir, at)} ${mode.toString(8)}`);
    }
  };
  await walk(dir);
  return loose;
}

/** A data directory as an earlier version could have left it: 0755, with a 0644 file. */
async function looseDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, 'stale.txt'), 'x');
  await chmod(path.join(dir, 'stale.txt'), 0o644);
}

const stop = async (p: HubProcess | undefined): Promise<void> => {
  if (p === undefined || p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
};

describe('data directory permissions, under umask 000', { skip: onlyInPass('embedded') }, () => {
  describe('the hub', () => {
    let environment: Awaited<ReturnType<typeof hubEnvironment>>;
    let hub: HubProcess | undefined;
    before(async () => {
      environment = await hubEnvironment();
    });
    after(() => environment.cleanup(hub));

    it('keeps its data directory 0700 and its files 0600, also those the embedded database writes later', async () => {
      const dataDir = environment.env['DATA_DIR']!;
      await looseDataDir(dataDir);
      hub = await spawnWildintel(['hub'], 'hub listening', environment.env, { umask: '000' });
      const created = await runCli(['member', 'create', 'shopmart'], environment.env);
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual(await looseEntries(dataDir), []);
    });
  });

  describe('the member node', () => {
    let dir: string;
    let fed: TestFederation;
    let fixture: NodeFixture;
    let node: HubProcess | undefined;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'wildintel-node-perms-'));
      fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
      fixture = await nodeFixture(fed, await fed.addMember('shopmart'), await sharedPseudonymKey(dir));
    });
    after(async () => {
      await stop(node);
      await fixture?.cleanup();
      await fed?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('keeps its data directory 0700 and its files 0600 (database, vault key, socket) after publishing', async () => {
      const dataDir = fixture.env['DATA_DIR']!;
      await looseDataDir(dataDir);
      node = await spawnWildintel(['node'], 'member node listening', fixture.env, { umask: '000' });
      const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: '象牙', commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await eventually('the batch to be accepted', async () => ((await callNode(node!.url, fixture.apiKey, '/v1/status')).body['outbox'] as { accepted: number }).accepted > 0 || undefined);
      assert.deepEqual(await looseEntries(dataDir), []);
    });
  });
});
