/**
 * What the outcomes tell (issue #22), computed from rows a reader may see: pure, no I/O, no clock.
 * - per indicator: hits that led to a removal against hits judged no violation (its precision);
 * - per member: the median time from the federation's first sighting of an indicator (any member's)
 *   to that member's removal of it;
 * - the cross-platform lag: indicators removed at one member and still sighted, live, at another
 *   that has recorded no outcome about them (the "acted on elsewhere" signal for that member);
 * - removals per commodity and week (weeks start on Monday, UTC).
 */
import { precisionVerdict, type PrecisionVerdict } from '../guards/index.js';
import type { Commodity, IndicatorType } from '../indicators/index.js';
import type { OutcomeAction } from '../provenance/index.js';

export interface OutcomeRow {
  readonly member: string;
  readonly indicatorId: string;
  readonly type: IndicatorType;
  readonly action: OutcomeAction;
  readonly actedAt: Date;
  readonly commodities: readonly Commodity[];
}

export interface SightingRow {
  readonly member: string;
  readonly indicatorId: string;
  readonly observedAt: Date;
  /** Neither retracted nor expired. */
  readonly live: boolean;
}

export interface IndicatorPrecision {
  readonly indicatorId: string;
  readonly type: IndicatorType;
  readonly removals: number;
  readonly noViolation: number;
  /** removals / (removals + noViolation); null when neither was recorded. */
  readonly precision: number | null;
  /** What the over-match guards make of it (src/guards/precision.ts): UNJUDGED, OK, FLAG or HOLD. */
  readonly guard: PrecisionVerdict;
}

export interface MemberTakedown {
  readonly member: string;
  readonly removals: number;
  /** Median seconds from the first federation sighting to the removal; null without a sighting before it. */
  readonly medianSecondsToRemoval: number | null;
}

export interface CrossPlatformLag {
  readonly indicatorId: string;
  readonly actedOnBy: string[];
  readonly stillSightedBy: string[];
}

export interface WeeklyRemovals {
  readonly week: Date;
  readonly commodity: Commodity;
  readonly removals: number;
}

/** A listing sighting (its pseudonym, `lp1.…`) of an indicator by a member: what outcomes are grouped by per listing. */
export interface ListingRow {
  readonly member: string;
  readonly indicatorId: string;
  readonly listing: string;
}

/** What a member did about the indicators it sighted in one listing (by its pseudonym, never its URL). */
export interface ListingOutcomes {
  readonly listing: string;
  readonly member: string;
  readonly removals: number;
  readonly noViolation: number;
  /** Outcomes WARNED or ESCALATED. */
  readonly other: number;
}

export interface OutcomeFigures {
  readonly indicators: IndicatorPrecision[];
  /** Per listing pseudonym: the outcomes of its member about the indicators sighted in it, most first. */
  readonly listings: ListingOutcomes[];
  readonly members: MemberTakedown[];
  readonly lag: CrossPlatformLag[];
  readonly removalsByWeek: WeeklyRemovals[];
}

/** A takedown: the listing or the account is gone. */
export const REMOVAL_ACTIONS: ReadonlySet<OutcomeAction> = new Set(['REMOVED', 'ACCOUNT_SUSPENDED']);
const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05 was a Monday. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

export function outcomeFigures(outcomes: readonly OutcomeRow[], sightings: readonly SightingRow[], listings: readonly ListingRow[] = []): OutcomeFigures {
  return { indicators: precisionByIndicator(outcomes), listings: outcomesByListing(outcomes, listings), members: takedownByMember(outcomes, sightings), lag: crossPlatformLag(outcomes, sightings), removalsByWeek: removalsByWeek(outcomes) };
}

function precisionByIndicator(outcomes: readonly OutcomeRow[]): IndicatorPrecision[] {
  const by = new Map<string, { type: IndicatorType; removals: number; noViolation: number }>();
  for (const o of outcomes) {
    const entry = by.get(o.indicatorId) ?? { type: o.type, removals: 0, noViolation: 0 };
    if (REMOVAL_ACTIONS.has(o.action)) entry.removals += 1;
    if (o.action === 'NO_VIOLATION') entry.noViolation += 1;
    by.set(o.indicatorId, entry);
  }
  return [...by]
    .map(([indicatorId, e]) => ({ indicatorId, ...e, precision: e.removals + e.noViolation === 0 ? null : e.removals / (e.removals + e.noViolation), guard: precisionVerdict(e) }))
    .sort((a, b) => b.removals + b.noViolation - (a.removals + a.noViolation) || (a.indicatorId < b.indicatorId ? -1 : 1));
}

/** An outcome counts toward every listing its own member sighted the indicator in (the member acted on what it saw there). */
function outcomesByListing(outcomes: readonly OutcomeRow[], listings: readonly ListingRow[]): ListingOutcomes[] {
  const listingsOf = new Map<string, Set<string>>();
  for (const l of listings) listingsOf.set(`${l.member} ${l.indicatorId}`, (listingsOf.get(`${l.member} ${l.indicatorId}`) ?? new Set()).add(l.listing));
  const by = new Map<string, { listing: string; member: string; removals: number; noViolation: number; other: number }>();
  for (const o of outcomes) {
    for (const listing of listingsOf.get(`${o.member} ${o.indicatorId}`) ?? []) {
      const entry = by.get(`${o.member} ${listing}`) ?? { listing, member: o.member, removals: 0, noViolation: 0, other: 0 };
      if (REMOVAL_ACTIONS.has(o.action)) entry.removals += 1;
      else if (o.action === 'NO_VIOLATION') entry.noViolation += 1;
      else entry.other += 1;
      by.set(`${o.member} ${listing}`, entry);
    }
  }
  const total = (e: ListingOutcomes) => e.removals + e.noViolation + e.other;
  return [...by.values()].sort((a, b) => total(b) - total(a) || (a.listing < b.listing ? -1 : a.listing > b.listing ? 1 : 0));
}

function takedownByMember(outcomes: readonly OutcomeRow[], sightings: readonly SightingRow[]): MemberTakedown[] {
  const firstSeen = new Map<string, number>();
  for (const s of sightings) firstSeen.set(s.indicatorId, Math.min(firstSeen.get(s.indicatorId) ?? Infinity, s.observedAt.getTime()));
  const by = new Map<string, { removals: number; seconds: number[] }>();
  for (const o of outcomes.filter((x) => REMOVAL_ACTIONS.has(x.action))) {
    const entry = by.get(o.member) ?? { removals: 0, seconds: [] };
    entry.removals += 1;
    const first = firstSeen.get(o.indicatorId);
    if (first !== undefined && first <= o.actedAt.getTime()) entry.seconds.push((o.actedAt.getTime() - first) / 1000);
    by.set(o.member, entry);
  }
  return [...by].map(([member, e]) => ({ member, removals: e.removals, medianSecondsToRemoval: median(e.seconds) })).sort((a, b) => (a.member < b.member ? -1 : 1));
}

function crossPlatformLag(outcomes: readonly OutcomeRow[], sightings: readonly SightingRow[]): CrossPlatformLag[] {
  const actedBy = groupMembers(outcomes);
  const removedBy = groupMembers(outcomes.filter((o) => REMOVAL_ACTIONS.has(o.action)));
  const liveAt = groupMembers(sightings.filter((s) => s.live));
  return [...removedBy]
    .flatMap(([indicatorId, removers]) => {
      const still = [...(liveAt.get(indicatorId) ?? [])].filter((m) => !actedBy.get(indicatorId)!.has(m)).sort();
      return still.length === 0 ? [] : [{ indicatorId, actedOnBy: [...removers].sort(), stillSightedBy: still }];
    })
    .sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1));
}

function removalsByWeek(outcomes: readonly OutcomeRow[]): WeeklyRemovals[] {
  const counts = new Map<string, number>();
  for (const o of outcomes.filter((x) => REMOVAL_ACTIONS.has(x.action))) {
    const week = weekStart(o.actedAt).toISOString();
    for (const c of o.commodities) counts.set(`${week} ${c}`, (counts.get(`${week} ${c}`) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, removals]) => {
      const [week, commodity] = key.split(' ') as [string, Commodity];
      return { week: new Date(week), commodity, removals };
    });
}

/** The Monday 00:00 UTC that starts the week of `at`. */
export function weekStart(at: Date): Date {
  const since = at.getTime() - FIRST_MONDAY_MS;
  return new Date(since - (((since % WEEK_MS) + WEEK_MS) % WEEK_MS) + FIRST_MONDAY_MS);
}

function groupMembers(rows: ReadonlyArray<{ indicatorId: string; member: string }>): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  for (const r of rows) by.set(r.indicatorId, (by.get(r.indicatorId) ?? new Set()).add(r.member));
  return by;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
