import { IndicatorQueryError, type Queryable } from './indicator-store.js';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Visibility } from './visibility.js';

export type StatsBucket = 'DAY' | 'WEEK';
export type StatsGroupBy = 'COMMODITY' | 'TYPE' | 'MEMBER';

export interface StatsRow {
  /** Start of the UTC day, or of the ISO week (Monday). */
  bucketStart: Date;
  key: string;
  /** Indicators first seen (by this reader) in this group during this bucket. */
  newIndicators: number;
  sightings: number;
}

const DAY_MS = 86_400_000;
/** Bounds on the answer's size: a year of days, or five years of weeks. */
const MAX_RANGE_MS: Record<StatsBucket, number> = { DAY: 366 * DAY_MS, WEEK: 5 * 366 * DAY_MS };
const KEY_SQL: Record<StatsGroupBy, string> = { COMMODITY: 's.commodity', TYPE: 'i.type', MEMBER: 's.member' };
const TRUNC: Record<StatsBucket, string> = { DAY: 'day', WEEK: 'week' };

/**
 * Counts of sightings and of new indicators per bucket and group, over visible sightings only.
 * An indicator is new in a group in the bucket of its first visible sighting in that group, so
 * the same keyword counts once for each commodity it is reported under.
 */
export async function indicatorStats(db: Queryable, range: { from: Date; to: Date; bucket: StatsBucket; groupBy: StatsGroupBy }, vis: Visibility): Promise<StatsRow[]> {
  const span = range.to.getTime() - range.from.getTime();
  if (!(span > 0)) throw new IndicatorQueryError('INVALID_FILTER', 'stats needs from before to');
  if (span > MAX_RANGE_MS[range.bucket]) {
    throw new IndicatorQueryError('INVALID_FILTER', `a ${range.bucket} series may span at most ${MAX_RANGE_MS[range.bucket] / DAY_MS} days`);
  }
  const params = new SqlParams();
  const visible = [...visibleSightingSql(vis, params), ...visibleTypeSql(vis, params)].join(' AND ') || 'true';
  const from = params.add(range.from);
  const to = params.add(range.to);
  const trunc = (column: string): string => `date_trunc('${TRUNC[range.bucket]}', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
  const rows = (await db.query(
    `WITH v AS (
       SELECT s.indicator_id, s.observed_at, ${KEY_SQL[range.groupBy]} AS key
       FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE ${visible}),
     firsts AS (SELECT indicator_id, key, min(observed_at) AS first_at FROM v GROUP BY indicator_id, key),
     seen AS (SELECT ${trunc('observed_at')} AS b, key, count(*)::int AS n FROM v WHERE observed_at >= ${from} AND observed_at < ${to} GROUP BY 1, 2),
     fresh AS (SELECT ${trunc('first_at')} AS b, key, count(*)::int AS n FROM firsts WHERE first_at >= ${from} AND first_at < ${to} GROUP BY 1, 2)
     SELECT seen.b AS "bucketStart", seen.key, coalesce(fresh.n, 0) AS "newIndicators", seen.n AS sightings
     FROM seen LEFT JOIN fresh ON fresh.b = seen.b AND fresh.key = seen.key
     ORDER BY 1, 2`,
    params.values,
  )) as Array<{ bucketStart: Date | string; key: string; newIndicators: number; sightings: number }>;
  return rows.map((r) => ({ bucketStart: new Date(r.bucketStart), key: r.key, newIndicators: Number(r.newIndicators), sightings: Number(r.sightings) }));
}
