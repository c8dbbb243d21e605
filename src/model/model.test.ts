import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword } from '../indicators/index.js';
import { listingCorpus } from '../../bench/listing-corpus.js';
import {
  CHAR_NGRAM_FEATURES,
  DEFAULT_FEATURES,
  DEFAULT_TRAINING,
  ModelError,
  applyPlatt,
  assertNotWorse,
  candidateTerms,
  crossValidate,
  fitPlatt,
  parseLabelledLines,
  parseModel,
  parseTextLines,
  rankingFigures,
  scoreListing,
  seededRandom,
  serializeModel,
  trainModel,
  type LabelledListing,
  type ListingModel,
} from './index.js';
import { murmur3 } from './feature-hash.js';

const NOW = new Date('2026-12-01T00:00:00Z');

function train(listings: readonly LabelledListing[], seed = 7): ListingModel {
  return trainModel(listings, { features: DEFAULT_FEATURES, training: DEFAULT_TRAINING, folds: 3, seed, random: seededRandom(seed), now: NOW });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ModelError, `a ModelError, not ${String(err)}`);
    return err.code;
  }
  assert.fail('did not throw');
}

describe('the feature hash', () => {
  it('is MurmurHash3 x86_32 over UTF-16LE code units (values from an independent implementation)', () => {
    assert.deepEqual(
      [murmur3(''), murmur3('a'), murmur3('c:象牙'), murmur3('w:ivory'), murmur3('abcd', 42)],
      [0, 1867108634, 3526928057, 2289664098, 2886795779],
    );
  });
});

describe('ranking figures', () => {
  it('match a hand-computed example', () => {
    // Ranked: + − + − −. Thresholds: (P 1, R .5), (P .5, R .5), (P 2/3, R 1), (P .5, R 1), (P .4, R 1).
    // Average precision = .5·1 + .5·(2/3) = 5/6; best F1 at (2/3, 1) = 0.8; P@R.8 = P@R.9 = 2/3.
    const f = rankingFigures([0.9, 0.8, 0.7, 0.6, 0.5], [true, false, true, false, false]);
    assert.ok(Math.abs(f.prAuc - 5 / 6) < 1e-12);
    assert.ok(Math.abs(f.bestF1 - 0.8) < 1e-12);
    assert.ok(Math.abs(f.precisionAtRecall80 - 2 / 3) < 1e-12);
    assert.ok(Math.abs(f.precisionAtRecall90 - 2 / 3) < 1e-12);
  });

  it('treat tied scores as one threshold (keyword matching flags a set, not an order)', () => {
    // Flagged {+, +, −}, not flagged {+, −, −, −}: thresholds (P 2/3, R 2/3), (P 3/7, R 1).
    // Average precision = (2/3)(2/3) + (1/3)(3/7) = 4/9 + 1/7; best F1 = 2/3; P@R.8 = 3/7 (everything flagged).
    const f = rankingFigures([1, 1, 1, 0, 0, 0, 0], [true, true, false, true, false, false, false]);
    assert.ok(Math.abs(f.prAuc - (4 / 9 + 1 / 7)) < 1e-12);
    assert.ok(Math.abs(f.bestF1 - 2 / 3) < 1e-12);
    assert.ok(Math.abs(f.precisionAtRecall80 - 3 / 7) < 1e-12);
  });
});

describe('Platt calibration', () => {
  it('recovers the slope and offset of data drawn from a known sigmoid', () => {
    const random = seededRandom(3);
    const margins: number[] = [];
    const labels: boolean[] = [];
    for (let i = 0; i < 20000; i++) {
      const m = random() * 8 - 4;
      margins.push(m);
      labels.push(random() < 1 / (1 + Math.exp(-(1.5 * m - 1))));
    }
    const p = fitPlatt(margins, labels);
    assert.ok(Math.abs(p.a - 1.5) < 0.1, `a = ${p.a}`);
    assert.ok(Math.abs(p.b + 1) < 0.1, `b = ${p.b}`);
  });

  it('makes scores reliable: in each band of scores on unseen listings, the share labelled suspicious is near the scores', () => {
    const model = train(listingCorpus({ count: 3000, seed: 11 }).listings);
    const unseen = listingCorpus({ count: 3000, seed: 12 }).listings;
    const bands = [0, 0.1, 0.5, 0.9, 1.0001].map(() => ({ sum: 0, n: 0, pos: 0 }));
    for (const l of unseen) {
      const { score } = scoreListing(model, l.text);
      const band = score < 0.1 ? 0 : score < 0.5 ? 1 : score < 0.9 ? 2 : 3;
      bands[band]!.sum += score;
      bands[band]!.n++;
      if (l.label) bands[band]!.pos++;
    }
    for (const b of bands.filter((b) => b.n >= 50)) assert.ok(Math.abs(b.sum / b.n - b.pos / b.n) < 0.1, `mean score ${b.sum / b.n} vs share ${b.pos / b.n} over ${b.n}`);
    assert.ok(bands[0]!.n > 0 && bands[3]!.n > 0, 'scores spread over the range');
    assert.equal(applyPlatt({ a: 1, b: 0 }, 0), 0.5);
  });
});

describe('training and scoring', () => {
  const corpus = listingCorpus({ count: 2000, seed: 5 });

  it('is deterministic given the seed, and differs with another', () => {
    const a = serializeModel(train(corpus.listings, 1));
    assert.equal(serializeModel(train(corpus.listings, 1)), a);
    assert.notEqual(serializeModel(train(corpus.listings, 2)).replace(/"created":"[^"]*"/, ''), a.replace(/"created":"[^"]*"/, ''));
  });

  it('ranks sales above hard negatives and shows the words that weighed most', () => {
    const model = train(corpus.listings);
    const sale = scoreListing(model, '象牙手镯 现货 加微信 价格私聊');
    const colour = scoreListing(model, '象牙白连衣裙 颜色 包邮');
    const news = scoreListing(model, 'customs seized 300kg of ivory, police report');
    assert.ok(sale.score > 0.5 && sale.score <= 1, `sale ${sale.score}`);
    assert.ok(colour.score < 0.2, `colour ${colour.score}`);
    assert.ok(news.score < 0.2, `news ${news.score}`);
    assert.ok(sale.topTerms.length > 0 && sale.topTerms.length <= 5);
    assert.ok(sale.topTerms.some((t) => t.includes('象牙') || t.includes('手镯') || t.includes('微信')), sale.topTerms.join(' '));
  });

  it('beats keyword-only matching in cross-validation, and records its figures in the model', () => {
    const keywords = corpus.keywords.map(normalizeKeyword);
    const cv = crossValidate(corpus.listings, { features: CHAR_NGRAM_FEATURES, training: DEFAULT_TRAINING, folds: 3, random: seededRandom(1), keywords });
    assert.ok(cv.model.prAuc > cv.keywordOnly.prAuc + 0.3, `${cv.model.prAuc} vs ${cv.keywordOnly.prAuc}`);
    const model = train(corpus.listings);
    assert.equal(model.evaluation.folds, 3);
    assert.equal(model.evaluation.examples, corpus.listings.length);
    assert.equal(model.evaluation.keywordSource, 'derived');
    assert.ok(model.evaluation.model.prAuc > 0.8);
  });

  it('refuses fewer labelled listings of a class than folds', () => {
    assert.equal(codeOf(() => train([{ text: 'a', label: true }, { text: 'b', label: false }, { text: 'c', label: false }, { text: 'd', label: false }])), 'TOO_FEW_LABELS');
  });
});

describe('the model file', () => {
  const model = train(listingCorpus({ count: 600, seed: 9 }).listings);

  it('round-trips and scores the same', () => {
    const again = parseModel(serializeModel(model));
    assert.deepEqual(again.evaluation, model.evaluation);
    assert.equal(scoreListing(again, 'ivory bangle DM for price').score, scoreListing(model, 'ivory bangle DM for price').score);
  });

  it('refuses what is not a model, a damaged one, and another version', () => {
    const text = serializeModel(model);
    assert.equal(codeOf(() => parseModel('{')), 'INVALID_MODEL_FILE');
    assert.equal(codeOf(() => parseModel('{"format":"something"}')), 'INVALID_MODEL_FILE');
    assert.equal(codeOf(() => parseModel(text.replace('"version":1', '"version":2'))), 'UNSUPPORTED_MODEL_VERSION');
    const json = JSON.parse(text) as { weights: { values: string } };
    json.weights.values = json.weights.values.slice(0, -8);
    assert.equal(codeOf(() => parseModel(JSON.stringify(json))), 'INVALID_MODEL_FILE');
  });
});

describe('the swap rule', () => {
  it('refuses a model that evaluates worse than the installed one, and takes an equal or better one', () => {
    const good = train(listingCorpus({ count: 1500, seed: 4 }).listings);
    // Labels at random: nothing to learn, so it evaluates worse.
    const random = seededRandom(8);
    const noise = train(listingCorpus({ count: 1500, seed: 4 }).listings.map((l) => ({ text: l.text, label: random() < 0.1 })));
    assert.ok(noise.evaluation.model.prAuc < good.evaluation.model.prAuc);
    assert.equal(codeOf(() => assertNotWorse(noise, good)), 'MODEL_NOT_BETTER');
    assertNotWorse(good, noise);
    assertNotWorse(good, good);
    assertNotWorse(noise, undefined);
  });
});

describe('candidate code words', () => {
  it('finds the code words held out of the keyword list among the top ten', () => {
    const corpus = listingCorpus({ count: 5000, seed: 21 });
    const terms = candidateTerms(corpus.listings, { top: 10, minSupport: 3, exclude: corpus.keywords.map(normalizeKeyword) });
    for (const word of corpus.heldOut) {
      const w = normalizeKeyword(word);
      assert.ok(terms.some((t) => t.term.includes(w) || w.includes(t.term)), `${word} in ${terms.map((t) => t.term).join(' ')}`);
    }
    for (const t of terms) assert.ok(t.lift > 1 && t.support >= 3);
    assert.ok(!terms.some((t) => t.term === '象牙' || t.term === 'ivory'), 'known keywords are not proposed');
  });
});

describe('labelled lines', () => {
  it('reads text and label, skips blank lines, and names the line of a bad one', () => {
    assert.deepEqual(parseLabelledLines('{"text":"a","label":true}\n\n{"text":"b","label":false,"id":3}\n'), [
      { text: 'a', label: true },
      { text: 'b', label: false },
    ]);
    const bad = (content: string): [string, unknown] => {
      try {
        parseLabelledLines(content);
      } catch (err) {
        assert.ok(err instanceof ModelError);
        return [err.code, err.details?.['line']];
      }
      return ['none', undefined];
    };
    assert.deepEqual(bad('{"text":"a","label":true}\nnot json'), ['INVALID_LABELLED_LINE', 2]);
    assert.deepEqual(bad('{"text":"a","label":"yes"}'), ['INVALID_LABELLED_LINE', 1]);
    assert.deepEqual(bad('{"text":"","label":true}'), ['INVALID_LABELLED_LINE', 1]);
    assert.deepEqual(bad('\n\n{"text":"\\u001b[31m","label":true}'), ['INVALID_LABELLED_LINE', 3]);
    assert.equal(codeOf(() => parseTextLines('[1]')), 'INVALID_TEXT_LINE');
    assert.deepEqual(parseTextLines('{"text":"x","label":true}'), ['x']);
  });
});
