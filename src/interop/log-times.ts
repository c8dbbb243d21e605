import type { Queryable } from '../indicators/index.js';
import { feedTime, type FeedTime } from './feed-time.js';
import { rows } from './feed-sql.js';

/** Position −1 comes before every entry: the objects each collection starts with. */
export const BEFORE_LOG = -1;
/** "Before everything", for a threshold no entry meets. */
export const NOTHING_SEEN = -2;

/**
 * The feed time of each log index (see feed-time.ts): the entry's millisecond and its rank among
 * the entries stamped in that millisecond. Index −1 has the time of entry 0 (the start of the log),
 * and none while the log is empty.
 */
export async function leafTimes(db: Queryable, leaves: Iterable<number>): Promise<Map<number, FeedTime>> {
  const wanted = [...new Set([...leaves].map((l) => (l === BEFORE_LOG ? 0 : l)))];
  const found = wanted.length === 0 ? [] : await rows(
    db,
    `SELECT e.idx::float8 AS idx, floor(extract(epoch FROM e.created_at) * 1000)::float8 AS ms,
            (e.idx - (SELECT min(e2.idx) FROM tlog_entries e2 WHERE e2.created_at = e.created_at))::float8 AS rank
     FROM tlog_entries e WHERE e.idx = ANY($1::bigint[])`,
    [wanted],
  );
  const times = new Map(found.map((r) => [Number(r['idx']), feedTime(Number(r['ms']), Number(r['rank']))]));
  const start = times.get(0);
  if (start !== undefined) times.set(BEFORE_LOG, start);
  return times;
}

/**
 * The last log index whose feed time is at or before `t` (NOTHING_SEEN when none is): what a
 * TAXII `added_after` of `t` has already seen. Entries are stamped in index order, so those of
 * one millisecond are consecutive and `t`'s microseconds say how many of them it covers.
 */
export async function lastLeafAtOrBefore(db: Queryable, t: FeedTime): Promise<number> {
  const at = new Date(t.ms);
  const [same] = await rows(db, `SELECT min(idx)::float8 AS first, max(idx)::float8 AS last FROM tlog_entries WHERE created_at = $1`, [at]);
  if (same !== undefined && same['first'] !== null) return Math.min(Number(same['first']) + t.micros, Number(same['last']));
  const [before] = await rows(db, `SELECT idx::float8 AS idx FROM tlog_entries WHERE created_at < $1 ORDER BY created_at DESC, idx DESC LIMIT 1`, [at]);
  return before === undefined ? NOTHING_SEEN : Number(before['idx']);
}

/** The time of the log's first entry; undefined while the log is empty. */
export async function logStart(db: Queryable): Promise<FeedTime | undefined> {
  return (await leafTimes(db, [BEFORE_LOG])).get(BEFORE_LOG);
}
