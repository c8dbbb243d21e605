import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of codes the model context throws; each names the caller's bad input.
 * - `INVALID_LABELLED_LINE`: a line of a labelled JSONL file is not `{"text": "…", "label": true|false}`
 *   (details: `line`, 1-based, and `field`).
 * - `INVALID_TEXT_LINE`: a line given to `score` has no usable `text` (details: `line`).
 * - `TOO_FEW_LABELS`: training or evaluation needs both classes, enough of each for the folds.
 * - `INVALID_MODEL_FILE`: a model file is not JSON of the listing-model format, or is damaged.
 * - `UNSUPPORTED_MODEL_VERSION`: a model file of a format version this code does not read.
 * - `INVALID_MODEL_OPTION`: an option (folds, top, epochs…) is out of range.
 * - `MODEL_NOT_BETTER`: a retrained model evaluates worse than the installed one and was not swapped in.
 */
export type ModelErrorCode =
  | 'INVALID_LABELLED_LINE'
  | 'INVALID_TEXT_LINE'
  | 'TOO_FEW_LABELS'
  | 'INVALID_MODEL_FILE'
  | 'UNSUPPORTED_MODEL_VERSION'
  | 'INVALID_MODEL_OPTION'
  | 'MODEL_NOT_BETTER';

export class ModelError extends WildintelError<ModelErrorCode> {}
