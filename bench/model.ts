/**
 * The suspicious-listing model (src/model) on generated labelled listings (listing-corpus.ts):
 * the model against keyword matching alone and against a plain character n-gram logistic
 * regression (the same trainer over character n-grams only), on the same five folds; the time to
 * train and to score; and where the code words held out of the keyword list rank in
 * `model terms`.
 */
import { normalizeKeyword } from '../src/indicators/index.js';
import {
  CHAR_NGRAM_FEATURES,
  DEFAULT_FEATURES,
  DEFAULT_TRAINING,
  candidateTerms,
  crossValidate,
  keywordHits,
  roundFigures,
  scoreListing,
  seededRandom,
  trainModel,
  type Figures,
} from '../src/model/index.js';
import { listingCorpus } from './listing-corpus.js';

export const MODEL_SECTION_TITLE = 'Suspicious-listing model vs keyword matching and a character n-gram LR';

export interface ModelBench {
  listings: number;
  sales: number;
  folds: number;
  model: Figures;
  keywordOnly: Figures;
  charNgram: Figures;
  trainSeconds: number;
  scoreSeconds: number;
  heldOutRanks: Array<{ word: string; rank: number | null }>;
}

export function benchModel(o: { count?: number; seed?: number } = {}): ModelBench {
  const count = o.count ?? 10_000;
  const seed = o.seed ?? 1;
  const corpus = listingCorpus({ count, seed });
  const keywords = corpus.keywords.map(normalizeKeyword);
  const withHits = corpus.listings.map((l) => ({ ...l, hits: { keywords: keywordHits(keywords, l.text) } }));
  const folds = 5;
  const cv = crossValidate(withHits, { features: DEFAULT_FEATURES, training: DEFAULT_TRAINING, folds, random: seededRandom(seed), keywords });
  const baseline = crossValidate(corpus.listings, { features: CHAR_NGRAM_FEATURES, training: DEFAULT_TRAINING, folds, random: seededRandom(seed), keywords });
  let t0 = performance.now();
  const model = trainModel(withHits, { features: DEFAULT_FEATURES, training: DEFAULT_TRAINING, folds, seed, random: seededRandom(seed), now: new Date(0), keywords });
  const trainSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  for (const l of withHits) scoreListing(model, l.text, l.hits);
  const scoreSeconds = (performance.now() - t0) / 1000;
  const terms = candidateTerms(corpus.listings, { top: 100, minSupport: 3, exclude: keywords });
  const heldOutRanks = corpus.heldOut.map((word) => {
    const w = normalizeKeyword(word);
    const at = terms.findIndex((t) => w.includes(t.term) || t.term.includes(w));
    return { word, rank: at < 0 ? null : at + 1 };
  });
  return {
    listings: count,
    sales: corpus.listings.filter((l) => l.label).length,
    folds,
    model: roundFigures(cv.model),
    keywordOnly: roundFigures(cv.keywordOnly),
    charNgram: roundFigures(baseline.model),
    trainSeconds: Math.round(trainSeconds * 10) / 10,
    scoreSeconds: Math.round(scoreSeconds * 10) / 10,
    heldOutRanks,
  };
}

export function modelSection(r: ModelBench): string[] {
  const row = (name: string, f: Figures): string => `| ${name} | ${f.prAuc} | ${f.bestF1} | ${f.precisionAtRecall80} | ${f.precisionAtRecall90} |`;
  const target = r.model.prAuc >= r.charNgram.prAuc ? 'met' : 'NOT met';
  return [
    `${r.listings} generated listings (bench/listing-corpus.ts, seed 1), half Chinese and half English, ${r.sales} labelled sales; the rest hard negatives (the colour ivory-white, seizure news, legal mammoth ivory and antiques with papers, conservation posts, replicas, ordinary goods named like code words) and ordinary posts; 3 % of sales and 0.3 % of the rest carry the wrong label. The keyword list holds the product names and the known code words; a quarter of the sales name the product only by code words it lacks. ${r.folds}-fold stratified cross-validation, the same folds for every row; figures from the pooled out-of-fold scores.`,
    '',
    '| | PR-AUC | best F1 | precision at recall 0.8 | precision at recall 0.9 |',
    '|---|---|---|---|---|',
    row('**model**: character 1–4-grams, Chinese and Latin words, keyword-hit features; L2 logistic regression (AdaGrad)', r.model),
    row('baseline: character 1–4-gram logistic regression, the same trainer', r.charNgram),
    row('keyword matching alone (flagged or not)', r.keywordOnly),
    '',
    `Target (model ≥ the character n-gram LR on PR-AUC): **${target}** (${r.model.prAuc} vs ${r.charNgram.prAuc}). Keyword matching's precision at recall 0.9 is the share of sales overall: the list never reaches recall 0.9, so only flagging everything does.`,
    '',
    `Training on all ${r.listings} listings (five cross-validation fits for the evaluation and the calibration, then the final fit): **${r.trainSeconds} s**; scoring all of them with their top terms: **${r.scoreSeconds} s**.`,
    '',
    `Held-out code words in \`model terms\` (known keywords excluded): ${r.heldOutRanks.map((h) => `${h.word} **${h.rank ?? 'not found'}**`).join(', ')} (target: top 10).`,
  ];
}
