export { createIngestService, MAX_BATCH_BYTES, MAX_BATCH_INDICATORS } from './accept-batch.js';
export type { IngestService, IngestDeps } from './accept-batch.js';
export { createRevocationList } from './revocations.js';
export type { RevocationList } from './revocations.js';
export { IngestError, REFUSAL_STATUS } from './errors.js';
export type { IngestErrorCode } from './errors.js';
export type { Receipt } from './receipt.js';
export { createBatchRoutes } from './batch-routes.js';
