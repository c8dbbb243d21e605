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
