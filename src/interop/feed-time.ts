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

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 date-time (any fraction or none, `Z` or a numeric offset such as `+00:00`, as
 * TAXII's `added_after` allows and as clients send it) to a FeedTime in UTC, digits past the
 * microsecond dropped; undefined for anything else, including impossible dates and offsets.
 */
export function parseFeedTime(text: string): FeedTime | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, oh = '0', om = '0'] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const back = new Date(local);
  const same = [back.getUTCFullYear(), back.getUTCMonth() + 1, back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds()].every((v, i) => v === fields[i]);
  if (Number.isNaN(local) || !same || Number(oh) > 23 || Number(om) > 59) return undefined;
  const offset = zulu !== undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  const ms = local - offset;
  if (ms < 0) return undefined;
  const digits = fraction.padEnd(6, '0');
  return { ms: ms + Number(digits.slice(0, 3)), micros: Number(digits.slice(3, 6)) };
}

/** Collections a version time tells apart (TLP labels × commodities). */
export const VERSION_SLOTS = 50;

/**
 * The STIX `modified` of a version made at log time `t` in collection `slot` (0–49): the same
 * millisecond, its microseconds `rank × 50 + slot`. An object changed by one log entry in two
 * collections has a version in each, and the two differ in content (each is built from its
 * collection's sightings and carries its marking), so they must not share (id, modified). Within
 * one collection versions still follow the log: a later entry has a later rank or millisecond.
 * Exact while fewer than 20 entries share a millisecond (each append signs a checkpoint).
 */
export function versionTime(t: FeedTime, slot: number): FeedTime {
  return { ms: t.ms, micros: Math.min(t.micros * VERSION_SLOTS + slot, MAX_RANK) };
}
