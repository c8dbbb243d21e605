/**
 * Provenance: RFC 8785 canonical JSON, and signing (member node) and verifying (hub, auditors,
 * nodes reading the feed) of batches with an x5c chain: version 1 as a compact JWS, version 2 as an
 * SD-JWT (RFC 9901) whose items are disclosed one by one. No I/O; time comes from the injected
 * clock, salts from the injected randomness.
 */
export { canonicalJson, canonicalBytes, parseCanonicalJson } from './canonical-json.js';
export type { JsonValue, JsonObject, JsonPrimitive } from './canonical-json.js';
export { assertBatchPayload, parseRfc3339, BATCH_TLPS, OUTCOME_ACTIONS, MAX_ACTED_AHEAD_MS, isOutcomeRetraction, loggedItemCount } from './batch.js';
export type { BatchPayload, BatchEnvelope, BatchTlp, BatchVersion, Retraction, OutcomeAction, OutcomeItem, OutcomeRecord, OutcomeRetraction } from './batch.js';
export { signBatch, signBatchSdJwt, signAgain } from './sign-batch.js';
export type { BatchSigner, SaltSource } from './sign-batch.js';
export { assertValidWhenReceived, createBatchVerifier, DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_MAX_JWS_BYTES } from './batch-verifier.js';
export type { BatchVerifier, BatchVerifierOptions, VerifiedBatch, VerifiedBatchView, BatchFormat } from './batch-verifier.js';
export { BATCH_JWS_ALG, BATCH_JWS_TYP, BATCH_SD_JWT_TYP } from './compact-jws.js';
export { DISCLOSED_ARRAYS, batchMediaType, isSdJwt, issuerJwtOf, presentSdJwt, splitSdJwt, decodeDisclosure, disclosureDigest } from './sd-jwt.js';
export type { DisclosedArray } from './sd-jwt.js';
export { readStoredBatch } from './stored-batch.js';
export type { StoredBatchItems } from './stored-batch.js';
export { ProvenanceError } from './errors.js';
export type { ProvenanceErrorCode } from './errors.js';
export { signMemberRequest, createMemberRequestVerifier, MAX_MEMBER_REQUEST_LIFETIME_S } from './member-request.js';
export type { JtiStore, MemberPrincipal, MemberRequestVerifier } from './member-request.js';
export { signMemberRecord, createMemberRecordVerifier } from './member-record.js';
export type { MemberRecordVerifier, VerifiedMemberRecord } from './member-record.js';
