import { findIndicators, type IndicatorRecord } from '../indicators/index.js';
import type { BatchAnnouncement } from './indicator-events.js';
import type { GraphQLContext } from './context.js';
import type { IndicatorEventFilter, Resolvers, Tlp } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

interface IndicatorEvent {
  member: string;
  batchId: string;
  tlp: Tlp;
  indicator: IndicatorRecord;
  retracted: boolean;
}

/**
 * The indicators a batch published or retracted, as this subscriber may see them: the same
 * visibility as `indicators` (TLP, commodities, SELLER only with sellers:read), judged on the
 * batch's own sightings, so nothing above the token's TLP is announced.
 */
async function eventsFor(ctx: GraphQLContext, batch: BatchAnnouncement, filter: IndicatorEventFilter | null | undefined): Promise<Array<{ indicatorPublished: IndicatorEvent }>> {
  if (filter?.member && filter.member !== batch.member) return [];
  const vis = visibilityOf(ctx);
  const rows: Array<{ id: string; retracted: boolean }> = await ctx.db.query(
    `SELECT s.indicator_id AS id, (s.retracted_by IS NOT NULL AND s.retracted_by = $2) AS retracted
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id
     WHERE s.member = $1 AND (s.batch_id = $2 OR s.retracted_by = $2)
       AND s.tlp = ANY($3::text[]) AND ($4::text[] IS NULL OR s.commodity = ANY($4::text[])) AND i.type = ANY($5::text[])
       AND ($6::text IS NULL OR i.type = $6) AND ($7::text IS NULL OR s.commodity = $7)
     ORDER BY s.id`,
    [batch.member, batch.batchId, [...vis.tlps], vis.commodities === null ? null : [...vis.commodities], [...vis.types], filter?.type ?? null, filter?.commodity ?? null],
  );
  const published = rows.filter((r) => !r.retracted).map((r) => r.id);
  const retracted = rows.filter((r) => r.retracted).map((r) => r.id);
  const records = [...(await findIndicators(ctx.db, published, vis)), ...(await findIndicators(ctx.db, retracted, vis, { includeRetracted: true }))];
  const retractedSet = new Set(retracted);
  return records.map((indicator) => ({
    indicatorPublished: { member: batch.member, batchId: batch.batchId, tlp: batch.tlp, indicator, retracted: retractedSet.has(indicator.id) },
  }));
}

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    indicatorPublished: {
      subscribe: (_root, { filter }, ctx) => ctx.services.events.subscribe((batch) => eventsFor(ctx, batch, filter)),
    },
  },
};
