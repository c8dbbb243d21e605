/**
 * k-fold cross-validation, stratified (each fold gets its share of suspicious listings), with
 * the folds drawn from the `random` passed in. The model's figures come from its out-of-fold
 * scores pooled over the folds; keyword-only matching is scored on the same folds: a listing
 * scores 1 when it contains a keyword of the list, else 0.
 *
 * The keyword list is the one given, or, for each fold, the ten best candidate terms
 * (terms.ts) of that fold's training part: what an analyst would put on a list after reading the
 * labelled sales, without ever seeing the held-out fold.
 */
import { featurize, keywordHits, type FeatureConfig, type ListingHits, type SparseVector } from './features.js';
import { rankingFigures, type Figures } from './metrics.js';
import { shuffle, type Rng } from './random.js';
import { ModelError } from './errors.js';
import { candidateTerms, DEFAULT_TERM_OPTIONS } from './terms.js';
import { margin, trainLogistic, type Example } from './trainer.js';

export interface LabelledListing {
  readonly text: string;
  readonly label: boolean;
  readonly hits?: ListingHits;
}

export interface TrainingParameters {
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
}

export const DERIVED_KEYWORDS = 10;

/** Fold number (0…k−1) of each listing. Throws TOO_FEW_LABELS when a class has fewer listings than folds. */
export function stratifiedFolds(labels: readonly boolean[], folds: number, random: Rng): number[] {
  const pos = labels.flatMap((l, i) => (l ? [i] : []));
  const neg = labels.flatMap((l, i) => (l ? [] : [i]));
  if (pos.length < folds || neg.length < folds) {
    throw new ModelError('TOO_FEW_LABELS', `${folds} folds need at least ${folds} listings labelled true and ${folds} labelled false (have ${pos.length} and ${neg.length})`, {
      details: { positives: pos.length, negatives: neg.length, folds },
    });
  }
  const fold = new Array<number>(labels.length).fill(0);
  shuffle(pos, random).forEach((i, k) => (fold[i] = k % folds));
  shuffle(neg, random).forEach((i, k) => (fold[i] = k % folds));
  return fold;
}

export interface CrossValidation {
  /** Out-of-fold log-odds of each listing, in input order. */
  readonly margins: number[];
  readonly model: Figures;
  readonly keywordOnly: Figures;
  readonly keywordSource: 'given' | 'derived';
}

export function crossValidate(
  listings: readonly LabelledListing[],
  options: {
    readonly features: FeatureConfig;
    readonly training: TrainingParameters;
    readonly folds: number;
    readonly random: Rng;
    /** Normalized keywords for keyword-only matching; derived per fold when absent. */
    readonly keywords?: readonly string[];
    readonly onFold?: (fold: number) => void;
    /** The listings' feature vectors, when the caller has them already (training reuses them). */
    readonly vectors?: readonly SparseVector[];
  },
): CrossValidation {
  const labels = listings.map((l) => l.label);
  const fold = stratifiedFolds(labels, options.folds, options.random);
  const vectors = options.vectors ?? listings.map((l) => featurize(l.text, options.features, l.hits));
  const margins = new Array<number>(listings.length).fill(0);
  const keywordScores = new Array<number>(listings.length).fill(0);
  for (let k = 0; k < options.folds; k++) {
    const train: Example[] = [];
    const trainListings: LabelledListing[] = [];
    listings.forEach((l, i) => {
      if (fold[i] === k) return;
      train.push({ x: vectors[i]!, y: l.label });
      trainListings.push(l);
    });
    const m = trainLogistic(train, { ...options.training, bits: options.features.bits, random: options.random });
    const keywords = options.keywords ?? candidateTerms(trainListings, { ...DEFAULT_TERM_OPTIONS, top: DERIVED_KEYWORDS }).map((t) => t.term);
    listings.forEach((l, i) => {
      if (fold[i] !== k) return;
      margins[i] = margin(m.weights, m.bias, vectors[i]!);
      keywordScores[i] = keywordHits(keywords, l.text).length > 0 ? 1 : 0;
    });
    options.onFold?.(k + 1);
  }
  return {
    margins,
    model: rankingFigures(margins, labels),
    keywordOnly: rankingFigures(keywordScores, labels),
    keywordSource: options.keywords === undefined ? 'derived' : 'given',
  };
}
