/**
 * `wildintel publish` against a hub process, beyond test/publish-file.e2e.test.ts (batches by TLP,
 * resume, duplicates, a bad line, the hub down): a crash while signing, a torn journal, a journal
 * of other flags, retractions (sent after the reports they withdraw), a repeated line, a refusal
 * in the summary, and retries of 5xx through a flaky proxy while a plain 4xx is never retried.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { indicatorId } from '../src/indicators/index.js';
import { decodeDisclosure, splitSdJwt } from '../src/provenance/index.js';
import { bearer, graphql, hubEnvironment, readerToken, runCli, spawnHub, type HubProcess, onlyInPass } from './helpers/hub-process.js';

const line = (value: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 70, ...extra });
const lines = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => line(`${prefix}${i}`));

/** A proxy in front of the hub that answers `failures` requests itself before forwarding, and counts requests. */
async function startFlakyProxy(hubUrl: string, failures: Array<{ status: number; body: string }>): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const failure = failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure.status, { 'content-type': 'application/json' }).end(failure.body);
        return;
      }
      void fetch(`${hubUrl}${req.url ?? ''}`, { method: req.method ?? 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) }).then(
        async (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('wildintel publish, resuming and refusing', { skip: onlyInPass('server') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let hub: HubProcess;
  let token: string;
  let env: Record<string, string>;
  let key: string;
  let cert: string;

  before(async () => {
    fixture = await hubEnvironment();
    ({ dir, env } = fixture);
    hub = await spawnHub(env);
    token = await readerToken(env);
    const created = await runCli(['member', 'create', 'shopmart', '--out', path.join(dir, 'shopmart')], env);
    assert.equal(created.code, 0, created.stderr);
    [key, cert] = [path.join(dir, 'shopmart/key.pem'), path.join(dir, 'shopmart/cert.pem')];
  });
  after(() => fixture.cleanup(hub));

  const publish = (file: string, extra: string[] = [], hubUrl = hub.url) =>
    runCli(['publish', '--key', key, '--cert', cert, '--hub', hubUrl, '--attempts', '3', ...extra, file], env);
  const write = async (name: string, content: string[]): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, `${content.join('\n')}\n`);
    return file;
  };
  const journalLines = async (file: string): Promise<string[]> => (await readFile(`${file}.journal`, 'utf8')).split('\n').filter((l) => l !== '');
  /** Live sightings of the indicators `${prefix}0` … `${prefix}3`. */
  const countByPrefix = async (prefix: string): Promise<number> => {
    let total = 0;
    for (const value of [0, 1, 2, 3].map((i) => `${prefix}${i}`)) {
      const found = (await graphql(hub.url, 'query($id: ID!) { indicator(id: $id) { sightingCount } }', { id: indicatorId('KEYWORD', value) }, bearer(token))).body.data!['indicator'] as { sightingCount: number } | null;
      total += found?.sightingCount ?? 0;
    }
    return total;
  };

  it('signs only what a crash left unsigned, reusing the batches already signed', async () => {
    const file = await write('crash.jsonl', lines('crash', 2500));
    const down = await publish(file, ['--attempts', '1'], 'http://127.0.0.1:9');
    assert.equal(down.code, 1);
    const [header, first] = await journalLines(file);
    // As if the process died after signing the first of three batches.
    await writeFile(`${file}.journal`, `${header}\n${first}\n`);
    const { code, stdout, stderr } = await publish(file);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /accepted {3}2500 in 3 batch\(es\), of which 0 already at the hub/);
    const firstId = (JSON.parse(first!) as { batchId: string }).batchId;
    const records = (await journalLines(file)).slice(1).map((l) => JSON.parse(l) as { batchId: string; seq?: number });
    assert.deepEqual([...new Set(records.filter((r) => r.seq !== undefined).map((r) => r.seq))].sort(), [0, 1, 2]);
    assert.ok(records.some((r) => r.batchId === firstId && r.seq === 0), 'the batch signed before the crash is the one sent');
  });

  it('ignores a torn last line of the journal', async () => {
    const file = await write('torn.jsonl', lines('torn', 20));
    assert.equal((await publish(file, [], 'http://127.0.0.1:9')).code, 1);
    await appendFile(`${file}.journal`, '{"batchId":"0b6f');
    const { code, stdout, stderr } = await publish(file);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /accepted {3}20 in 1 batch\(es\)/);
  });

  it('refuses to resume a journal made with another batch size, sending nothing', async () => {
    const file = await write('flags.jsonl', lines('flags', 10));
    assert.equal((await publish(file, ['--batch-size', '5'], 'http://127.0.0.1:9')).code, 1);
    const { code, stderr } = await publish(file, ['--batch-size', '4']);
    assert.equal(code, 1);
    assert.match(stderr, /was made for another batchSize: run with the same file and flags to resume it, or remove it/);
    assert.equal(await countByPrefix('flags'), 0);
  });

  it('does not create a journal for a file with a bad line', async () => {
    const file = await write('bad.jsonl', [line('fine0'), '{"retract":"short"}', line('fine1', { tlp: 'PURPLE' })]);
    const { code, stderr } = await publish(file);
    assert.equal(code, 1);
    assert.match(stderr, /2 invalid line\(s\), nothing was sent:\n {2}line 2: retract must be an indicator id.*\n {2}line 3: tlp must be one of/);
    assert.equal(existsSync(`${file}.journal`), false);
  });

  it('refuses a keyword holding a phone number before signing, with IDENTIFIER_IN_VALUE, and sends nothing', async () => {
    // On main this was signed, accepted, logged and served as KEYWORD call13977310099now.
    const file = await write('phone.jsonl', [line('phonetusk0'), line('call13977310099now')]);
    const { code, stderr } = await publish(file);
    assert.equal(code, 1);
    assert.match(stderr, /line 2: indicator 2: value holds a phone identifier.*\[IDENTIFIER_IN_VALUE\]/s);
    assert.equal(existsSync(`${file}.journal`), false, 'nothing was signed');
    assert.equal(await countByPrefix('phone'), 0);
  });

  it('puts a repeated indicator in another batch rather than having the whole batch refused', async () => {
    const file = await write('repeat.jsonl', [line('repeat0'), line('repeat1'), line('repeat0', { confidence: 90 })]);
    const { code, stdout, stderr } = await publish(file);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /accepted {3}3 in 2 batch\(es\)/);
    assert.equal(await countByPrefix('repeat'), 3);
  });

  it('retracts after reporting, within one file and from a later file, and summarizes a refused retraction by code', async () => {
    const id = (value: string): string => indicatorId('KEYWORD', value);
    const both = await write('both.jsonl', [JSON.stringify({ retract: id('both0'), reason: 'mistake' }), ...lines('both', 3)]);
    const first = await publish(both);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /accepted {3}4 in 2 batch\(es\)/);
    assert.equal(await countByPrefix('both'), 2);

    const later = await write('later.jsonl', [JSON.stringify({ retract: id('both1'), reason: 'false positive' })]);
    assert.equal((await publish(later)).code, 0);
    assert.equal(await countByPrefix('both'), 1);

    const never = await write('never.jsonl', [JSON.stringify({ retract: id('neverreported'), reason: 'x' })]);
    const refused = await publish(never);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /refused {4}1 UNKNOWN_SIGHTING: retraction 0: shopmart has no live sighting of indicator/);
    const again = await publish(never);
    assert.equal(again.code, 1, 'a refusal stays in the journal');
    assert.match(again.stdout, /this run {3}sent 0 batch\(es\); 1 had an answer from an earlier run/);
  });

  it('retries 5xx and 429 through a flaky proxy, and never retries a plain 4xx', async () => {
    const flaky = await startFlakyProxy(hub.url, [
      { status: 503, body: '{"error":{"code":"INTERNAL_SERVER_ERROR","message":"try later"}}' },
      { status: 429, body: '{}' },
    ]);
    try {
      const file = await write('flaky.jsonl', lines('flaky', 5));
      const { code, stdout, stderr } = await publish(file, ['--concurrency', '1'], flaky.url);
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      assert.equal(flaky.requests(), 3);
      assert.match(stdout, /accepted {3}5 in 1 batch\(es\)/);
    } finally {
      await flaky.close();
    }
    const strict = await startFlakyProxy(hub.url, [{ status: 400, body: '{"error":{"code":"SOMETHING_WRONG","message":"the proxy refuses it"}}' }]);
    try {
      const file = await write('strict.jsonl', lines('strict', 5));
      const { code, stdout } = await publish(file, [], strict.url);
      assert.equal(code, 1);
      assert.equal(strict.requests(), 1);
      assert.match(stdout, /refused {4}5 SOMETHING_WRONG: the proxy refuses it/);
    } finally {
      await strict.close();
    }
  });

  it('labels each batch with the TLP of its lines (one TLP per batch)', async () => {
    const file = await write('tlp.jsonl', [line('tlpk0'), line('tlpk1', { tlp: 'RED' }), line('tlpk2', { tlp: 'CLEAR' }), line('tlpk3')]);
    const { code, stderr } = await publish(file, ['--tlp', 'GREEN']);
    assert.equal(code, 0, stderr);
    const records = (await journalLines(file)).slice(1).map((l) => JSON.parse(l) as { jws?: string });
    // A batch is a version 2 SD-JWT: the TLP is in the issuer JWT, the items in the disclosures.
    const tlps = records
      .filter((r) => r.jws !== undefined)
      .map((r) => {
        const { jwt, disclosures } = splitSdJwt(r.jws!);
        const { tlp } = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { tlp: string };
        const items = disclosures.map((d, i) => decodeDisclosure(d, i).item as { value: string; tlp?: string });
        return `${tlp}:${items.map((i) => i.value + (i.tlp ?? '')).join(',')}`;
      })
      .sort();
    assert.deepEqual(tlps, ['CLEAR:tlpk2', 'GREEN:tlpk0,tlpk3', 'RED:tlpk1']);
  });
});
