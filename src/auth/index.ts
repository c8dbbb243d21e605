export { SCOPES, parseScopes, AuthError } from './scopes.js';
export type { Scope, AuthErrorCode } from './scopes.js';
export { issueAgencyToken, createAgencyTokenVerifier, publicJwk, privateKeyFromPem, MAX_TOKEN_LIFETIME_S, TOKEN_AUDIENCE } from './agency-token.js';
export type { AgencyPrincipal, AgencyTokenVerifier, SigningKey, TokenRequest } from './agency-token.js';
export { createTokenService, keyId, TOKEN_REVOCATIONS_CHANNEL } from './token-service.js';
export type { TokenService, TokenView } from './token-service.js';
export { ANONYMOUS, hasScope } from './principal.js';
export { READ_PATHS, NOTHING, MEMBER_SHARED_TLP, grantFor, mayUse, maySee, maySeeOutcome, outcomeFacts, batchView, wholeWithoutItems, grantVisibility } from './entitlement.js';
export type { ReadPath, Grant, SightingFacts, OutcomeFacts, BatchFacts, BatchView } from './entitlement.js';
export type { Principal, MemberPrincipal } from './principal.js';
export { createRateLimiter, createTokenBuckets, EXPORT_RATE_KEY_PREFIX, withKeyPrefix } from './rate-limit.js';
export type { RateLimiter, RateDecision, RateLimits } from './rate-limit.js';
export { createSharedRateLimiter, defaultLeaseSize } from './shared-rate-limit.js';
export type { SharedRateLimiter, SharedRateLimitOptions } from './shared-rate-limit.js';
export {
  createAccessRecorder,
  digestCompletedHours,
  listAccessRecords,
  listAccessDigests,
  canonicalAccessRecord,
  accessDigest,
  AccessAuditError,
  HOUR_MS,
} from './access-audit.js';
export type { AccessRecorder, AccessRecordInput, AccessRecordView, AccessDigestView, AccessLogFilter, AccessAuditErrorCode } from './access-audit.js';
export { accessRecordOf } from './access-record.js';
export type { AgencyRead } from './access-record.js';
