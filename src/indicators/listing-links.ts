/**
 * The one rule that links indicators (issue 21): two indicators are linked when visible
 * sightings of both name the same listing of the same member. Being in the same signed batch
 * never links anything; sellers on different platforms meet as one SELLER indicator (equal
 * fingerprints), so cross-platform correlation needs no rule here. Both ends of every
 * supporting pair are read through the reader's visibility, inside the query, so a link shows
 * only what the reader could assemble from sightings it may see. Sightings from before listings
 * were sent name none and link nothing.
 */
import type { Queryable } from './indicator-store.js';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Visibility } from './visibility.js';

export interface ListingLink {
  readonly from: string;
  readonly to: string;
  /** Distinct listings (of any member) in which the reader sees both. */
  readonly listings: number;
  /** Earliest and latest `observedAt` among the supporting sightings of both ends. */
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
}

export interface ListingLinkOptions {
  /** At most this many links, most listings first. */
  readonly limit: number;
  /** Only links supported by at least this many listings (default 1). */
  readonly minListings?: number;
}

/** The links from each of `ids` to the indicators seen in the same listings, most listings first, then by id. */
export async function listingLinks(db: Queryable, ids: readonly string[], vis: Visibility, options: ListingLinkOptions): Promise<ListingLink[]> {
  if (ids.length === 0) return [];
  const params = new SqlParams([[...ids]]);
  const fromSide = ['f.indicator_id = ANY($1::text[])', ...visibleSightingSql(vis, params, {}, 'f')].join(' AND ');
  const toSide = ['t.indicator_id <> f.indicator_id', ...visibleSightingSql(vis, params, {}, 't'), ...visibleTypeSql(vis, params, 'i')].join(' AND ');
  const rows = (await db.query(
    `SELECT f.indicator_id AS from_id, t.indicator_id AS to_id, count(DISTINCT (fl.member, fl.listing))::int AS listings,
            min(LEAST(f.observed_at, t.observed_at)) AS first_seen, max(GREATEST(f.observed_at, t.observed_at)) AS last_seen
     FROM sightings f
     JOIN sighting_listings fl ON fl.sighting_id = f.id
     JOIN sighting_listings tl ON tl.member = fl.member AND tl.listing = fl.listing AND tl.sighting_id <> fl.sighting_id
     JOIN sightings t ON t.id = tl.sighting_id
     JOIN indicators i ON i.id = t.indicator_id
     WHERE ${fromSide} AND ${toSide}
     GROUP BY 1, 2 HAVING count(DISTINCT (fl.member, fl.listing)) >= ${params.add(options.minListings ?? 1)}
     ORDER BY listings DESC, 1, 2 LIMIT ${params.add(options.limit)}`,
    params.values,
  )) as Array<{ from_id: string; to_id: string; listings: number; first_seen: Date; last_seen: Date }>;
  return rows.map((r) => ({ from: r.from_id, to: r.to_id, listings: Number(r.listings), firstSeenAt: new Date(r.first_seen), lastSeenAt: new Date(r.last_seen) }));
}
