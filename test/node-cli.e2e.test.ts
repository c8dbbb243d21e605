/**
 * The node's operator commands, run through the real command-line program (in this process, to
 * keep it quick): a pseudonym key file, an API key, `node import` with no node running (straight
 * into its database) and with one running (through its socket), and `node status`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProgram } from '../src/cli/main.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger, isWildintelError } from '../src/kernel/index.js';
import { parsePseudonymKeys, type NodeStatus, type RunningNode } from '../src/node/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { callNode, eventually, nodeFixture, sharedPseudonymKey, testPicture, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'TIGER', confidence: 90, observedAt: '2026-03-01T12:00:00Z' };

describe('wildintel node commands', () => {
  let dir: string;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode | undefined;

  /** Runs `wildintel …args` with the node's environment; what it printed. */
  const cli = async (...args: string[]): Promise<string> => {
    const printed: string[] = [];
    const config = loadConfig(fixture.env);
    await (await buildProgram({ config: () => config, logger: () => createLogger('silent'), print: (t) => printed.push(t) })).parseAsync(['node', 'wildintel', ...args]);
    return printed.join('\n');
  };
  const jsonl = async (name: string, lines: object[]): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    return file;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-node-cli-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
    fixture = await nodeFixture(fed, await fed.addMember('shopmart'), await sharedPseudonymKey(dir));
    await writeFile(path.join(dir, 'tiger.png'), await testPicture(3));
  });
  after(async () => {
    await node?.stop();
    await fixture.cleanup();
    await fed.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a pseudonym key file readable by its owner only', async () => {
    const file = path.join(dir, 'keys', 'pseudonym-2026-02.json');
    assert.match(await cli('federation', 'pseudonym-key', 'new', '--key-id', '2026-02', '--out', file), /pseudonym key 2026-02 written/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const [key] = parsePseudonymKeys(await readFile(file, 'utf8'), file);
    assert.deepEqual([key!.keyId, key!.key.length], ['2026-02', 32]);
    await assert.rejects(cli('federation', 'pseudonym-key', 'new', '--key-id', '2026-02', '--out', file), (e: unknown) => isWildintelError(e) && e.code === 'KEY_FILE_EXISTS');
  });

  it('queues an import while no node runs, publishes it once the node starts, and reports it in node status', async () => {
    const file = await jsonl('first.jsonl', [
      { kind: 'seller', identifier: { type: 'chat', value: 'tiger-bones-dealer' }, ...common },
      { kind: 'keyword', text: '虎骨酒', ...common },
      { kind: 'image', path: 'tiger.png', ...common },
    ]);
    assert.equal(await cli('node', 'import', file), 'queued 3 observations as 4 indicators (no node running: they are published when it starts)');
    assert.match(await cli('node', 'status'), /outbox +4 pending, 0 queued, 0 accepted, 0 refused/);
    node = await fixture.start(createLogger('silent'));
    const status = await eventually('the import to be published and audited', async () => {
      const s = JSON.parse(await cli('node', 'status', '--json')) as NodeStatus;
      return s.outbox.accepted === 1 && s.audit.verified === 1 ? s : undefined;
    });
    assert.equal(status.outbox.pending + status.outbox.queued, 0);
    assert.match(await cli('node', 'status'), /last receipt batch [0-9a-f-]+ at log entry \d+, .* \(audit verified\)\nhub audit +1 receipts verified, 0 failed/);
  });

  it('imports through the running node, and refuses a file with a bad line before queuing any of it', async () => {
    const bad = await jsonl('bad.jsonl', [{ kind: 'keyword', text: '虎皮', ...common }, { kind: 'keyword', text: '虎牙', ...common, confidence: 101 }]);
    await assert.rejects(cli('node', 'import', bad), (e: Error) => /^line 2: confidence .*nothing was queued/.test(e.message));
    const good = await jsonl('second.jsonl', [{ kind: 'keyword', text: '虎皮', ...common }]);
    assert.equal(await cli('node', 'import', good), 'queued 1 observation as 1 indicator');
  });

  it('adds an API key the running node accepts at once', async () => {
    const key = await cli('node', 'api-key', 'new', 'moderation');
    assert.match(key, /^wik_[A-Za-z0-9_-]{43}$/);
    assert.equal((await callNode(node!.url, key, '/v1/status')).status, 200);
    assert.ok(!(await readFile(fixture.env['NODE_API_KEYS_FILE']!, 'utf8')).includes(key), 'only its hash is kept');
  });
});
