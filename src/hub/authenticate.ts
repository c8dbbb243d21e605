import type { Request } from 'express';
import { decodeProtectedHeader } from 'jose';
import { ANONYMOUS, AuthError, type Principal } from '../auth/index.js';
import { readAuthorization } from './authorization-header.js';
import type { HubServices } from './services.js';

function unauthenticated(reason: string, message: string): AuthError {
  return new AuthError('UNAUTHENTICATED', message, { details: { reason } });
}

/**
 * Who a request comes from, from its bearer token: a member (a request JWT signed by its own
 * key, design item 7), an agency analyst (a token issued by this hub, design item 6), or nobody
 * when no authorization header is sent. A token that is sent but fails verification is refused,
 * never downgraded to anonymous.
 */
export async function authenticateBearer(services: HubServices, authorization: string | undefined): Promise<Principal> {
  const reading = readAuthorization(authorization);
  if (reading.kind === 'none') return ANONYMOUS;
  if (reading.kind === 'malformed') throw unauthenticated('MALFORMED', 'send authorization: Bearer <member request token or agency token>');
  const token = reading.token;
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    throw unauthenticated('MALFORMED', 'the bearer token is not a JWT');
  }
  if (typ === 'wildintel-member+jwt') {
    const principal = await services.memberRequests.verify(token);
    return { kind: 'member', member: principal.member };
  }
  return services.tokens.verifier.verify(token);
}

/** For REST routes that always need a caller. */
export async function authenticateRequired(services: HubServices, req: Request): Promise<Exclude<Principal, { kind: 'anonymous' }>> {
  const principal = await authenticateBearer(services, req.get('authorization'));
  if (principal.kind === 'anonymous') throw unauthenticated('MISSING', 'send authorization: Bearer <member request token or agency token>');
  return principal;
}

/** The rate limiter's key for a principal: an agency token's id, or the member. */
export function rateKey(principal: Exclude<Principal, { kind: 'anonymous' }>): string {
  return principal.kind === 'agency' ? principal.jti : `member:${principal.member}`;
}
