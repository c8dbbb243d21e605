/**
 * Time on the machine feeds. Every change a feed carries happened at a transparency-log entry, so
 * its time is that entry's: the millisecond the log stamped (entries are stamped under the log's
 * lock, so they never go back in time while the clock does not) plus, as microseconds, the
 * entry's rank among the entries stamped in the same millisecond. Two entries therefore never
 * share a timestamp, and a TAXII client resuming with `added_after` set to the
 * `X-TAXII-Date-Added-Last` it received sees each later entry exactly once.
 */
export interface FeedTime {
  /** Milliseconds since the epoch. */
  readonly ms: number;
  /** 0–999: the microseconds after `ms`. */
  readonly micros: number;
}

/** At most this many entries in one millisecond are told apart (the log signs a checkpoint per append). */
export const MAX_RANK = 999;

export function feedTime(ms: number, rank = 0): FeedTime {
  return { ms, micros: Math.min(Math.max(rank, 0), MAX_RANK) };
}

/** RFC 3339 in UTC with microseconds, as TAXII 2.1 asks: `2026-11-28T09:30:00.123004Z`. */
export function formatFeedTime(t: FeedTime): string {
  return `${new Date(t.ms).toISOString().slice(0, -1)}${String(t.micros).padStart(3, '0')}Z`;
}

export function compareFeedTime(a: FeedTime, b: FeedTime): number {
  return a.ms - b.ms || a.micros - b.micros;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * A TAXII/STIX timestamp (`YYYY-MM-DDTHH:mm:ss[.s+]Z`, UTC only) to a FeedTime, digits past the
 * microsecond dropped; undefined for anything else, including impossible dates.
 */
export function parseFeedTime(text: string): FeedTime | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  const same = [back.getUTCFullYear(), back.getUTCMonth() + 1, back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds()].every((v, i) => v === Number([y, mo, d, h, mi, s][i]));
  if (Number.isNaN(ms) || !same || Number(y) < 1970) return undefined;
  const digits = fraction.padEnd(6, '0');
  return { ms: ms + Number(digits.slice(0, 3)), micros: Number(digits.slice(3, 6)) };
}
