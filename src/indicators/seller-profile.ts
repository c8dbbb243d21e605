import { findIndicator, findIndicators, type IndicatorRecord, type Queryable } from './indicator-store.js';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Visibility } from './visibility.js';

/** An indicator reported in the same signed batches as a seller: the links an analyst follows. */
export interface LinkedIndicator {
  indicator: IndicatorRecord;
  /** Batches (of any member) that carry both, as far as the reader may see. */
  sharedBatches: number;
}

export interface SellerProfile {
  /** The seller's indicator: members that saw it, first and last seen, commodities, sightings. */
  indicator: IndicatorRecord;
  linked: LinkedIndicator[];
}

export const MAX_LINKED_INDICATORS = 200;

/**
 * The cross-platform profile of one seller fingerprint; null when the reader sees no sighting of
 * it. Links are computed over visible sightings only, on both sides.
 */
export async function sellerProfile(db: Queryable, fingerprint: string, vis: Visibility): Promise<SellerProfile | null> {
  const rows = (await db.query(`SELECT id FROM indicators WHERE type = 'SELLER' AND value = $1`, [fingerprint])) as Array<{ id: string }>;
  const id = rows[0]?.id;
  if (id === undefined) return null;
  const indicator = await findIndicator(db, id, vis);
  if (indicator === null) return null;
  const params = new SqlParams([id]);
  const sellerSide = ['s.indicator_id = $1', ...visibleSightingSql(vis, params)].join(' AND ');
  const linkSide = ['l.indicator_id <> $1', ...visibleSightingSql(vis, params, {}, 'l'), ...visibleTypeSql(vis, params, 'i')].join(' AND ');
  const links = (await db.query(
    `WITH seller_batches AS (SELECT DISTINCT s.member, s.batch_id FROM sightings s WHERE ${sellerSide})
     SELECT l.indicator_id AS id, count(DISTINCT (l.member, l.batch_id))::int AS shared
     FROM sightings l JOIN seller_batches b ON l.member = b.member AND l.batch_id = b.batch_id
     JOIN indicators i ON i.id = l.indicator_id
     WHERE ${linkSide}
     GROUP BY l.indicator_id ORDER BY shared DESC, l.indicator_id LIMIT ${MAX_LINKED_INDICATORS}`,
    params.values,
  )) as Array<{ id: string; shared: number }>;
  const shared = new Map(links.map((l) => [l.id, Number(l.shared)]));
  const records = await findIndicators(db, [...shared.keys()], vis);
  return { indicator, linked: records.map((r) => ({ indicator: r, sharedBatches: shared.get(r.id) ?? 0 })) };
}
