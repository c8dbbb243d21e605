/*
 * Internal to src/indicators: strict RFC 3339 timestamps (section 5.6).
 *
 * Stricter than the RFC on purpose, since these strings are signed and compared
 * by other parties: upper-case `T` and `Z` only, 1–9 fraction digits, no leap
 * second (`:60`, which Date cannot hold), years 1970–9999, and a real calendar
 * date (Date.parse would roll 2024-02-30 over to March).
 */

const RFC3339 =
  /^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})T(?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?<frac>\.\d{1,9})?(?:Z|(?<sign>[+-])(?<oh>\d{2}):(?<om>\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

/** Milliseconds since the epoch, or undefined when `value` is not a timestamp we accept. */
export function parseRfc3339(value: string): number | undefined {
  const g = RFC3339.exec(value)?.groups;
  if (g === undefined) return undefined;
  const [y, mo, d, h, mi, s] = [g.y, g.mo, g.d, g.h, g.mi, g.s].map(Number) as [number, number, number, number, number, number];
  const [oh, om] = [Number(g.oh ?? 0), Number(g.om ?? 0)];
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
  const millis = Math.floor(Number(`0${g.frac ?? ''}`) * 1000);
  const offset = (g.sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return Date.UTC(y, mo - 1, d, h, mi, s, millis) - offset;
}
