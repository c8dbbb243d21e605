import { countIndicators, encodeCursor, findIndicator, listIndicators, listSightings } from '../indicators/index.js';
import type { Resolvers } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

export const indicatorResolvers: Resolvers = {
  Query: {
    indicator: async (_root, { id }, ctx) => findIndicator(await ctx.reads(), id, visibilityOf(ctx, 'indicators')),
    indicators: async (_root, { filter, first, after }, ctx) => {
      const visibility = visibilityOf(ctx, 'indicators');
      const db = await ctx.reads();
      const page = await listIndicators(db, filter ?? {}, visibility, { first, after: after ?? null });
      const edges = page.records.map((node) => ({ cursor: encodeCursor(node), node }));
      return {
        edges,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
        countAll: () => countIndicators(db, filter ?? {}, visibility),
      };
    },
  },
  IndicatorConnection: {
    totalCount: (connection) => connection.countAll(),
  },
  Mutation: {
    reportOpinion: async (_root, { indicatorId, opinion, note }, ctx) => {
      const p = ctx.principal;
      const author = p.kind === 'agency' ? { kind: 'agency' as const, agency: p.agency, analyst: p.sub } : { kind: 'member' as const, member: p.kind === 'member' ? p.member : '' };
      const recorded = await ctx.services.opinions.record(author, { indicatorId, verdict: opinion, note }, visibilityOf(ctx, 'indicators'));
      return { indicatorId, verdict: recorded.verdict, status: recorded.status, leafIndex: recorded.leafIndex, recordSha256: recorded.recordSha256 };
    },
  },
  Indicator: {
    commodities: (indicator) => indicator.commodities as never,
    sightings: async (indicator, _args, ctx) => listSightings(await ctx.reads(), indicator),
    opinions: (indicator, _args, ctx) => ctx.services.opinions.list(indicator.id, indicator.members),
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
