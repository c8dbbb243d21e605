import { WildintelError } from '../kernel/index.js';

/**
 * design.md "Scopes", and two added after it: `taxii:read` (machine feeds: TAXII 2.1 and the MISP
 * feed, docs/interop.md) and `disclosure:request` (docs/disclosure.md: filing lawful
 * re-identification requests and reading their answers; no default token carries it, it is issued
 * only when named, to analysts who file requests).
 */
export const SCOPES = ['indicators:read', 'sellers:read', 'match:image', 'match:text', 'stats:read', 'provenance:read', 'audit:read', 'admin', 'taxii:read', 'disclosure:request', 'referrals:read', 'referrals:act'] as const;
export type Scope = (typeof SCOPES)[number];

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'INVALID_TOKEN_REQUEST' | 'UNKNOWN_AGENCY' | 'UNKNOWN_TOKEN';
export class AuthError extends WildintelError<AuthErrorCode> {}

/** Strict: space-separated known scopes, no repeats. */
export function parseScopes(text: unknown): Scope[] {
  if (typeof text !== 'string' || text.length === 0 || text.length > 256) throw new AuthError('INVALID_TOKEN_REQUEST', 'scope must be a space-separated list of scopes');
  const scopes = text.split(' ');
  for (const s of scopes) {
    if (!(SCOPES as readonly string[]).includes(s)) throw new AuthError('INVALID_TOKEN_REQUEST', `unknown scope "${s}"; known: ${SCOPES.join(' ')}`);
  }
  if (new Set(scopes).size !== scopes.length) throw new AuthError('INVALID_TOKEN_REQUEST', 'a scope is listed twice');
  return scopes as Scope[];
}
