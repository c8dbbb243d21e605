/**
 * TAXII `date_added`, one per object, so that a client resuming with `added_after` set to any
 * page's X-TAXII-Date-Added-Last loses nothing, even when the page ended inside a log entry.
 *
 * An object sits at the log index of its latest change (collection-window.ts). Its date_added is
 * that entry's feed time plus, in microseconds, its ordinal among every item that entry changed in
 * the collection, in position order: the fixed objects first at the first entry. That set never
 * changes once the entry is logged (an item changed again later still counts where it was), so
 * the ordinal, and the date_added, is the same on every request.
 *
 * A large entry's objects run past its millisecond, and may pass the time of the next entries.
 * `added_after` is therefore read as the earliest position whose object was added after it: a
 * client never misses an object, and only re-reads some in that rare overlap.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { readWindow, kindsWithContent, comparePositions, ORD, type ItemKind, type Position } from './collection-window.js';
import { rows } from './feed-sql.js';
import { compareFeedTime, type FeedTime } from './feed-time.js';
import { BEFORE_LOG, lastLeafAtOrBefore, leafTimes, NOTHING_SEEN } from './log-times.js';

/** The most objects one log entry adds to a collection, as microseconds: how far back `added_after` looks. */
export const MAX_ENTRY_SPAN_MS = 50;

const ALL_KINDS: readonly ItemKind[] = ['identity', 'indicator', 'sighting', 'opinion'];

/** `t` plus `n` microseconds. */
export function addMicros(t: FeedTime, n: number): FeedTime {
  const total = t.micros + n;
  return { ms: t.ms + Math.floor(total / 1000), micros: total % 1000 };
}

/** The entry an item counts under: the fixed objects belong to the first entry. */
const entryOf = (p: Position): number => (p.leaf === BEFORE_LOG ? 0 : p.leaf);

/**
 * Every item the entries in [first, last] changed in the collection, in position order, grouped
 * by entry (the `staticCount` fixed objects at the head of entry 0).
 */
async function touchedByEntry(db: Queryable, vis: Visibility, first: number, last: number, staticCount: number): Promise<Map<number, Position[]>> {
  const found = await readWindow(db, { vis, lo: first - 1, hi: last, after: { leaf: first - 1, ord: ORD.afterLeaf, key: 0 }, limit: Number.MAX_SAFE_INTEGER, kinds: await kindsWithContent(db, new Set(ALL_KINDS)), touched: true });
  const byEntry = new Map<number, Position[]>();
  if (first <= 0) byEntry.set(0, Array.from({ length: staticCount }, (_, key) => ({ leaf: BEFORE_LOG, ord: ORD.static, key })));
  for (const item of found) {
    const list = byEntry.get(item.position.leaf) ?? [];
    list.push(item.position);
    byEntry.set(item.position.leaf, list);
  }
  return byEntry;
}

/** What the entries of `positions` changed in the collection (`vis` narrowed to it): what datesFrom numbers. */
export async function touchedAt(db: Queryable, vis: Visibility, positions: readonly Position[], staticCount: number): Promise<ReadonlyMap<number, Position[]>> {
  if (positions.length === 0) return new Map();
  const entries = positions.map(entryOf);
  return touchedByEntry(db, vis, Math.min(...entries), Math.max(...entries), staticCount);
}

/** The date_added of each position, in the order given, from what their entries changed (touchedAt) and the entries' times. */
export function datesFrom(touched: ReadonlyMap<number, Position[]>, positions: readonly Position[], times: ReadonlyMap<number, FeedTime>): FeedTime[] {
  return positions.map((p) => {
    const ordinal = (touched.get(entryOf(p)) ?? []).findIndex((t) => comparePositions(t, p) === 0);
    const base = times.get(entryOf(p));
    if (ordinal < 0 || base === undefined) throw new Error(`internal: position ${JSON.stringify(p)} is not among what its entry changed`);
    return addMicros(base, ordinal);
  });
}

/**
 * Where a walk resumes for `added_after` = `t`: just before the earliest position whose date_added
 * is after `t` (among the entries that may reach past `t`), else after every entry stamped at or
 * before it.
 */
export async function resumeAfter(db: Queryable, vis: Visibility, t: FeedTime, staticCount: number): Promise<Position> {
  const last = await lastLeafAtOrBefore(db, t);
  if (last === NOTHING_SEEN) return { leaf: NOTHING_SEEN, ord: ORD.afterLeaf, key: 0 };
  const [from] = await rows(db, `SELECT coalesce(min(idx), $2)::float8 AS idx FROM tlog_entries WHERE created_at >= $1 AND idx <= $2`, [new Date(t.ms - MAX_ENTRY_SPAN_MS), last]);
  const first = Number(from?.['idx'] ?? last);
  const touched = await touchedByEntry(db, vis, first, last, staticCount);
  const times = await leafTimes(db, [...touched.keys()]);
  for (const [entry, positions] of [...touched].sort(([a], [b]) => a - b)) {
    const at = positions.findIndex((_, ordinal) => compareFeedTime(addMicros(times.get(entry)!, ordinal), t) > 0);
    if (at >= 0) {
      const p = positions[at]!;
      return { ...p, key: p.key - 1 };
    }
  }
  return { leaf: last, ord: ORD.afterLeaf, key: 0 };
}
