export { SCOPES, parseScopes, AuthError } from './scopes.js';
export type { Scope, AuthErrorCode } from './scopes.js';
export { issueAgencyToken, createAgencyTokenVerifier, publicJwk, privateKeyFromPem, MAX_TOKEN_LIFETIME_S, TOKEN_AUDIENCE } from './agency-token.js';
export type { AgencyPrincipal, AgencyTokenVerifier, SigningKey, TokenRequest } from './agency-token.js';
export { createTokenService, keyId, TOKEN_REVOCATIONS_CHANNEL } from './token-service.js';
export type { TokenService, TokenView } from './token-service.js';
export { ANONYMOUS, hasScope, visibilityFor } from './principal.js';
export type { Principal, MemberPrincipal } from './principal.js';
export { createRateLimiter, createTokenBuckets } from './rate-limit.js';
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
