export { PdqIndex } from './pdq-index.js';
export type { PdqMatch } from './pdq-index.js';
