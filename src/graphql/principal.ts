import { AuthError, visibilityFor } from '../auth/index.js';
import { INDICATOR_TYPES, TLPS, tlpAllows, type Visibility } from '../indicators/index.js';
import type { Reader } from '../ingest/index.js';
import type { GraphQLContext } from './context.js';

/**
 * What the caller may see of the store. Agencies: their token's TLP, commodities and scopes.
 * Members (opinions through their node): what the feed shows them, CLEAR to AMBER.
 */
export function visibilityOf(ctx: GraphQLContext): Visibility {
  const p = ctx.principal;
  const now = ctx.clock.now();
  if (p.kind === 'agency') return visibilityFor(p, now);
  if (p.kind === 'member') return { tlps: TLPS.filter((t) => tlpAllows('AMBER', t)), commodities: null, types: INDICATOR_TYPES, now };
  throw new AuthError('UNAUTHENTICATED', 'this field needs a token');
}

/** The caller as the batch-access policy (ingest's mayRead) knows it. */
export function readerOf(ctx: GraphQLContext): Reader {
  const p = ctx.principal;
  if (p.kind === 'agency') return { kind: 'agency', agency: p.agency, maxTlp: p.tlp, provenance: p.scopes.has('provenance:read') };
  if (p.kind === 'member') return { kind: 'member', member: p.member };
  throw new AuthError('UNAUTHENTICATED', 'this field needs a token');
}
