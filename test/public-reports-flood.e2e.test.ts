/**
 * Issue 23, a flood of public reports against a real node: thousands of reports, most of them
 * malformed, duplicated, oversize, unsolved or replayed, sent many at a time. The node stays
 * responsive, the review queue stays within REPORTS_MAX_OPEN, every refusal carries a code,
 * and every refusal is counted by its code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { RunningNode } from '../src/node/index.js';
import { federationWithNode, testPicture } from './helpers/member-node.js';

const MAX_OPEN = 20;
const CODES = new Set(['INVALID_REPORT', 'REPORT_TOO_LARGE', 'INVALID_PHOTO', 'POW_INVALID', 'POW_REPLAYED', 'DUPLICATE_LISTING', 'DUPLICATE_IMAGE', 'QUEUE_FULL', 'STORAGE_FULL', 'RATE_LIMITED']);

describe('a flood of public reports', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let node: RunningNode;

  before(async () => {
    setup = await federationWithNode({ nodeEnv: { REPORTS_POW_DIFFICULTY: '1', REPORTS_MAX_OPEN: String(MAX_OPEN), REPORTS_MAX_PHOTO_MB: '1', REPORTS_PER_PREFIX_PER_HOUR: '100000', LOG_LEVEL: 'warn' } });
    node = setup.node!;
  });
  after(() => setup?.close());

  /**
   * Each request on a connection of its own (no keep-alive): a pooled connection the node closes
   * when idle while the client picks it would fail a request the node never saw. A body over the
   * limit is answered 413 from its content-length and the connection closed before the body is
   * read: a client still sending may see the close instead of the answer.
   */
  const send = (method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> =>
    new Promise((resolve) => {
      const url = new URL(`${node.url}${path}`);
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, agent: false, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      });
      req.on('error', () => resolve({ status: 0, json: { error: { code: 'CONNECTION_CLOSED' } } }));
      req.end(body);
    });
  const solved = async (): Promise<string> => {
    const { json: challenge } = await send('GET', '/v1/reports/challenge');
    const solution = await solveChallenge({ challenge: challenge as unknown as Challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  };
  const post = async (body: string): Promise<{ status: number; code: string | undefined }> => {
    const { status, json } = await send('POST', '/v1/reports', body);
    return { status, code: (json['error'] as { code?: string } | undefined)?.code };
  };
  const postOversize = post;
  const report = (listing: string, altcha: string, extra: object = {}): string => JSON.stringify({ listing, commodity: 'IVORY', description: 'ivory for sale', altcha, ...extra });

  it('stays responsive, keeps the queue bounded and codes and counts every refusal', async (t) => {
    const started = Date.now();
    const picture = (await testPicture(77)).toString('base64');
    const tooBig = Buffer.alloc(1024 * 1024 + 10, 7).toString('base64');
    const jobs: Array<() => Promise<string>> = [];
    const malformed = ['{', '[]', '{"listing": 1}', JSON.stringify({ listing: 'x', commodity: 'IVORY', description: 'a\u001b[2Jb', altcha: 'x' }), JSON.stringify({ listing: 'x', commodity: 'UNICORN', description: 'd', altcha: 'x' }), JSON.stringify({ extra: true })];
    for (let i = 0; i < 1300; i++) jobs.push(async () => `malformed:${JSON.stringify(await post(malformed[i % malformed.length]!))}`);
    for (let i = 0; i < 300; i++) jobs.push(async () => `unsolved:${JSON.stringify(await post(report(`https://shop.example/u/${i}`, Buffer.from('{"challenge":{}}').toString('base64'))))}`);
    for (let i = 0; i < 20; i++) jobs.push(async () => `oversize-photo:${JSON.stringify(await post(report(`https://shop.example/o/${i}`, 'x', { photos: [tooBig] })))}`);
    for (let i = 0; i < 5; i++) jobs.push(async () => `oversize-body:${JSON.stringify(await postOversize(report(`https://shop.example/b/${i}`, 'x', { photos: [tooBig, tooBig, tooBig, tooBig, tooBig.slice(0, 4000)], description: 'x'.repeat(3000) }).replace('"photos"', '"padding":"' + 'p'.repeat(2_000_000) + '","photos"')))}`);
    // Valid reports of a few listings (with tracking parameters: one canonical listing each), and one picture under many listings.
    for (let i = 0; i < 200; i++) jobs.push(async () => `valid:${JSON.stringify(await post(report(`https://SHOP.example/item/${i % 30}?utm_source=x${i}`, await solved())))}`);
    for (let i = 0; i < 10; i++) jobs.push(async () => `picture:${JSON.stringify(await post(report(`https://shop.example/pic/${i}`, await solved(), { photos: [picture] })))}`);
    const replayed = await solved();
    for (let i = 0; i < 40; i++) jobs.push(async () => `replayed:${JSON.stringify(await post(report(`https://shop.example/r/${i}`, replayed)))}`);
    jobs.sort(() => Math.random() - 0.5);

    const latencies: number[] = [];
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const t0 = Date.now();
        const res = await fetch(`${node.url}/healthz`);
        assert.equal(res.status, 200);
        latencies.push(Date.now() - t0);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const results: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 48 }, async () => {
      while (next < jobs.length) results.push(await jobs[next++]!());
    }));
    flooding = false;
    await probe;

    const byCode = new Map<string, number>();
    for (const line of results) {
      const { status, code } = JSON.parse(line.slice(line.indexOf(':') + 1)) as { status: number; code?: string };
      if (status === 201) continue;
      if (status === 0) {
        assert.ok(line.startsWith('oversize-body:'), `only an oversize body may see its connection closed: ${line}`);
        byCode.set('REPORT_TOO_LARGE', (byCode.get('REPORT_TOO_LARGE') ?? 0) + 1);
        continue;
      }
      assert.ok(code !== undefined && CODES.has(code), `a refusal without a known code: ${line}`);
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
    }
    t.diagnostic(`${results.length} reports in ${Date.now() - started} ms; refusals ${JSON.stringify(Object.fromEntries(byCode))}; health p100 ${Math.max(...latencies)} ms`);
    assert.ok(results.filter((l) => l.startsWith('malformed:')).every((l) => l.includes('"INVALID_REPORT"')));
    assert.ok(results.filter((l) => l.startsWith('unsolved:')).every((l) => l.includes('"POW_INVALID"')));
    assert.ok(results.filter((l) => l.startsWith('oversize-photo:')).every((l) => l.includes('"INVALID_PHOTO"')));
    assert.ok(results.filter((l) => l.startsWith('oversize-body:')).every((l) => l.includes('"REPORT_TOO_LARGE"') || l.includes('"CONNECTION_CLOSED"')));
    assert.equal(results.filter((l) => l.startsWith('replayed:') && l.includes('"status":201')).length <= 1, true, 'a proof of work is used once');
    assert.ok((byCode.get('DUPLICATE_LISTING') ?? 0) > 0 && (byCode.get('QUEUE_FULL') ?? 0) > 0, 'duplicates refused, and the queue filled up');
    assert.ok(Math.max(...latencies) < 5_000, `the node answered /healthz within 5 s throughout (worst ${Math.max(...latencies)} ms)`);

    const status = await node.status();
    assert.ok(status.reports!.open <= MAX_OPEN, `queue bounded: ${status.reports!.open}`);
    assert.equal(status.reports!.open, results.filter((l) => l.includes('"status":201')).length);
    // Every refusal counted by its code (what /metrics and the review page show).
    assert.deepEqual(Object.fromEntries([...byCode].sort()), Object.fromEntries(Object.entries(status.reports!.refused).sort()));
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(metrics, /wildintel_node_reports_refused\{code="INVALID_REPORT"\} \d+/);
  });
});
