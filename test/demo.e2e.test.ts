/**
 * `npm run demo` as a newcomer runs it: a hub and three member nodes on the embedded database,
 * fed the synthetic data set; its printed queries answer what they promise, the facts it writes
 * with --json-out drive the federation, the auditor's command passes, and Ctrl-C stops it all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bearer, graphql, NODE_FLAGS, onlyInPass, REPO_ROOT, runCli } from './helpers/hub-process.js';

interface DemoFacts {
  hubUrl: string;
  hubEnv: { DATA_DIR: string; CERTS_DIR: string; HUB_ORIGIN: string };
  consoleUrl: string;
  nodes: Array<{ slug: string; url: string; apiKey: string; key: string; cert: string; dataDir: string }>;
  agencyToken: string;
  auditorToken: string;
  report: { html: string; json: string; outcomes: Record<string, number>; mismatches: string[] };
  rootCert: string;
  logVerifierKey: string;
  queries: Array<{ title: string; ok: boolean; answer: string }>;
  disclosure: { fingerprint: string; members: Array<{ slug: string }>; requestArgs: string[] };
}

// The demo always runs on the embedded database, whatever the suite's driver: once is enough.

/** A port the kernel says is free now, for --node-port. */
function kernelPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The VAR=value pairs of the line the demo prints starting with `export DATA_DIR=`, paths as the demo's cwd (the repository) sees them. */
function printedOperatorEnv(stdout: string): Record<string, string> {
  const line = /^export (DATA_DIR=.*)$/m.exec(stdout)?.[1];
  assert.ok(line, 'the demo prints the export line of the hub’s operator environment');
  return Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string]).map(([k, v]) => [k, k.endsWith('_DIR') ? path.resolve(REPO_ROOT, v) : v]));
}

describe('npm run demo', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let demo: ChildProcess;
  let exited: Promise<number | null>;
  let facts: DemoFacts;
  let stdout = '';
  let nodePort: number;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-demo-'));
    nodePort = await kernelPort();
    const out = path.join(dir, 'facts.json');
    demo = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'scripts/demo.ts', '--seed', '7', '--scale', '60', '--node-port', String(nodePort), '--dir', path.join(dir, 'federation'), '--json-out', out], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    let stderr = '';
    demo.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    exited = new Promise((resolve) => demo.once('exit', resolve));
    // The demo now also trains a model, files public reports, runs a referral and writes the report:
    // about four minutes on a loaded two-core machine, so six before calling it stuck.
    const deadline = Date.now() + 360_000;
    while (!existsSync(out) || !stdout.includes('Press Ctrl-C')) {
      if (demo.exitCode !== null) throw new Error(`the demo exited early (${demo.exitCode}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`the demo was not up within 6 minutes:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    facts = JSON.parse(await readFile(out, 'utf8')) as DemoFacts;
  });
  after(async () => {
    if (demo.exitCode === null) demo.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the facts scripts need: URLs, keys, tokens, root certificate, log key', () => {
    assert.match(facts.hubUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(facts.nodes.map((n) => n.slug), ['shopmart', 'chatapp', 'searchco']);
    for (const n of facts.nodes) assert.ok(existsSync(n.key) && existsSync(n.cert) && n.apiKey.length > 20);
    assert.ok(existsSync(facts.rootCert));
    assert.match(facts.logVerifierKey, /\+[0-9a-f]{8}\+/);
  });

  it('puts the first member node on --node-port', () => {
    assert.equal(facts.nodes[0]!.url, `http://127.0.0.1:${nodePort}`);
  });

  it('prints the environment the hub’s operator commands need, and with it they reach this hub', async () => {
    const env = printedOperatorEnv(stdout);
    assert.deepEqual(Object.keys(env).sort(), ['CERTS_DIR', 'DATA_DIR', 'HUB_ORIGIN']);
    assert.deepEqual(env, facts.hubEnv);
    const listed = await runCli(['token', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /demo-customs\/analyst-1/);
    const keys = await runCli(['hub', 'keys'], env);
    assert.equal(keys.code, 0, keys.stderr);
    assert.ok(keys.stdout.includes(facts.logVerifierKey), 'the same log key as the running hub’s');
  });

  it('prints each member node’s DATA_DIR, with which its operator commands work', async () => {
    for (const n of facts.nodes) {
      const printed = new RegExp(`^${n.slug}\\s.*DATA_DIR=(\\S+)$`, 'm').exec(stdout)?.[1];
      assert.ok(printed, `${n.slug}'s DATA_DIR is printed`);
      assert.equal(path.resolve(REPO_ROOT, printed), n.dataDir);
    }
    const requests = await runCli(['node', 'requests'], { DATA_DIR: facts.nodes[0]!.dataDir });
    assert.equal(requests.code, 0, requests.stderr);
  });

  it('logs every service at info into logs.jsonl, each line naming its service', async () => {
    const lines = (await readFile(path.join(dir, 'federation', 'logs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { service?: string; level: number; msg: string });
    const services = new Set(lines.map((l) => l.service));
    assert.deepEqual([...services].sort(), ['hub', 'node:chatapp', 'node:searchco', 'node:shopmart'], 'every line names one of the four services');
    assert.ok(lines.some((l) => l.service === 'hub' && l.msg === 'hub listening' && l.level === 30), 'info lines are kept');
    for (const slug of ['shopmart', 'chatapp', 'searchco']) assert.ok(lines.some((l) => l.service === `node:${slug}` && l.msg === 'member node listening'), slug);
  });

  it('prints five queries that each showed the cross-platform picture', () => {
    assert.equal(facts.queries.length, 5);
    for (const q of facts.queries) assert.ok(q.ok, `${q.title}: ${q.answer}`);
    for (const q of facts.queries) assert.ok(stdout.includes(q.answer), 'the answer is printed');
    assert.match(stdout, /export TOKEN=ey/);
  });

  it('prints a referral that customs acknowledged and closed, as the member’s node shows it', () => {
    assert.match(stdout, /referral [0-9a-f-]{36} from (shopmart|chatapp|searchco) to demo-customs: CLOSED \(INVESTIGATION_OPENED\); at the member's node: CLOSED INVESTIGATION_OPENED/);
  });

  it('prints the analyst console’s URL, which serves the console', async () => {
    assert.equal(facts.consoleUrl, `${facts.hubUrl}/console/`);
    assert.match(stdout, new RegExp(`analyst console\\s+${facts.consoleUrl.replace(/[.]/g, '\\.')}`));
    const page = await fetch(facts.consoleUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('gives a working agency token: sellers seen on several platforms, correlated by fingerprint', async () => {
    const { body } = await graphql(facts.hubUrl, '{ indicators(filter: { type: SELLER }, first: 500) { edges { node { members } } } }', {}, bearer(facts.agencyToken));
    const edges = (body.data!['indicators'] as { edges: Array<{ node: { members: string[] } }> }).edges;
    assert.ok(edges.some((e) => e.node.members.length >= 2), 'a seller on two or more platforms');
  });

  it('lets each node screen a listing locally against the other platforms’ code words', async () => {
    const chatapp = facts.nodes[1]!;
    const res = await fetch(`${chatapp.url}/v1/scan`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(chatapp.apiKey) }, body: JSON.stringify({ text: '出售 象 牙 手 鐲 和 犀 角 盃' }) });
    assert.equal(res.status, 200);
    assert.match(JSON.stringify(await res.json()), /members/);
  });

  it('prints a disclosure example whose request files and routes to the members that reported the seller', async () => {
    assert.match(stdout, /lawful re-identification/);
    assert.match(stdout, /npx wildintel node requests approve <request id>/);
    const r = await runCli(facts.disclosure.requestArgs, {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`filed, routed to ${facts.disclosure.members.map((m) => m.slug).sort().join(', ')}`));
  });

  it("passes the auditor's command", async () => {
    const r = await runCli(['audit', 'verify', '--hub', facts.hubUrl, '--root', facts.rootCert, '--log-key', facts.logVerifierKey, '--state', path.join(dir, 'audit-state.json'), '--token', facts.auditorToken], {});
    assert.equal(r.code, 0, r.stderr);
  });

  it('records outcomes and writes a transparency report whose figures match them, which audit report confirms', async () => {
    assert.ok((facts.report.outcomes['REMOVED'] ?? 0) > 0 && (facts.report.outcomes['ACCOUNT_SUSPENDED'] ?? 0) > 0, JSON.stringify(facts.report.outcomes));
    assert.deepEqual(facts.report.mismatches, []);
    assert.ok(existsSync(facts.report.html));
    assert.ok(stdout.includes(path.relative(REPO_ROOT, facts.report.html)), 'the report’s path is printed');
    const r = await runCli(['audit', 'report', facts.report.json, '--hub', facts.hubUrl, '--root', facts.rootCert, '--log-key', facts.logVerifierKey, '--token', facts.auditorToken], {});
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  it('stops everything on Ctrl-C', async () => {
    demo.kill('SIGINT');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`${facts.hubUrl}/healthz`), 'the hub is gone');
    for (const n of facts.nodes) await assert.rejects(fetch(`${n.url}/healthz`), `${n.slug} is gone`);
  });
});
