/**
 * The matching context: in-memory indexes behind matchImage and matchText (pure, no I/O, no
 * clock). Everything here is public API of the context; other contexts import from this file only.
 */
export { PdqIndex, DEFAULT_PDQ_MAX_DISTANCE } from './pdq-index.js';
export type { PdqMatch, PdqEntry, PdqLoadProgress } from './pdq-index.js';
export { KeywordAutomaton } from './keyword-automaton.js';
export type { KeywordHit, KeywordEntry } from './keyword-automaton.js';
export { MatchingError, MATCHING_ERROR_CODES } from './errors.js';
export type { MatchingErrorCode } from './errors.js';
