import { grantFor, grantVisibility, type AgencyPrincipal } from '../auth/index.js';
import type { Commodity, Tlp, Visibility } from '../indicators/index.js';
import type { Scope } from '../auth/index.js';

/**
 * The entitlement a watchlist matches with: that of the token that created it, kept as its
 * claims (never the token). Its visibility is derived by the hub's one entitlement decision in
 * src/auth, exactly as it was for the live token, so the matcher never reads more than the
 * creating analyst could.
 */
export interface WatchlistOwner {
  readonly agency: string;
  readonly sub: string;
  readonly jti: string;
  readonly tlp: Tlp;
  readonly commodities: readonly Commodity[] | null;
  readonly scopes: readonly Scope[];
  /** When the hub revoked the saving token (`wildintel token revoke`), or null. */
  readonly revokedAt: Date | null;
}

/**
 * Whether a watchlist still raises alerts. A revoked token is a withdrawn (often compromised)
 * credential, so its claims stop counting the moment the hub revoked it, as every session of it
 * does; the watchlist stays listed, suspended, until an analyst saves it again with a current
 * token. An expired token is not withdrawn: agency tokens live a day at most and watchlists
 * belong to the agency, so they go on matching with the claims it was saved with.
 */
export function ownerMatches(owner: Pick<WatchlistOwner, 'revokedAt'>, now: Date): boolean {
  return owner.revokedAt === null || owner.revokedAt.getTime() > now.getTime();
}

export function ownerOf(principal: AgencyPrincipal): WatchlistOwner {
  return {
    agency: principal.agency,
    sub: principal.sub,
    jti: principal.jti,
    tlp: principal.tlp,
    commodities: principal.commodities === undefined ? null : [...principal.commodities],
    scopes: [...principal.scopes],
    revokedAt: null,
  };
}

/** The owner as a principal again (exp and kid do not bear on visibility). */
export function ownerVisibility(owner: WatchlistOwner, now: Date): Visibility {
  const principal: AgencyPrincipal = {
    kind: 'agency',
    agency: owner.agency,
    sub: owner.sub,
    jti: owner.jti,
    tlp: owner.tlp,
    scopes: new Set(owner.scopes),
    ...(owner.commodities === null ? {} : { commodities: new Set(owner.commodities) }),
    exp: 0,
    kid: '',
  };
  return grantVisibility(grantFor(principal, 'indicators'), now);
}
