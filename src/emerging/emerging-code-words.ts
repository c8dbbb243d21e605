/**
 * Emerging code words (issue 24, the hub's part): KEYWORD indicators that at least `minMembers`
 * members first published within the last `window` weeks. Pure: the clock and the receipts come
 * in as parameters, so the rule is tested exactly (src/emerging/emerging-code-words.test.ts).
 *
 * A member's first-seen of a keyword is the hub's receipt time of the earliest batch in which the
 * member published it, never the `created_at` or observation time the signer claims: a member
 * cannot back-date or pre-date its way into or out of the window.
 */

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
export const MAX_WINDOW_WEEKS = 52;
export const MAX_MIN_MEMBERS = 100;
export const MAX_EMERGING_CODE_WORDS = 100;

/** One sighting of a keyword as the hub received it. */
export interface KeywordReceipt {
  readonly indicatorId: string;
  readonly member: string;
  /** The hub's receipt time of the batch that carried the sighting. */
  readonly receivedAt: Date;
}

export interface EmergingQuery {
  /** The request's clock. */
  readonly now: Date;
  /** Weeks back from `now`, 1–52. */
  readonly window: number;
  /** Members that must have first published the keyword within the window, 1–100. */
  readonly minMembers: number;
  /** At most this many, 1–100. */
  readonly first: number;
}

/** One week of the window, oldest first; [start, start + 7 days). */
export interface EmergingWeek {
  readonly start: Date;
  /** Sightings of the keyword the hub received in the week. */
  readonly sightings: number;
  /** Members whose first-seen of the keyword falls in the week. */
  readonly newMembers: number;
}

export interface EmergingCodeWord {
  readonly indicatorId: string;
  /** The earliest receipt of the keyword from any member (may be before the window). */
  readonly firstSeen: Date;
  /** Members that first published it within the window. */
  readonly members: number;
  /** The window week by week, oldest first: `window` entries. */
  readonly weeks: readonly EmergingWeek[];
}

export type EmergingQueryProblem = { field: 'window' | 'minMembers' | 'first'; message: string };

/** What is wrong with a query, or null; the caller turns it into its own typed error. */
export function emergingQueryProblem(q: Pick<EmergingQuery, 'window' | 'minMembers' | 'first'>): EmergingQueryProblem | null {
  if (!Number.isInteger(q.window) || q.window < 1 || q.window > MAX_WINDOW_WEEKS) return { field: 'window', message: `window is a number of weeks between 1 and ${MAX_WINDOW_WEEKS}` };
  if (!Number.isInteger(q.minMembers) || q.minMembers < 1 || q.minMembers > MAX_MIN_MEMBERS) return { field: 'minMembers', message: `minMembers must be between 1 and ${MAX_MIN_MEMBERS}` };
  if (!Number.isInteger(q.first) || q.first < 1 || q.first > MAX_EMERGING_CODE_WORDS) return { field: 'first', message: `first must be between 1 and ${MAX_EMERGING_CODE_WORDS}` };
  return null;
}

/** The window's first instant. */
export function windowStart(q: Pick<EmergingQuery, 'now' | 'window'>): Date {
  return new Date(q.now.getTime() - q.window * WEEK_MS);
}

/**
 * The emerging code words among `receipts`, most members first, then most sightings in the
 * window, then the most recent first-seen (the newest word), then by id. Receipts at or after
 * `now` are ignored. Only the earliest receipt before the window matters for each member and
 * keyword, so a store may hand over just that one (see emerging-store.ts).
 */
export function emergingCodeWords(receipts: Iterable<KeywordReceipt>, q: EmergingQuery): EmergingCodeWord[] {
  const problem = emergingQueryProblem(q);
  if (problem !== null) throw new RangeError(problem.message);
  const now = q.now.getTime();
  const start = windowStart(q).getTime();
  const byKeyword = new Map<string, { firstSeen: number; memberFirst: Map<string, number>; weekly: number[] }>();
  for (const r of receipts) {
    const at = r.receivedAt.getTime();
    if (!(at < now)) continue;
    let k = byKeyword.get(r.indicatorId);
    if (k === undefined) byKeyword.set(r.indicatorId, (k = { firstSeen: at, memberFirst: new Map(), weekly: new Array<number>(q.window).fill(0) }));
    k.firstSeen = Math.min(k.firstSeen, at);
    k.memberFirst.set(r.member, Math.min(k.memberFirst.get(r.member) ?? at, at));
    if (at >= start) k.weekly[Math.floor((at - start) / WEEK_MS)]! += 1;
  }
  const out: Array<EmergingCodeWord & { inWindow: number }> = [];
  for (const [indicatorId, k] of byKeyword) {
    const newMembers = new Array<number>(q.window).fill(0);
    for (const first of k.memberFirst.values()) if (first >= start) newMembers[Math.floor((first - start) / WEEK_MS)]! += 1;
    const members = newMembers.reduce((a, b) => a + b, 0);
    if (members < q.minMembers) continue;
    const weeks = k.weekly.map((sightings, i) => ({ start: new Date(start + i * WEEK_MS), sightings, newMembers: newMembers[i]! }));
    out.push({ indicatorId, firstSeen: new Date(k.firstSeen), members, weeks, inWindow: k.weekly.reduce((a, b) => a + b, 0) });
  }
  out.sort((a, b) => b.members - a.members || b.inWindow - a.inWindow || b.firstSeen.getTime() - a.firstSeen.getTime() || (a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0));
  return out.slice(0, q.first).map(({ inWindow: _, ...word }) => word);
}
