/**
 * Outcomes (issue #22): what members did about what they reported — storing the outcome items of
 * accepted batches with their entitlement facts, and what the outcomes tell (precision of
 * indicators, time to removal, cross-platform lag, removals per commodity and week).
 */
export { storeOutcomes, outcomeFactsBy } from './outcome-store.js';
export type { OutcomesToStore } from './outcome-store.js';
export { readOutcomeFigures, visibleOutcomeSql } from './figures-store.js';
export { outcomeFigures, weekStart, REMOVAL_ACTIONS } from './figures.js';
export type { OutcomeFigures, OutcomeRow, SightingRow, ListingRow, ListingOutcomes, IndicatorPrecision, MemberTakedown, CrossPlatformLag, WeeklyRemovals } from './figures.js';
export { OutcomeError } from './errors.js';
export type { OutcomeErrorCode } from './errors.js';
