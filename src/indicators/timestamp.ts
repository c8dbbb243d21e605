/*
 * Internal to src/indicators: strict RFC 3339 timestamps (section 5.6).
 *
 * Stricter than the RFC on purpose, since these strings are signed and compared
 * by other parties: upper-case `T` and `Z` only, 1–9 fraction digits, no leap
 * second (`:60`, which Date cannot hold), years 1970–9999, and a real calendar
 * date (Date.parse would roll 2024-02-30 over to March).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Days in each month of a common year; February gains one in leap years. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

/**
 * Milliseconds since the epoch, or undefined when `value` is not a timestamp we accept.
 * Runs for every timestamp of every indicator the hub ingests, hence positional groups and no
 * intermediate arrays or Dates.
 */
export function parseRfc3339(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  const oh = m[9] === undefined ? 0 : Number(m[9]);
  const om = m[10] === undefined ? 0 : Number(m[10]);
  const valid =
    inRange(y, 1970, 9999) &&
    inRange(mo, 1, 12) &&
    inRange(d, 1, daysInMonth(y, mo)) &&
    inRange(h, 0, 23) &&
    inRange(mi, 0, 59) &&
    inRange(s, 0, 59) &&
    inRange(oh, 0, 23) &&
    inRange(om, 0, 59);
  if (!valid) return undefined;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const offset = (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return Date.UTC(y, mo - 1, d, h, mi, s, millis) - offset;
}
