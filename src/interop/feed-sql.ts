/**
 * SQL shared by the feeds. What a reader may see is decided only by the indicator store's
 * visibility (visibleSightingSql, visibleTypeSql): the feeds never test TLP, commodity or type
 * themselves. Both feeds carry history, so retracted and expired sightings are included (as
 * revocations and validity); the entitlement part of the visibility applies unchanged.
 */
import { SqlParams, visibleSightingSql, visibleTypeSql, type Commodity, type HiddenSightings, type Purpose, type Queryable, type Tlp, type Visibility } from '../indicators/index.js';
import type { FeedIndicator, FeedSighting } from './feed-rows.js';

/** The feeds are histories: a withdrawn or expired sighting is carried as such, never dropped. */
export const HISTORY: HiddenSightings = { includeRetracted: true, includeExpired: true };

/** `s` visible to `vis` (and of a type it may see, through indicator `i` when given). */
export function visibleSql(vis: Visibility, params: SqlParams, sighting = 's', indicator?: string): string {
  const conditions = [...visibleSightingSql(vis, params, HISTORY, sighting), ...(indicator === undefined ? [] : visibleTypeSql(vis, params, indicator))];
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

/** Indicator `i` of a type `vis` may see (TRUE when it may see every type). */
export function visibleTypeOnlySql(vis: Visibility, params: SqlParams, indicator = 'i'): string {
  return visibleTypeSql(vis, params, indicator).join(' AND ') || 'TRUE';
}

/** Joins a sighting `s` to its batch `b` and, when retracted, the retracting batch `rb`. */
export const SIGHTING_JOINS = `JOIN batches b ON b.member = s.member AND b.batch_id = s.batch_id
  LEFT JOIN batches rb ON rb.member = s.member AND rb.batch_id = s.retracted_by`;

/** Columns of a FeedSighting (with SIGHTING_JOINS); bigints as float8 so both drivers return numbers. */
export const SIGHTING_COLUMNS = `s.id::float8 AS "sightingId", s.indicator_id AS "indicatorId", s.member, s.batch_id::text AS "batchId",
  b.leaf_index::float8 AS "leafIndex", b.jws_sha256 AS "batchSha256", s.observed_at AS "observedAt", s.commodity, s.species, s.purpose,
  s.confidence::int AS confidence, s.tlp, s.expires_at AS "expiresAt", s.retracted_at AS "retractedAt", rb.leaf_index::float8 AS "retractionLeaf",
  (s.context->>'listingCount')::int AS "listingCount", s.original_text AS "originalText", s.stix_uuid::text AS "stixUuid"`;

export const INDICATOR_COLUMNS = `i.id AS "indicatorId", i.type AS "indicatorType", i.value AS "indicatorValue", i.quality::int AS "indicatorQuality", i.stix_uuid::text AS "indicatorStixUuid"`;

/** Whether the member shares sightings of the batch at `b` (interop_sighting_policy; withheld without a row). */
export const SHARED_SQL = `COALESCE((SELECT p.share FROM interop_sighting_policy p
  WHERE p.member = s.member AND p.from_leaf <= b.leaf_index ORDER BY p.from_leaf DESC LIMIT 1), false)`;

type Row = Record<string, unknown>;

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function toFeedSighting(r: Row): FeedSighting {
  return {
    sightingId: Number(r['sightingId']),
    indicatorId: String(r['indicatorId']),
    member: String(r['member']),
    batchId: String(r['batchId']),
    leafIndex: Number(r['leafIndex']),
    batchSha256: String(r['batchSha256']),
    observedAt: date(r['observedAt']),
    commodity: r['commodity'] as Commodity,
    species: (r['species'] as string | null) ?? null,
    purpose: (r['purpose'] as Purpose | null) ?? null,
    confidence: Number(r['confidence']),
    tlp: r['tlp'] as Tlp,
    expiresAt: dateOrNull(r['expiresAt']),
    retractedAt: dateOrNull(r['retractedAt']),
    retractionLeaf: numberOrNull(r['retractionLeaf']),
    listingCount: numberOrNull(r['listingCount']),
    originalText: (r['originalText'] as string | null) ?? null,
    stixUuid: stringOrUndefined(r['stixUuid']),
  };
}

export function toFeedIndicator(r: Row): FeedIndicator {
  return { id: String(r['indicatorId']), type: r['indicatorType'] as FeedIndicator['type'], value: String(r['indicatorValue']), quality: numberOrNull(r['indicatorQuality']), stixUuid: stringOrUndefined(r['indicatorStixUuid']) };
}

export async function rows(db: Queryable, sql: string, params: SqlParams | unknown[]): Promise<Row[]> {
  return (await db.query(sql, params instanceof SqlParams ? params.values : params)) as Row[];
}

export { SqlParams };
