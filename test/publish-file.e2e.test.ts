import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bearer, graphql, readerToken, runCli, spawnHub, type HubProcess, hubEnvironment, onlyInPass } from './helpers/hub-process.js';

const line = (i: number): string => JSON.stringify({ type: 'KEYWORD', value: `code${i}`, commodity: i % 2 ? 'IVORY' : 'PANGOLIN', observedAt: '2026-11-01T00:00:00Z', confidence: 70, ...(i % 5 === 0 ? { tlp: 'GREEN' } : {}) });

describe('wildintel publish', { skip: onlyInPass('server') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let hub: HubProcess;
  let token: string;
  let env: Record<string, string>;
  let member: { key: string; cert: string };

  before(async () => {
    fixture = await hubEnvironment();
    ({ dir, env } = fixture);
    hub = await spawnHub(env);
    token = await readerToken(env);
    const created = await runCli(['member', 'create', 'shopmart', '--out', path.join(dir, 'shopmart')], env);
    assert.equal(created.code, 0, created.stderr);
    member = { key: path.join(dir, 'shopmart/key.pem'), cert: path.join(dir, 'shopmart/cert.pem') };
  });
  after(() => fixture.cleanup(hub));

  const publish = (file: string, hubUrl = hub.url) => runCli(['publish', '--key', member.key, '--cert', member.cert, '--hub', hubUrl, '--attempts', '2', file], env);
  const total = async (filter = ''): Promise<number> =>
    ((await graphql(hub.url, `{ indicators(first: 1${filter}) { totalCount } }`, {}, bearer(token))).body.data!['indicators'] as { totalCount: number }).totalCount;

  it('signs a file in batches by TLP, submits them and summarizes', async () => {
    const file = path.join(dir, 'indicators.jsonl');
    await writeFile(file, Array.from({ length: 2500 }, (_, i) => line(i)).join('\n'));
    const { code, stdout, stderr } = await publish(file);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /accepted {3}2500 in 3 batch\(es\), of which 0 already at the hub/);
    assert.equal(await total(), 2500);
  });

  it('resumes from its journal: running again sends nothing twice', async () => {
    const { code, stdout } = await publish(path.join(dir, 'indicators.jsonl'));
    assert.equal(code, 0);
    assert.match(stdout, /accepted {3}2500 in 3 batch\(es\)/);
    assert.equal(await total(), 2500);
  });

  it('resends the same bytes when the journal lost its receipts, and the hub answers duplicates', async () => {
    const file = path.join(dir, 'again.jsonl');
    await writeFile(file, Array.from({ length: 10 }, (_, i) => line(7000 + i)).join('\n'));
    assert.equal((await publish(file)).code, 0);
    // Keep only the signed batches, as after a crash between sending and recording the receipt.
    const { readFile } = await import('node:fs/promises');
    const journal = (await readFile(`${file}.journal`, 'utf8')).split('\n').filter((l) => l === '' || !l.includes('"receipt"'));
    await writeFile(`${file}.journal`, journal.join('\n'));
    const { code, stdout } = await publish(file);
    assert.equal(code, 0);
    assert.match(stdout, /accepted {3}10 in 2 batch\(es\), of which 10 already at the hub \(duplicates\)/);
  });

  it('refuses a file with a bad line before sending anything, naming the line', async () => {
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, [line(9001), '{"type":"IMAGE_PDQ","value":"zz","commodity":"IVORY","observedAt":"2026-11-01T00:00:00Z","confidence":1}', 'not json'].join('\n'));
    const { code, stderr } = await publish(file);
    assert.equal(code, 1);
    assert.match(stderr, /2 invalid line\(s\), nothing was sent:\n {2}line 2: value .*\n {2}line 3:/);
    assert.equal(await total(', filter: { value: "code9001" }'), 0);
  });

  it('keeps what it could not send while the hub is down, and delivers it once on the next run', async () => {
    const file = path.join(dir, 'later.jsonl');
    await writeFile(file, Array.from({ length: 30 }, (_, i) => line(5000 + i)).join('\n'));
    const down = await publish(file, 'http://127.0.0.1:9');
    assert.equal(down.code, 1);
    assert.match(down.stdout, /not sent {3}2 batch\(es\): the hub did not accept the batch after 2 attempts/);
    const up = await publish(file);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /accepted {3}30 in 2 batch\(es\), of which 0 already at the hub/);
  });
});
