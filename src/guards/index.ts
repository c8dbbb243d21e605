/**
 * Precision guards (issue 21): what keeps an over-broad indicator from flooding every platform.
 * The keyword specificity rule, applied by the node, the hub's ingest and `wildintel publish`.
 */
export { keywordSpecificity, compileGenericTerms, DEFAULT_GENERIC, MIN_WEIGHT } from './specificity.js';
export type { Specificity, BroadRule, GenericTerms } from './specificity.js';
export { DEFAULT_GENERIC_TERMS } from './generic-terms.js';
