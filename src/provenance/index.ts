/**
 * Provenance: RFC 8785 canonical JSON, and signing (member node) and verifying (hub) of batches as
 * compact JWS with an x5c chain. No I/O; time comes from the injected clock.
 */
export { canonicalJson, canonicalBytes, parseCanonicalJson } from './canonical-json.js';
export type { JsonValue, JsonObject, JsonPrimitive } from './canonical-json.js';
export { assertBatchPayload, parseRfc3339, BATCH_TLPS } from './batch.js';
export type { BatchPayload, BatchTlp, Retraction } from './batch.js';
export { signBatch } from './sign-batch.js';
export type { BatchSigner } from './sign-batch.js';
export { createBatchVerifier, DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_MAX_JWS_BYTES } from './batch-verifier.js';
export type { BatchVerifier, BatchVerifierOptions, VerifiedBatch } from './batch-verifier.js';
export { BATCH_JWS_ALG, BATCH_JWS_TYP } from './compact-jws.js';
export { ProvenanceError } from './errors.js';
export type { ProvenanceErrorCode } from './errors.js';
export { signMemberRequest, createMemberRequestVerifier, MAX_MEMBER_REQUEST_LIFETIME_S } from './member-request.js';
export type { JtiStore, MemberPrincipal, MemberRequestVerifier } from './member-request.js';
export { signMemberRecord, createMemberRecordVerifier } from './member-record.js';
export type { MemberRecordVerifier, VerifiedMemberRecord } from './member-record.js';
