/**
 * Flood quarantine's rule (issue 21): per-indicator hit rates over a sliding window, and when an
 * indicator's rate means it is matching ordinary listings. Pure: the clock comes in as `now`
 * (ms since the epoch); the hub keeps one tracker over its matchText calls, each node one over its
 * /v1/scan calls.
 *
 * A real code word appears in a small share of a platform's listings (the demo's busiest, under
 * 5 %); an indicator hitting a fifth of everything scanned is hitting ordinary listings, and one
 * that members already dispute (CONFIRMED and FALSE_POSITIVE opinions both) is held back at a
 * quarter of that. Below `minScans` in the window nothing is decided: a share of a handful of
 * listings says nothing.
 */

export interface FloodPolicy {
  /** The window rates are measured over. */
  readonly windowMs: number;
  /** The window slides in steps of windowMs / buckets. */
  readonly buckets: number;
  /** Fewer scans than this in the window decide nothing. */
  readonly minScans: number;
  /** A share of scans above this quarantines. */
  readonly maxShare: number;
  /** … and above this when the federation's verdict on the indicator is DISPUTED. */
  readonly disputedShare: number;
}

export const DEFAULT_FLOOD_POLICY: FloodPolicy = Object.freeze({ windowMs: 10 * 60_000, buckets: 10, minScans: 50, maxShare: 0.2, disputedShare: 0.05 });

export interface HitRate {
  readonly hits: number;
  readonly scans: number;
  /** hits / scans; 0 with no scans. */
  readonly share: number;
}

export type FloodVerdict = { readonly quarantine: false } | { readonly quarantine: true; readonly reason: 'FLOOD' | 'DISPUTED_FLOOD' };

/** Whether a rate quarantines its indicator under `policy`. */
export function floodVerdict(rate: HitRate, policy: FloodPolicy, disputed: boolean): FloodVerdict {
  if (rate.scans < policy.minScans) return { quarantine: false };
  if (rate.share > policy.maxShare) return { quarantine: true, reason: 'FLOOD' };
  if (disputed && rate.share > policy.disputedShare) return { quarantine: true, reason: 'DISPUTED_FLOOD' };
  return { quarantine: false };
}

interface Bucket {
  scans: number;
  readonly hits: Map<string, number>;
  /** Listings counted in this bucket (their keys). */
  readonly listings: Set<string>;
}

/** Scans and the indicators each hit, counted per time bucket; buckets older than the window are dropped as time passes. */
export class HitRates {
  private readonly buckets = new Map<number, Bucket>();
  private readonly bucketMs: number;

  constructor(private readonly policy: FloodPolicy = DEFAULT_FLOOD_POLICY) {
    this.bucketMs = Math.max(1, Math.floor(policy.windowMs / policy.buckets));
  }

  /**
   * One scan at `now` that hit `ids` (each counted once). A listing scanned again within the
   * window (the same `listing` key, e.g. a hash of its text) is not counted again: an analyst
   * re-running one text must not make its code words look like a flood.
   * @returns false when the listing was counted already
   */
  record(now: number, ids: Iterable<string>, listing?: string): boolean {
    const key = Math.floor(now / this.bucketMs);
    if (listing !== undefined && this.seen(listing, key)) return false;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.prune(key);
      this.buckets.set(key, (bucket = { scans: 0, hits: new Map(), listings: new Set() }));
    }
    bucket.scans++;
    if (listing !== undefined) bucket.listings.add(listing);
    for (const id of new Set(ids)) bucket.hits.set(id, (bucket.hits.get(id) ?? 0) + 1);
    return true;
  }

  private seen(listing: string, newest: number): boolean {
    for (const [key, b] of this.buckets) if (key > newest - this.policy.buckets && key <= newest && b.listings.has(listing)) return true;
    return false;
  }

  /** `id`'s hits and the scans in the window ending at `now`. */
  rate(id: string, now: number): HitRate {
    let hits = 0;
    let scans = 0;
    const newest = Math.floor(now / this.bucketMs);
    for (const [key, b] of this.buckets) {
      if (key <= newest - this.policy.buckets || key > newest) continue;
      scans += b.scans;
      hits += b.hits.get(id) ?? 0;
    }
    return { hits, scans, share: scans === 0 ? 0 : hits / scans };
  }

  private prune(newest: number): void {
    for (const key of this.buckets.keys()) if (key <= newest - this.policy.buckets) this.buckets.delete(key);
  }
}
