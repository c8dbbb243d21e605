import { encodeCursor, findIndicator, listIndicators, listSightings } from '../indicators/index.js';
import type { Resolvers } from './generated/schema-types.js';

export const indicatorResolvers: Resolvers = {
  Query: {
    indicator: (_root, { id }, ctx) => findIndicator(ctx.db, id),
    indicators: async (_root, { filter, first, after }, ctx) => {
      const page = await listIndicators(ctx.db, filter ?? {}, { first, after: after ?? null });
      const edges = page.records.map((node) => ({ cursor: encodeCursor(node), node }));
      return {
        edges,
        totalCount: page.totalCount,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  Indicator: {
    commodities: (indicator) => indicator.commodities as never,
    sightings: (indicator, _args, ctx) => listSightings(ctx.db, indicator.id),
  },
  Sighting: {
    commodity: (s) => s.commodity as never,
    purpose: (s) => s.purpose as never,
    tlp: (s) => s.tlp as never,
    context: (s) =>
      s.context === null
        ? null
        : { language: s.context.language ?? null, platformSection: s.context.platformSection ?? null, listingCount: s.context.listingCount ?? null },
  },
};
