export { emergingCodeWords, emergingQueryProblem, windowStart, MAX_EMERGING_CODE_WORDS, MAX_MIN_MEMBERS, MAX_WINDOW_WEEKS, WEEK_MS } from './emerging-code-words.js';
export type { EmergingCodeWord, EmergingQuery, EmergingWeek, KeywordReceipt } from './emerging-code-words.js';
export { findEmergingCodeWords } from './emerging-store.js';
export type { EmergingCodeWordView } from './emerging-store.js';
