import { findIndicators, IndicatorQueryError, type IndicatorRecord, type Queryable } from './indicator-store.js';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Visibility } from './visibility.js';

/** A code word seen more often in a period than in the period of the same length before it. */
export interface RisingKeyword {
  indicator: IndicatorRecord;
  /** Visible sightings in [from, to). */
  current: number;
  /** Visible sightings in [from − (to − from), from). */
  previous: number;
}

const DAY_MS = 86_400_000;
const MAX_SPAN_MS = 366 * DAY_MS;
export const MAX_RISING_KEYWORDS = 100;

/**
 * The KEYWORD indicators whose visible sightings grew most from the previous period to this one,
 * largest increase first (then most seen now). Both periods are counted over the reader's visible
 * sightings only, so a rise seen only in sightings above the token's TLP does not show.
 */
export async function risingKeywords(
  db: Queryable,
  query: { from: Date; to: Date; first: number; commodity?: string | null | undefined },
  vis: Visibility,
): Promise<RisingKeyword[]> {
  const span = query.to.getTime() - query.from.getTime();
  if (!(span > 0)) throw new IndicatorQueryError('INVALID_FILTER', 'risingKeywords needs from before to');
  if (span > MAX_SPAN_MS) throw new IndicatorQueryError('INVALID_FILTER', `a period may span at most ${MAX_SPAN_MS / DAY_MS} days`);
  if (!Number.isInteger(query.first) || query.first < 1 || query.first > MAX_RISING_KEYWORDS) {
    throw new IndicatorQueryError('INVALID_PAGE_SIZE', `first must be between 1 and ${MAX_RISING_KEYWORDS}`, { details: { first: query.first } });
  }
  const params = new SqlParams();
  const where = [`i.type = 'KEYWORD'`, ...visibleSightingSql(vis, params), ...visibleTypeSql(vis, params)];
  const previousFrom = params.add(new Date(query.from.getTime() - span));
  const from = params.add(query.from);
  const to = params.add(query.to);
  where.push(`s.observed_at >= ${previousFrom}`, `s.observed_at < ${to}`);
  if (query.commodity) where.push(`s.commodity = ${params.add(query.commodity)}`);
  const now = `count(*) FILTER (WHERE s.observed_at >= ${from})`;
  const before = `count(*) FILTER (WHERE s.observed_at < ${from})`;
  const rows = (await db.query(
    `SELECT s.indicator_id AS id, ${now}::int AS current, ${before}::int AS previous
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id
     WHERE ${where.join(' AND ')}
     GROUP BY s.indicator_id HAVING ${now} > ${before}
     ORDER BY ${now} - ${before} DESC, ${now} DESC, s.indicator_id LIMIT ${params.add(query.first)}`,
    params.values,
  )) as Array<{ id: string; current: number; previous: number }>;
  const counts = new Map(rows.map((r) => [r.id, { current: Number(r.current), previous: Number(r.previous) }]));
  const records = await findIndicators(db, rows.map((r) => r.id), vis);
  return records.map((indicator) => ({ indicator, ...counts.get(indicator.id)! }));
}
