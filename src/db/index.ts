export { openDatabase } from './database.js';
export type { Database, DatabaseKind, DatabaseOptions } from './database.js';
export { DatabaseError } from './errors.js';
export type { DatabaseErrorCode } from './errors.js';
export { updateReturning } from './update-returning.js';
export { analyzeStaleTables, startStatisticsKeeper } from './statistics.js';
export type { StatisticsKeeper } from './statistics.js';
export { createReadRouting } from './read-routing.js';
export type { ReadRouting, ReadRoutingStats, ReadRoutingOptions } from './read-routing.js';
