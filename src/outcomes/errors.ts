import { WildintelError } from '../kernel/index.js';

/** Refusals of a batch's outcome items at the hub (beside the batch's own: docs/auditor.md, item kinds). */
export type OutcomeErrorCode = 'UNKNOWN_OUTCOME_SIGHTING' | 'OUTCOME_ID_CONFLICT' | 'UNKNOWN_OUTCOME' | 'INVALID_FILTER';

export class OutcomeError extends WildintelError<OutcomeErrorCode> {}
