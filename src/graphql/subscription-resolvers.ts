import { outcomeFactsBy } from '../outcomes/index.js';
import { BATCH_COLUMNS, batchKey, contentFor, retractedBy, storedBatch, type BatchRow } from '../ingest/index.js';
import { findIndicators, indicatorId, type IndicatorRecord, type IndicatorType } from '../indicators/index.js';
import type { BatchAnnouncement } from './indicator-events.js';
import type { GraphQLContext } from './context.js';
import type { IndicatorEventFilter, Resolvers, Tlp } from './generated/schema-types.js';
import { grantOf, visibilityOf } from './principal.js';

interface IndicatorEvent {
  member: string;
  batchId: string;
  tlp: Tlp;
  indicator: IndicatorRecord;
  retracted: boolean;
}

/**
 * The indicators a batch published or retracted, as this subscriber may see them: the batch goes
 * through the same entitlement decision as `/v1/batches` and the feed (whole, or the items the
 * token may see), then the filter; nothing is delivered once the session's token has expired or
 * been revoked.
 */
async function eventsFor(ctx: GraphQLContext, batch: BatchAnnouncement, filter: IndicatorEventFilter | null | undefined): Promise<Array<{ indicatorPublished: IndicatorEvent }>> {
  if (filter?.member && filter.member !== batch.member) return [];
  if (ctx.session !== undefined && !(await ctx.session.live())) return [];
  const wanted = (item: Item): boolean => (!filter?.type || item.type === filter.type) && (!filter?.commodity || item.commodity === filter.commodity);
  const { published, retracted } = await visibleItems(ctx, batch);
  const vis = visibilityOf(ctx, 'subscription');
  const publishedIds = published.filter(wanted).map((i) => i.id);
  const retractedIds = [...new Set(retracted.filter(wanted).map((i) => i.id))];
  // A retraction reaches whoever may see the sighting it withdraws, even one that had expired.
  const records = [...(await findIndicators(ctx.db, publishedIds, vis)), ...(await findIndicators(ctx.db, retractedIds, vis, { includeRetracted: true, includeExpired: true }))];
  const retractedSet = new Set(retractedIds);
  return records.map((indicator) => ({ indicatorPublished: { member: batch.member, batchId: batch.batchId, tlp: batch.tlp, indicator, retracted: retractedSet.has(indicator.id) } }));
}

interface Item {
  readonly id: string;
  readonly type: string;
  readonly commodity: string;
}

/** What the batch published and retracted that the subscriber's grant reaches. */
async function visibleItems(ctx: GraphQLContext, announced: BatchAnnouncement): Promise<{ published: Item[]; retracted: Item[] }> {
  const rows: BatchRow[] = await ctx.db.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE member = $1 AND batch_id = $2`, [announced.member, announced.batchId]);
  if (rows[0] === undefined) return { published: [], retracted: [] };
  const batch = storedBatch(rows[0]);
  const retractedSightings = (await retractedBy(ctx.db, [batch])).get(batchKey(batch)) ?? [];
  const outcomes = (await outcomeFactsBy(ctx.db, [batch])).get(batchKey(batch)) ?? new Map();
  const content = contentFor(grantOf(ctx, 'subscription'), batch, retractedSightings, outcomes);
  if (content.kind === 'none') return { published: [], retracted: [] };
  if (content.kind === 'partial') {
    const retractedIds = new Set(content.retractions.map((r) => String(r['indicatorId'])));
    return {
      published: content.indicators.map((i) => ({ id: indicatorId(i['type'] as IndicatorType, String(i['value'])), type: String(i['type']), commodity: String(i['commodity']) })),
      retracted: retractedSightings.filter((r) => retractedIds.has(r.indicatorId)).map((r) => ({ id: r.indicatorId, type: r.type, commodity: r.commodity })),
    };
  }
  const published: Array<{ indicator_id: string; type: string; commodity: string }> = await ctx.db.query(
    `SELECT s.indicator_id, i.type, s.commodity FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.member = $1 AND s.batch_id = $2 ORDER BY s.id`,
    [batch.member, batch.batchId],
  );
  return {
    published: published.map((r) => ({ id: r.indicator_id, type: r.type, commodity: r.commodity })),
    retracted: retractedSightings.map((r) => ({ id: r.indicatorId, type: r.type, commodity: r.commodity })),
  };
}

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    indicatorPublished: {
      subscribe: (_root, { filter }, ctx) => ctx.services.events.subscribe((batch) => eventsFor(ctx, batch, filter)),
    },
  },
};
