export { SCOPES, parseScopes, AuthError } from './scopes.js';
export type { Scope, AuthErrorCode } from './scopes.js';
export { issueAgencyToken, createAgencyTokenVerifier, publicJwk, privateKeyFromPem, MAX_TOKEN_LIFETIME_S, TOKEN_AUDIENCE } from './agency-token.js';
export type { AgencyPrincipal, AgencyTokenVerifier, SigningKey, TokenRequest } from './agency-token.js';
export { createTokenService, keyId } from './token-service.js';
export type { TokenService, TokenView } from './token-service.js';
