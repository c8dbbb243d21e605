export { WildintelError, UnreachableCaseError, isWildintelError } from './errors.js';
export { systemClock, fixedClock } from './clock.js';
export type { Clock, Random } from './clock.js';
export { systemRandom } from './random.js';
export { sha256, base64url, sha256Base64url } from './encoding.js';
export { createLogger } from './logger.js';
export { VERSION } from './version.js';
export type { Logger } from './logger.js';
export { startedAfterCall, sharedRun } from './coalesce.js';
