import { findIndicators, IndicatorQueryError, SqlParams, visibleSightingSql, visibleTypeSql, type IndicatorRecord, type Queryable, type Visibility } from '../indicators/index.js';
import { emergingCodeWords, emergingQueryProblem, windowStart, type EmergingCodeWord, type KeywordReceipt } from './emerging-code-words.js';

export interface EmergingCodeWordView extends Omit<EmergingCodeWord, 'indicatorId'> {
  readonly indicator: IndicatorRecord;
}

/**
 * The emerging code words `vis` may see: only the reader's visible sightings are read, so a
 * member's first-seen, the members count and the weekly counts are all over what the token is
 * entitled to (src/auth/entitlement.ts, the `indicators` path), and a sighting above it neither
 * counts nor hides a word. Retracted sightings do not count (the member withdrew them); expired
 * ones do, as expiry ends a sighting's use for matching, not the fact that it was published.
 */
export async function findEmergingCodeWords(
  db: Queryable,
  query: { window: number; minMembers: number; first: number; commodity?: string | null | undefined },
  vis: Visibility,
): Promise<EmergingCodeWordView[]> {
  const problem = emergingQueryProblem(query);
  if (problem !== null) throw new IndicatorQueryError(problem.field === 'first' ? 'INVALID_PAGE_SIZE' : 'INVALID_FILTER', problem.message, { details: { [problem.field]: query[problem.field] } });
  const q = { ...query, now: vis.now };
  const params = new SqlParams();
  const where = [`i.type = 'KEYWORD'`, ...visibleSightingSql(vis, params, { includeExpired: true }), ...visibleTypeSql(vis, params)];
  where.push(`b.received_at < ${params.add(q.now)}`);
  if (query.commodity) where.push(`s.commodity = ${params.add(query.commodity)}`);
  const start = params.add(windowStart(q));
  // Before the window only each member's earliest receipt matters (emergingCodeWords says so),
  // so those rows are folded into one; keywords with nothing in the window are not read at all.
  const rows = (await db.query(
    `WITH seen AS (
       SELECT s.indicator_id AS id, s.member, b.received_at AS at
       FROM sightings s JOIN batches b ON b.member = s.member AND b.batch_id = s.batch_id JOIN indicators i ON i.id = s.indicator_id
       WHERE ${where.join(' AND ')}
     ), recent AS (SELECT DISTINCT id FROM seen WHERE at >= ${start})
     SELECT id, member, min(at) AS at FROM seen WHERE at < ${start} AND id IN (SELECT id FROM recent) GROUP BY id, member
     UNION ALL
     SELECT id, member, at FROM seen WHERE at >= ${start}`,
    params.values,
  )) as Array<{ id: string; member: string; at: Date | string }>;
  const receipts: KeywordReceipt[] = rows.map((r) => ({ indicatorId: r.id, member: r.member, receivedAt: new Date(r.at) }));
  const words = emergingCodeWords(receipts, q);
  const records = new Map((await findIndicators(db, words.map((w) => w.indicatorId), vis, { includeExpired: true })).map((r) => [r.id, r]));
  // A word retracted between the two reads has no record any more: it is left out, never named bare.
  return words.flatMap(({ indicatorId, ...w }) => {
    const indicator = records.get(indicatorId);
    return indicator === undefined ? [] : [{ indicator, ...w }];
  });
}
