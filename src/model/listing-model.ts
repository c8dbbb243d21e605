/**
 * The suspicious-listing model: training (cross-validated figures, Platt calibration on the
 * out-of-fold scores, then one fit on everything), scoring with the terms that weighed most, and
 * the rule that keeps a worse model out. Pure: the clock's `now` and the randomness come in.
 */
import { applyPlatt, fitPlatt, type Platt } from './calibration.js';
import { crossValidate, type LabelledListing, type TrainingParameters } from './cross-validation.js';
import { ModelError } from './errors.js';
import { featureTerms, hashCounts, unitScale, vectorize, type FeatureConfig, type ListingHits } from './features.js';
import { featureIndex } from './feature-hash.js';
import { roundFigures, type Figures } from './metrics.js';
import type { Rng } from './random.js';
import { trainLogistic } from './trainer.js';

export const MODEL_FORMAT = 'wildintel-listing-model';
export const MODEL_VERSION = 1;

export interface ModelEvaluation {
  readonly folds: number;
  readonly seed: number;
  readonly examples: number;
  readonly positives: number;
  readonly model: Figures;
  readonly keywordOnly: Figures;
  readonly keywordSource: 'given' | 'derived';
}

export interface ListingModel {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly created: string;
  readonly features: FeatureConfig;
  readonly training: TrainingParameters & { readonly examples: number; readonly positives: number; readonly seed: number };
  readonly calibration: Platt;
  readonly bias: number;
  readonly weights: Float32Array;
  readonly evaluation: ModelEvaluation;
}

export interface TrainModelOptions {
  readonly features: FeatureConfig;
  readonly training: TrainingParameters;
  readonly folds: number;
  /** Recorded in the model file; `random` must be `seededRandom(seed)` for the run to be repeatable. */
  readonly seed: number;
  readonly random: Rng;
  readonly now: Date;
  readonly keywords?: readonly string[];
  readonly onStep?: (done: number, total: number) => void;
}

export function trainModel(listings: readonly LabelledListing[], options: TrainModelOptions): ListingModel {
  const total = options.folds + 1;
  const vectors = listings.map((l) => vectorize(featureTerms(l.text, options.features, l.hits), options.features.bits));
  const cv = crossValidate(listings, { ...options, vectors, onFold: (k) => options.onStep?.(k, total) });
  const labels = listings.map((l) => l.label);
  const calibration = fitPlatt(cv.margins, labels);
  const examples = listings.map((l, i) => ({ x: vectors[i]!, y: l.label }));
  const fit = trainLogistic(examples, { ...options.training, bits: options.features.bits, random: options.random });
  options.onStep?.(total, total);
  const positives = labels.filter((l) => l).length;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    created: options.now.toISOString(),
    features: options.features,
    training: { ...options.training, examples: listings.length, positives, seed: options.seed },
    calibration,
    bias: fit.bias,
    weights: fit.weights,
    evaluation: {
      folds: options.folds,
      seed: options.seed,
      examples: listings.length,
      positives,
      model: roundFigures(cv.model),
      keywordOnly: roundFigures(cv.keywordOnly),
      keywordSource: cv.keywordSource,
    },
  };
}

export interface ListingScore {
  /** Calibrated: about the share of listings scored so that were labelled suspicious. */
  readonly score: number;
  /** The features that raised the score most, as text (n-grams, words, keywords), best first. */
  readonly topTerms: string[];
}

export const TOP_TERMS = 5;

/** Scores one listing; `hits` are the federation's keyword and warninglist hits in it, when known. */
export function scoreListing(model: ListingModel, text: string, hits?: ListingHits): ListingScore {
  const terms = featureTerms(text, model.features, hits);
  const counts = hashCounts(terms, model.features.bits);
  const scale = unitScale(counts);
  let m = model.bias;
  for (const [i, c] of counts) m += model.weights[i]! * c * scale;
  const contributions = new Map<string, number>();
  for (const t of terms) {
    if (t === 'k:*' || t === 'g:*') continue;
    const shown = t.slice(2);
    const c = model.weights[featureIndex(t, model.features.bits)]! * scale;
    if (c > 0) contributions.set(shown, Math.max(contributions.get(shown) ?? 0, c));
  }
  // The strongest few, without the n-grams of a term already shown ('sko' beside 'tusko').
  const strongest = [...contributions]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_TERMS * 3)
    .map(([t]) => t);
  const topTerms = strongest.filter((t) => !strongest.some((o) => o !== t && o.includes(t))).slice(0, TOP_TERMS);
  return { score: Math.round(applyPlatt(model.calibration, m) * 1e6) / 1e6, topTerms };
}

/**
 * Whether a retrained model may replace the installed one: only when it evaluates at least as
 * well (PR-AUC of its own cross-validation). A worse model is refused with MODEL_NOT_BETTER.
 */
export function assertNotWorse(candidate: ListingModel, installed: ListingModel | undefined): void {
  if (installed === undefined) return;
  if (candidate.evaluation.model.prAuc < installed.evaluation.model.prAuc) {
    throw new ModelError(
      'MODEL_NOT_BETTER',
      `the retrained model evaluates worse (PR-AUC ${candidate.evaluation.model.prAuc}) than the installed one (${installed.evaluation.model.prAuc}); the installed model is kept`,
      { details: { candidate: candidate.evaluation.model.prAuc, installed: installed.evaluation.model.prAuc } },
    );
  }
}
