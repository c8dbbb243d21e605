import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reserveTestDatabase } from '../src/db/test-database.js';
import { bearer, graphql, readerToken, runCli, safeJson, spawnHub, type HubProcess, onlyInPass } from './helpers/hub-process.js';

describe('wildintel hub, as a process', { skip: onlyInPass('embedded') }, () => {
  let reserved: Awaited<ReturnType<typeof reserveTestDatabase>>;
  let dataDir: string;
  let hub: HubProcess;
  let certsDir: string;

  before(async () => {
    // An empty data dir: the hub's first start (creating and migrating its embedded database).
    reserved = await reserveTestDatabase({ fresh: true });
    dataDir = reserved.env['DATA_DIR'] ?? (await mkdtemp(path.join(tmpdir(), 'wildintel-hub-')));
    certsDir = await mkdtemp(path.join(tmpdir(), 'wildintel-certs-'));
    hub = await spawnHub({ ...reserved.env, DATA_DIR: dataDir, CERTS_DIR: certsDir, HUB_ORIGIN: 'http://hub.test' });
  });
  after(async () => {
    if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    await reserved.drop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(certsDir, { recursive: true, force: true });
  });

  it('answers /healthz and /readyz', async () => {
    assert.deepEqual(await (await fetch(`${hub.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${hub.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  });

  it('answers the GraphQL query from the README with a token, and refuses it without one', async () => {
    const token = await readerToken({ ...reserved.env, DATA_DIR: dataDir, CERTS_DIR: certsDir, HUB_ORIGIN: 'http://hub.test' });
    const { status, body } = await graphql(hub.url, '{ indicators(first: 1) { edges { node { id } } } }', {}, bearer(token));
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { indicators: { edges: [] } } });
    const anonymous = await graphql(hub.url, '{ indicators(first: 1) { edges { node { id } } } }');
    assert.equal(anonymous.body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED');
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(text, /wildintel_http_request_duration_seconds_count\{[^}]*route="\/healthz"/);
  });

  it('answers unknown paths with a coded 404', async () => {
    const res = await fetch(`${hub.url}/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('refuses a malformed JSON body with a code, not a stack trace', async () => {
    const res = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.match(text, /MALFORMED_REQUEST/);
    assert.doesNotMatch(text, /at .*\.js:\d+/);
  });

  it('runs operator commands while it holds the database', async () => {
    const { code, stdout, stderr } = await runCli(['db', 'status'], { ...reserved.env, DATA_DIR: dataDir, CERTS_DIR: certsDir });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /ready/);
    assert.match(stdout, /IndicatorStore1764345600000/);
  });

  it('refuses a second hub on the same data directory, in one line', async () => {
    const { code, stderr } = await runCli(['hub'], { ...reserved.env, DATA_DIR: dataDir, CERTS_DIR: certsDir, PORT: '0' });
    assert.equal(code, 1);
    assert.match(stderr, /^wildintel: .* \[(DATABASE_IN_USE|DATA_DIR_IN_USE)\]\n$/);
  });

  it('logs one JSON line per request with status and duration', () => {
    const lines = hub.logs.map(safeJson).filter((e) => e?.['msg'] === 'request');
    const health = lines.find((e) => e?.['path'] === '/healthz');
    assert.equal(health?.['status'], 200);
    assert.equal(typeof health?.['durationMs'], 'number');
  });

  it('stops cleanly on SIGTERM: exit 0, database closed, socket removed', async () => {
    const started = Date.now();
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exited, 0);
    assert.ok(Date.now() - started < 10000);
    assert.ok(hub.logs.some((l) => safeJson(l)?.['msg'] === 'hub stopped'));
    assert.equal(existsSync(path.join(dataDir, 'admin.sock')), false);
    assert.equal(existsSync(path.join(dataDir, 'pglite.pid')), false);
  });
});

describe('wildintel with an invalid configuration', { skip: onlyInPass('embedded') }, () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['PORT=abc', { PORT: 'abc' }, /^wildintel: PORT must be a port number \(got "abc"\) \[INVALID_CONFIG\]\n$/],
    ['an unreachable DATABASE_URL', { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, /^wildintel: cannot connect to Postgres at 127\.0\.0\.1:1\/none: .+ \[DATABASE_UNREACHABLE\]\n$/],
  ];
  for (const [name, env, expected] of cases) {
    it(`exits non-zero with one line naming the problem: ${name}`, async () => {
      const { code, stderr } = await runCli(['hub'], { DATA_DIR: path.join(tmpdir(), 'wildintel-never-created'), ...env });
      assert.equal(code, 1);
      assert.match(stderr, expected);
    });
  }
});
