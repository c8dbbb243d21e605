/**
 * The member node's own suspicious-listing model, end to end: labelled listings added with
 * `wildintel node model label`, a model trained and installed with `node model retrain`, the
 * running node's /v1/scan showing its score and top terms at the next scan (no restart), and a
 * retrained model that evaluates worse refused (MODEL_NOT_BETTER) with the installed one kept.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/hub-process.js';
import { callNode, federationWithNode } from './helpers/member-node.js';
import { listingCorpus } from '../bench/listing-corpus.js';
import { seededRandom } from '../src/model/index.js';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';

describe('the node model', () => {
  let dir: string;
  let federation: Awaited<ReturnType<typeof federationWithNode>>;
  const file = (name: string): string => path.join(dir, name);
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-node-model-'));
    federation = await federationWithNode({ nodeEnv: { NODE_MODEL_FILE: path.join(dir, 'model.json'), NODE_MODEL_LABELS_FILE: path.join(dir, 'labels.jsonl') } });
  });
  after(async () => {
    await federation.close();
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (args: string[]) => runCli(['node', 'model', ...args], federation.fixture.env);
  const scan = async (text: string) => callNode(federation.node!.url, federation.fixture.apiKey, '/v1/scan', { text });

  it('scans without a score until a model is installed, then with its score and top terms', async () => {
    const before = await scan('象牙手镯 现货 加微信');
    assert.equal(before.status, 200);
    assert.equal(before.body['model'], undefined);
    assert.deepEqual(JSON.parse((await cli(['status'])).stdout), { installed: false, model: file('model.json') });

    const corpus = listingCorpus({ count: 2000, seed: 41 });
    await writeFile(file('good.jsonl'), `${corpus.listings.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const labelled = await cli(['label', '--in', file('good.jsonl')]);
    assert.equal(labelled.code, 0, labelled.stderr);
    assert.equal(JSON.parse(labelled.stdout).added, 2000);
    const retrained = await cli(['retrain']);
    assert.equal(retrained.code, 0, retrained.stderr);
    assert.equal(JSON.parse(retrained.stdout).installed, true);

    const sale = await scan('象牙手镯 现货 加微信 价格私聊');
    const model = sale.body['model'] as { score: number; topTerms: string[]; modelCreated: string };
    assert.ok(model.score > 0.5, `score ${model.score}`);
    assert.ok(model.topTerms.length > 0);
    assert.ok(!Number.isNaN(Date.parse(model.modelCreated)));
    const colour = (await scan('ivory white dress, colour')).body['model'] as { score: number };
    assert.ok(colour.score < 0.2, `colour ${colour.score}`);
    assert.equal(JSON.parse((await cli(['status'])).stdout).installed, true);
  });

  it('ranks public reports in the review queue with the installed model, its terms shown', async () => {
    const node = federation.node!;
    const challenge = (await (await fetch(`${node.url}/v1/reports/challenge`)).json()) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    const filed = await fetch(`${node.url}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ listing: 'https://shop.example/item/model-1', commodity: 'IVORY', description: '象牙手镯 现货 加微信 价格私聊', altcha }),
    });
    assert.equal(filed.status, 201, await filed.text());
    const [row] = (await node.database.dataSource.query(`SELECT score_parts FROM report_reports`)) as Array<{ score_parts: unknown }>;
    const parts = (typeof row!.score_parts === 'string' ? JSON.parse(row!.score_parts) : row!.score_parts) as Array<{ name: string; points: number; why: string }>;
    const model = parts.find((p) => p.name === 'model');
    assert.ok(model !== undefined, JSON.stringify(parts));
    assert.ok(model.points > 15, model.why);
    assert.match(model.why, /^text model 0\.\d\d: \S/);
  });

  it('refuses a bad labelled line and adds nothing', async () => {
    const labels = await readFile(file('labels.jsonl'), 'utf8');
    await writeFile(file('bad.jsonl'), '{"text":"ok","label":false}\n{"text":"x","label":1}\n');
    const refused = await cli(['label', '--in', file('bad.jsonl')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /line 2: label must be true or false \[INVALID_LABELLED_LINE\]/);
    assert.equal(await readFile(file('labels.jsonl'), 'utf8'), labels);
  });

  it('proposes emerging code words with scrubbed examples; approving publishes one, and decided terms are not proposed again', async () => {
    const phones = ['zebrako 手镯 出售 电话 13800138000', 'zebrako bangle call +86 138 0013 8001 now', 'zebrako beads, whatsapp +8613800138002', 'zebrako 原料 加微信 13800138003'];
    await writeFile(file('phones.jsonl'), `${phones.map((text) => JSON.stringify({ text, label: true })).join('\n')}\n`);
    assert.equal((await cli(['label', '--in', file('phones.jsonl')])).code, 0);
    const terms = runCli.bind(null);
    const list = async (): Promise<Array<{ term: string; lift: number; support: number; examples: string[] }>> => {
      const r = await terms(['node', 'terms', 'list', '--top', '300'], federation.fixture.env);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { term: string; lift: number; support: number; examples: string[] });
    };
    const proposals = await list();
    for (const word of ['tusko', 'elebone']) assert.ok(proposals.slice(0, 10).some((p) => p.term === word), `${word} among the first ten`);
    assert.ok(!proposals.some((p) => p.term === 'ivory' || p.term === '象牙'), 'a warninglist or federation keyword is not proposed');
    const zebra = proposals.find((p) => p.term === 'zebrako');
    assert.ok(zebra, 'the new code word is proposed');
    assert.equal(zebra.examples.length, 3);
    for (const e of zebra.examples) {
      assert.ok(e.includes('zebrako'), e);
      assert.doesNotMatch(e, /138\s?0013\s?800|1380013800/, `no phone number in ${e}`);
    }
    const approved = await terms(['node', 'terms', 'approve', 'Tusko', '--commodity', 'IVORY'], federation.fixture.env);
    assert.equal(approved.code, 0, approved.stderr);
    assert.deepEqual(JSON.parse(approved.stdout), { term: 'tusko', decision: 'approved', indicators: 1, viaNode: true });
    assert.equal((await terms(['node', 'terms', 'dismiss', 'elebone'], federation.fixture.env)).code, 0);
    const after = await list();
    assert.ok(!after.some((p) => p.term === 'tusko' || p.term === 'elebone'));
    const refused = await terms(['node', 'terms', 'approve', 'x', '--commodity', 'UNICORN'], federation.fixture.env);
    assert.equal(refused.code, 1);
  });

  it('keeps the installed model when a retrained one evaluates worse, and installs it with --force', async () => {
    const installed = await readFile(file('model.json'), 'utf8');
    // Listings labelled at random: the retrained model learns less and evaluates worse.
    const random = seededRandom(5);
    const noise = listingCorpus({ count: 3000, seed: 42 }).listings.map((l) => JSON.stringify({ text: l.text, label: random() < 0.06 }));
    await writeFile(file('noise.jsonl'), `${noise.join('\n')}\n`);
    assert.equal((await cli(['label', '--in', file('noise.jsonl')])).code, 0);
    const refused = await cli(['retrain']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /evaluates worse .* the installed model is kept \[MODEL_NOT_BETTER\]\n$/);
    assert.equal(await readFile(file('model.json'), 'utf8'), installed);
    const forced = await cli(['retrain', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(await readFile(file('model.json'), 'utf8'), installed);
  });
});
