import { findEmergingCodeWords } from '../emerging/index.js';
import { IndicatorQueryError, indicatorId, linkGraph, risingKeywords } from '../indicators/index.js';
import type { Resolvers } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

export const analysisResolvers: Resolvers = {
  Query: {
    risingKeywords: (_root, { from, to, commodity, first }, ctx) => risingKeywords(ctx.db, { from, to, commodity, first: first ?? 20 }, visibilityOf(ctx, 'indicators')),
    // Members and agencies alike, each through its own grant on the indicators path.
    emergingCodeWords: async (_root, { window, minMembers, commodity, first }, ctx) =>
      findEmergingCodeWords(await ctx.reads(), { window: window ?? 4, minMembers: minMembers ?? 2, commodity, first: first ?? 20 }, visibilityOf(ctx, 'indicators')),
    sellerGraph: async (_root, { fingerprint, indicatorId: id, hops, maxNodes, minListings }, ctx) => {
      if ((fingerprint ? 1 : 0) + (id ? 1 : 0) !== 1) throw new IndicatorQueryError('INVALID_FILTER', 'give either fingerprint or indicatorId');
      const vis = visibilityOf(ctx, 'seller');
      const center = id ?? sellerIdOf(fingerprint!);
      if (center === null) return null;
      return linkGraph(ctx.db, center, vis, { hops: hops ?? 2, maxNodes: maxNodes ?? 40, minListings: minListings ?? 1 });
    },
  },
  RisingKeyword: {
    change: (r) => r.current - r.previous,
  },
};

/** A seller's indicator id is its content address; a string with no JCS form names no seller. */
function sellerIdOf(fingerprint: string): string | null {
  try {
    return indicatorId('SELLER', fingerprint);
  } catch {
    return null;
  }
}
