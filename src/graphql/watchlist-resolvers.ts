import { AuthError, type AgencyPrincipal } from '../auth/index.js';
import { acknowledgeAlerts, alertsOfBatch, countUnacknowledged, createWatchlist, deleteWatchlist, listAlerts, listWatchlists, ownerOf, type AlertFilter, type AlertView } from '../watchlists/index.js';
import type { GraphQLContext } from './context.js';
import type { BatchAnnouncement } from './indicator-events.js';
import type { Resolvers } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

/** What `alerts` returns: the page, and the unacknowledged count computed only when selected. */
export interface AlertConnectionModel {
  edges: Array<{ cursor: string; node: AlertView }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  countUnacknowledged(): Promise<number>;
}

/** Watchlists belong to agencies; @requires has already refused anyone else. */
function agencyOf(ctx: GraphQLContext): AgencyPrincipal {
  if (ctx.principal.kind !== 'agency') throw new AuthError('FORBIDDEN', 'watchlists need an agency token');
  return ctx.principal;
}

export const watchlistResolvers: Resolvers = {
  Query: {
    watchlists: (_root, _args, ctx) => listWatchlists(ctx.db, agencyOf(ctx).agency, visibilityOf(ctx, 'indicators')),
    alerts: async (_root, { filter, first, after }, ctx) => {
      const { agency } = agencyOf(ctx);
      const vis = visibilityOf(ctx, 'indicators');
      const f: AlertFilter = { watchlistId: filter?.watchlistId, acknowledged: filter?.acknowledged };
      const page = await listAlerts(ctx.db, agency, vis, f, { first: first ?? 50, after: after ?? null });
      const edges = page.alerts.map((node) => ({ cursor: node.id, node }));
      return {
        edges,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
        countUnacknowledged: () => countUnacknowledged(ctx.db, agency, vis, f),
      };
    },
  },
  Mutation: {
    createWatchlist: (_root, { input }, ctx) => createWatchlist(ctx.db, ownerOf(agencyOf(ctx)), input, visibilityOf(ctx, 'indicators')),
    deleteWatchlist: (_root, { id }, ctx) => deleteWatchlist(ctx.db, agencyOf(ctx).agency, id, ctx.clock.now()),
    acknowledgeAlerts: (_root, { ids, acknowledged }, ctx) => {
      const p = agencyOf(ctx);
      return acknowledgeAlerts(ctx.db, p.agency, visibilityOf(ctx, 'indicators'), { ids, acknowledged: acknowledged ?? true, by: p.sub });
    },
  },
  Subscription: {
    alertRaised: {
      // Each accepted batch is turned into the alerts it raised for this reader's agency, read
      // through this reader's visibility (the hub matched the batch before announcing it).
      subscribe: (_root, _args, ctx) => {
        const { agency } = agencyOf(ctx);
        return ctx.services.events.subscribe(async (batch: BatchAnnouncement) =>
          (await alertsOfBatch(ctx.db, agency, visibilityOf(ctx, 'subscription'), batch)).map((alertRaised) => ({ alertRaised })),
        );
      },
    },
  },
  AlertConnection: {
    unacknowledged: (connection) => connection.countUnacknowledged(),
  },
  Watchlist: {
    commodities: (w) => [...w.criteria.commodities],
    keywords: (w) => w.criteria.keywords.map((k) => k.text),
    seller: (w) => w.criteria.seller,
    image: (w) => w.criteria.image,
    matchesUpTo: (w) => w.ownerTlp as never,
  },
  Alert: {
    tlp: (a) => a.tlp as never,
    commodity: (a) => a.commodity as never,
    acknowledged: (a) => a.acknowledgedAt !== null,
  },
};
