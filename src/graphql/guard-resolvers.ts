import { DEFAULT_FLOOD_POLICY, DEFAULT_PRECISION_POLICY, holdDecision, QuarantineError, type SuppressedBy } from '../guards/index.js';
import { sha256Base64url } from '../kernel/index.js';
import { findIndicators } from '../indicators/index.js';
import type { KeywordHit } from '../matching/index.js';
import { visibilityOf } from './principal.js';
import type { GraphQLContext } from './context.js';
import type { Resolvers } from './generated/schema-types.js';

/** What a quarantined indicator's hits say they were suppressed by. */
const QUARANTINED: SuppressedBy = { list: 'quarantine', version: 1, entry: 'FLOOD' };

/**
 * matchText's hits with what suppresses each (a warninglist, or quarantine); the standing ones
 * count towards the hub's flood rates, and may quarantine their indicator.
 */
export async function screenHits(ctx: GraphQLContext, text: string, found: readonly KeywordHit[], disputed: ReadonlySet<string>): Promise<Array<KeywordHit & { suppressedBy: SuppressedBy | null }>> {
  const listed = (await ctx.services.warninglists.compiled()).suppress(text, found);
  const held = await ctx.services.quarantine.held();
  const hits = found.map((h, i) => ({ ...h, suppressedBy: listed[i] ?? (held.has(h.id) ? QUARANTINED : null) }));
  await ctx.services.quarantine.observe([...new Set(hits.filter((h) => h.suppressedBy === null).map((h) => h.id))], disputed, sha256Base64url(text));
  return hits;
}

export const guardResolvers: Resolvers = {
  Query: {
    warninglists: async (_root, _args, ctx) => (await ctx.services.warninglists.inEffect()).map((l) => ({ ...l, kind: l.kind === 'phrases' ? 'PHRASES' : 'GENERIC', entries: [...l.entries] })),
  },
  Mutation: {
    reportFlood: async (_root, { indicatorId, hits, scans, disputed }, ctx) => {
      const source = ctx.principal.kind === 'member' ? `member:${ctx.principal.member}` : 'operator';
      const rate = { hits, scans, share: scans > 0 ? hits / scans : 0 };
      const evidence = { kind: 'flood' as const, rate, disputed: disputed === true };
      const decision = hits >= 0 && hits <= scans ? holdDecision(evidence, { flood: DEFAULT_FLOOD_POLICY, precision: DEFAULT_PRECISION_POLICY }) : { hold: false as const };
      if (!decision.hold) {
        throw new QuarantineError('INVALID_FLOOD_REPORT', `${hits} hits of ${scans} scans do not cross the flood rule (at least ${DEFAULT_FLOOD_POLICY.minScans} scans, over ${DEFAULT_FLOOD_POLICY.maxShare * 100} % of them)`, { details: { hits, scans } });
      }
      // Only an indicator the reporter can see: a report names what its scans matched.
      const [known] = await findIndicators(await ctx.reads(), [indicatorId], visibilityOf(ctx, 'indicators'));
      if (known === undefined) throw new QuarantineError('NOT_FOUND', 'no such indicator, or not visible to you', { details: { indicatorId } });
      const record = await ctx.services.quarantine.decide(indicatorId, source, evidence);
      return { indicatorId, quarantined: record !== undefined, leafIndex: record?.heldLeafIndex ?? null };
    },
  },
  Indicator: {
    hitRate: async (indicator, _args, ctx) => ({ ...ctx.services.quarantine.rate(indicator.id), quarantined: (await ctx.services.quarantine.held()).has(indicator.id) }),
  },
};
