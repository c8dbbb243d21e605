import { findIndicator, findIndicators, type IndicatorRecord, type Queryable } from './indicator-store.js';
import { listingLinks } from './listing-links.js';
import type { Visibility } from './visibility.js';

/** An indicator seen in the seller's own listings: the links an analyst follows. */
export interface LinkedIndicator {
  indicator: IndicatorRecord;
  /** Listings (of any member) in which both were seen, as far as the reader may see. */
  listings: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface SellerProfile {
  /** The seller's indicator: members that saw it, first and last seen, commodities, sightings. */
  indicator: IndicatorRecord;
  linked: LinkedIndicator[];
}

export const MAX_LINKED_INDICATORS = 200;

/**
 * The cross-platform profile of one seller fingerprint; null when the reader sees no sighting of
 * it. Linked are the indicators seen in the seller's own listings (listing-links.ts), over
 * visible sightings only, on both sides.
 */
export async function sellerProfile(db: Queryable, fingerprint: string, vis: Visibility): Promise<SellerProfile | null> {
  const rows = (await db.query(`SELECT id FROM indicators WHERE type = 'SELLER' AND value = $1`, [fingerprint])) as Array<{ id: string }>;
  const id = rows[0]?.id;
  if (id === undefined) return null;
  const indicator = await findIndicator(db, id, vis);
  if (indicator === null) return null;
  const links = await listingLinks(db, [id], vis, { limit: MAX_LINKED_INDICATORS });
  const records = new Map((await findIndicators(db, links.map((l) => l.to), vis)).map((r) => [r.id, r]));
  return { indicator, linked: links.flatMap((l) => (records.has(l.to) ? [{ indicator: records.get(l.to)!, listings: l.listings, firstSeenAt: l.firstSeenAt, lastSeenAt: l.lastSeenAt }] : [])) };
}
