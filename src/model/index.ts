/**
 * The model context: the suspicious-listing model (hashed character n-grams, Chinese and Latin
 * words and the federation's list hits; L2 logistic regression; Platt calibration), its
 * evaluation against keyword-only matching, candidate code words, and the model file. Pure: the
 * clock's `now` and seeded randomness come in, files are read and written by callers.
 * Everything here is public API of the context; other contexts import from this file only.
 */
export { ModelError } from './errors.js';
export type { ModelErrorCode } from './errors.js';
export { DEFAULT_FEATURES, CHAR_NGRAM_FEATURES, featureTerms, keywordHits, wordsOf } from './features.js';
export type { FeatureConfig, ListingHits } from './features.js';
export { seededRandom } from './random.js';
export type { Rng } from './random.js';
export { DEFAULT_TRAINING } from './trainer.js';
export { fitPlatt, applyPlatt } from './calibration.js';
export type { Platt } from './calibration.js';
export { rankingFigures, roundFigures } from './metrics.js';
export type { Figures } from './metrics.js';
export { crossValidate, stratifiedFolds, DERIVED_KEYWORDS } from './cross-validation.js';
export type { LabelledListing, TrainingParameters, CrossValidation } from './cross-validation.js';
export { candidateTerms, termUnits, DEFAULT_TERM_OPTIONS } from './terms.js';
export type { TermCandidate, TermOptions } from './terms.js';
export { trainModel, scoreListing, assertNotWorse, MODEL_FORMAT, MODEL_VERSION, TOP_TERMS } from './listing-model.js';
export type { ListingModel, ListingScore, ModelEvaluation, TrainModelOptions } from './listing-model.js';
export { serializeModel, parseModel } from './model-file.js';
export { parseLabelledLines, parseTextLines, MAX_LISTING_TEXT } from './labelled-lines.js';
export { readModelFile, readInstalledModel, writeModelFile } from './model-files.js';
export { retrainModelFile, appendLabels, NODE_FEATURES } from './retrain.js';
export type { RetrainResult } from './retrain.js';
export { createModelSlot } from './model-slot.js';
export type { ModelSlot } from './model-slot.js';
export { proposeTerms, readTermDecisions, recordTermDecision } from './proposals.js';
export type { TermProposal, TermDecision, TermDecisions } from './proposals.js';
