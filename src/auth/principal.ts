import { COMMODITIES, INDICATOR_TYPES, TLPS, tlpAllows, type Visibility } from '../indicators/index.js';
import type { AgencyPrincipal } from './agency-token.js';
import type { Scope } from './scopes.js';

/** A member authenticated by a request JWT signed with its own key (design item 7). */
export interface MemberPrincipal {
  readonly kind: 'member';
  readonly member: string;
}

/** Who is asking: nobody (public fields only), a member node, or an agency analyst's token. */
export type Principal = { readonly kind: 'anonymous' } | MemberPrincipal | AgencyPrincipal;

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.kind === 'agency' && principal.scopes.has(scope);
}

/**
 * What an agency token may see of the indicator store: sightings up to its TLP, of its
 * commodities if it names any, and seller indicators only with `sellers:read`.
 */
export function visibilityFor(principal: AgencyPrincipal, now: Date): Visibility {
  return {
    tlps: TLPS.filter((t) => tlpAllows(principal.tlp, t)),
    commodities: principal.commodities === undefined ? null : COMMODITIES.filter((c) => principal.commodities!.has(c)),
    types: INDICATOR_TYPES.filter((t) => t !== 'SELLER' || principal.scopes.has('sellers:read')),
    now,
  };
}
