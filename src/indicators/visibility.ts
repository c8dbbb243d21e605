import { COMMODITIES, INDICATOR_TYPES, TLPS, type Commodity, type IndicatorType, type Tlp } from './vocabulary.js';

/**
 * What one reader may see of the store, applied inside every query (never after loading), so that
 * an invisible sighting is never read and never counts in a total. An indicator is visible when
 * at least one of its sightings is.
 */
export interface Visibility {
  /** Sightings at these TLP labels (an agency token's `tlp` and every label below it). */
  readonly tlps: readonly Tlp[];
  /** Only sightings of these commodities; null for all. */
  readonly commodities: readonly Commodity[] | null;
  /** Indicator types; SELLER only for readers entitled to pseudonymous seller data. */
  readonly types: readonly IndicatorType[];
  /** A member reading: its own sightings are visible whatever their TLP. */
  readonly ownMember: string | null;
  /** Expiry is judged against this instant (the request's clock). */
  readonly now: Date;
}

/** Sightings hidden by default that a filter may ask for. */
export interface HiddenSightings {
  readonly includeRetracted?: boolean | null | undefined;
  readonly includeExpired?: boolean | null | undefined;
}

/** Everything, for the hub's own work (indexes, ingest); never for a reader. */
export function unrestricted(now: Date): Visibility {
  return { tlps: TLPS, commodities: null, types: INDICATOR_TYPES, ownMember: null, now };
}

/** Collects positional parameters; every value goes into SQL as a parameter, never as text. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }
  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The conditions that make sighting `alias` visible. */
export function visibleSightingSql(vis: Visibility, params: SqlParams, hidden: HiddenSightings = {}, alias = 's'): string[] {
  const conditions: string[] = [];
  if (vis.tlps.length < TLPS.length) {
    const tlp = `${alias}.tlp = ANY(${params.add([...vis.tlps])}::text[])`;
    conditions.push(vis.ownMember === null ? tlp : `(${tlp} OR ${alias}.member = ${params.add(vis.ownMember)})`);
  }
  if (vis.commodities !== null && vis.commodities.length < COMMODITIES.length) conditions.push(`${alias}.commodity = ANY(${params.add([...vis.commodities])}::text[])`);
  if (!hidden.includeRetracted) conditions.push(`${alias}.retracted_at IS NULL`);
  if (!hidden.includeExpired) conditions.push(`(${alias}.expires_at IS NULL OR ${alias}.expires_at > ${params.add(vis.now)})`);
  return conditions;
}

/** The condition on indicator `alias`'s type. */
export function visibleTypeSql(vis: Visibility, params: SqlParams, alias = 'i'): string[] {
  return vis.types.length < INDICATOR_TYPES.length ? [`${alias}.type = ANY(${params.add([...vis.types])}::text[])`] : [];
}
