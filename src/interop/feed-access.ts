/**
 * The gate every feed request passes, the same as the GraphQL API's: the bearer token is
 * authenticated (a bad one is refused, never treated as anonymous), rate-limited per token in the
 * export class (its own budget, apart from the token's GraphQL requests), checked for `taxii:read`, and recorded in the access audit before the answer leaves (no record, no answer).
 */
import type { AccessRecordInput, AgencyPrincipal, Principal, RateDecision } from '../auth/index.js';
import { accessRecordOf, grantFor, grantVisibility, mayUse } from '../auth/index.js';
import type { Queryable, Visibility } from '../indicators/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import type { JsonValue } from '../provenance/index.js';
import { InteropError } from './errors.js';

export const FEED_SCOPE = 'taxii:read';

export interface FeedDeps {
  readonly db: Queryable;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The hub's log origin: its STIX identity. */
  readonly origin: string;
  /** Who the bearer token says the caller is (the hub's one authentication). */
  readonly authenticate: (authorization: string | undefined) => Promise<Principal>;
  /** Per token, the export class (EXPORT_RATE_LIMIT_*); synchronous or not, it is awaited. */
  readonly rateLimiter: { take(key: string, nowMs: number): RateDecision | Promise<RateDecision> };
  /** The access audit recorder the GraphQL API records through. */
  readonly access: { record(record: AccessRecordInput): Promise<void> };
}

/** An admitted request: the agency token and what it may see now. */
export interface FeedCaller {
  readonly principal: AgencyPrincipal;
  readonly visibility: Visibility;
}

export async function admitFeedRequest(deps: FeedDeps, authorization: string | undefined): Promise<FeedCaller> {
  const principal = await deps.authenticate(authorization);
  if (principal.kind === 'anonymous') throw new InteropError('UNAUTHENTICATED', 'send authorization: Bearer <agency token with taxii:read>', { details: { reason: 'MISSING' } });
  if (principal.kind === 'member') throw new InteropError('FORBIDDEN', 'the TAXII server and the MISP feed answer agency tokens with taxii:read; members follow /v1/feed', { details: { requires: [FEED_SCOPE] } });
  const now = deps.clock.now();
  const decision = await deps.rateLimiter.take(principal.jti, now.getTime());
  if (!decision.allowed) {
    throw new InteropError('RATE_LIMITED', `too many requests with this token; retry in ${decision.retryAfterSeconds} s`, { details: { retryAfterSeconds: decision.retryAfterSeconds } });
  }
  return { principal, visibility: grantVisibility(grantFor(principal, 'taxii'), now) };
}

/** Refuses a token without the feeds' scope; checked after the rate limit, and recorded like any answer. */
export function requireFeedScope(caller: FeedCaller): void {
  if (!mayUse(caller.principal, 'taxii')) throw new InteropError('FORBIDDEN', `this needs a token with ${FEED_SCOPE}`, { details: { requires: [FEED_SCOPE] } });
}

export interface FeedAccess {
  /** `taxii2`, `misp-feed` or `misp-export`. */
  readonly operation: string;
  /** What was asked, e.g. `objects:amber-ivory`. */
  readonly fields: string;
  /** The request's parameters; only their SHA-256 is kept. */
  readonly parameters: Record<string, unknown>;
  readonly returned: number;
  readonly ok: boolean;
}

export function recordFeedAccess(deps: Pick<FeedDeps, 'access' | 'clock'>, caller: FeedCaller, a: FeedAccess): Promise<void> {
  return deps.access.record(
    accessRecordOf(caller.principal, { at: deps.clock.now(), operation: a.operation, fields: a.fields, variables: a.parameters as JsonValue, returned: a.returned, outcome: a.ok ? 'OK' : 'ERROR' }),
  );
}
