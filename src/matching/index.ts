export { PdqIndex } from './pdq-index.js';
export type { PdqMatch } from './pdq-index.js';
export { KeywordAutomaton } from './keyword-automaton.js';
export type { KeywordHit } from './keyword-automaton.js';
