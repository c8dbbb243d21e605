/**
 * `wildintel model train|score|evaluate|terms` end to end: the real entry point on generated
 * labelled listings (bench/listing-corpus.ts), files in, JSON lines out, bad lines refused with
 * their line number and code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/hub-process.js';
import { listingCorpus } from '../bench/listing-corpus.js';

describe('wildintel model', () => {
  let dir: string;
  const corpus = listingCorpus({ count: 3000, seed: 31 });
  const file = (name: string): string => path.join(dir, name);
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-model-'));
    await writeFile(file('train.jsonl'), `${corpus.listings.map((l) => JSON.stringify(l)).join('\n')}\n`);
    await writeFile(file('keywords.txt'), `${corpus.keywords.join('\n')}\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = async (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => runCli(['model', ...args], {});
  const lines = (stdout: string): Array<Record<string, unknown>> => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('trains a model file with its own evaluation, then scores listings in input order', async () => {
    const trained = await run(['train', '--in', file('train.jsonl'), '--out', file('model.json'), '--folds', '3', '--seed', '4']);
    assert.equal(trained.code, 0, trained.stderr);
    const summary = lines(trained.stdout)[0] as { evaluation: { folds: number; examples: number; model: { prAuc: number } } };
    assert.equal(summary.evaluation.folds, 3);
    assert.equal(summary.evaluation.examples, 3000);
    assert.ok(summary.evaluation.model.prAuc > 0.8);
    const written = JSON.parse(await readFile(file('model.json'), 'utf8')) as { format: string; version: number; created: string; features: unknown };
    assert.deepEqual([written.format, written.version], ['wildintel-listing-model', 1]);
    assert.ok(!Number.isNaN(Date.parse(written.created)));
    assert.equal((await stat(file('model.json'))).mode & 0o777, 0o600);

    const probe = ['象牙手镯 现货 加微信 价格私聊', 'ivory white dress, colour', 'tusko bangle DM for price', 'green tea, nice'];
    await writeFile(file('probe.jsonl'), `${probe.map((text, i) => JSON.stringify({ text, id: i })).join('\n')}\n\n`);
    const scored = await run(['score', '--model', file('model.json'), '--in', file('probe.jsonl')]);
    assert.equal(scored.code, 0, scored.stderr);
    const scores = lines(scored.stdout);
    assert.equal(scores.length, probe.length);
    for (const s of scores) assert.deepEqual(Object.keys(s), ['score']);
    const [sale, colour, coded, tea] = scores.map((s) => s['score'] as number);
    assert.ok(sale! > 0.5 && coded! > 0.5, `sales ${sale} ${coded}`);
    assert.ok(colour! < 0.2 && tea! < 0.2, `others ${colour} ${tea}`);
    const explained = lines((await run(['score', '--model', file('model.json'), '--in', file('probe.jsonl'), '--terms'])).stdout);
    assert.ok((explained[2]!['topTerms'] as string[]).includes('tusko'));
  });

  it('evaluates the model beside keyword matching and the character n-gram baseline on the same folds', async () => {
    const result = await run(['evaluate', '--in', file('train.jsonl'), '--keywords', file('keywords.txt'), '--folds', '3', '--baseline']);
    assert.equal(result.code, 0, result.stderr);
    const e = lines(result.stdout)[0] as Record<string, { prAuc: number; precisionAtRecall90: number }> & { keywords: string };
    assert.equal(e.keywords, 'given');
    assert.ok(e['model']!.prAuc > e['keywordOnly']!.prAuc);
    assert.ok(e['model']!.precisionAtRecall90 > e['keywordOnly']!.precisionAtRecall90);
    assert.ok(e['charNgramBaseline']!.prAuc > 0.5);
  });

  it('lists candidate code words, the held-out ones among the top ten', async () => {
    const result = await run(['terms', '--in', file('train.jsonl'), '--keywords', file('keywords.txt'), '--top', '10']);
    assert.equal(result.code, 0, result.stderr);
    const terms = lines(result.stdout);
    assert.equal(terms.length, 10);
    for (const t of terms) assert.deepEqual(Object.keys(t), ['term', 'lift', 'support']);
    for (const word of corpus.heldOut) assert.ok(terms.some((t) => word.includes(t['term'] as string)), `${word}`);
  });

  it('refuses a bad line with its number and code, and writes nothing', async () => {
    await writeFile(file('bad.jsonl'), '{"text":"a","label":true}\n{"text":"b"}\n');
    const result = await run(['train', '--in', file('bad.jsonl'), '--out', file('bad-model.json')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /line 2: label must be true or false \[INVALID_LABELLED_LINE\]\n$/);
    await assert.rejects(stat(file('bad-model.json')));
    const notModel = await run(['score', '--model', file('train.jsonl'), '--in', file('probe.jsonl')]);
    assert.equal(notModel.code, 1);
    assert.match(notModel.stderr, /\[INVALID_MODEL_FILE\]/);
    const folds = await run(['evaluate', '--in', file('train.jsonl'), '--folds', '1']);
    assert.equal(folds.code, 1);
    assert.match(folds.stderr, /\[INVALID_ARGUMENT\]/);
  });
});
