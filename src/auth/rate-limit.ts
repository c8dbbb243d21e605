/**
 * Per-key rate limits (a key is an agency token's jti, or `member:<slug>`): `perMinute` requests a
 * minute on average, up to `burst` at once, for the whole hub. The decision is asynchronous so
 * that a limiter may consult state shared by every hub process (shared-rate-limit.ts); the
 * token buckets below are its pure, in-memory core, and the whole limiter of a hub that is a
 * single process (the embedded database).
 */
export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds until one request is allowed again. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string, nowMs: number): Promise<RateDecision>;
}

export interface RateLimits {
  readonly perMinute: number;
  readonly burst: number;
  /** Keys remembered at once; the oldest are forgotten first (and start full again). */
  readonly maxKeys?: number;
}

/** Whole seconds until a bucket holding `tokens` (< 1) has one, at `ratePerMs`. */
export function retryAfterSeconds(tokens: number, ratePerMs: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000));
}

/** A token bucket per key, in this process's memory. Pure: the caller passes the time. */
export function createTokenBuckets(options: RateLimits) {
  const ratePerMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    take(key: string, nowMs: number): RateDecision {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        // Bounded memory: forget the oldest buckets (Map keeps insertion order); a forgotten key starts full.
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        bucket = { tokens: options.burst, at: nowMs };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(options.burst, bucket.tokens + Math.max(0, nowMs - bucket.at) * ratePerMs);
      bucket.at = nowMs;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0 };
      }
      return { allowed: false, retryAfterSeconds: retryAfterSeconds(bucket.tokens, ratePerMs) };
    },
  };
}

/** The limiter of a hub that is one process: its buckets are the whole hub's. */
export function createRateLimiter(options: RateLimits): RateLimiter {
  const buckets = createTokenBuckets(options);
  return { take: async (key, nowMs) => buckets.take(key, nowMs) };
}

/**
 * Keys of the export class (the machine feeds) in a store shared with the interactive class (the
 * `rate_limit_buckets` rows on Postgres): the same token's two buckets must never be one row.
 */
export const EXPORT_RATE_KEY_PREFIX = 'export:';

/** A limiter whose keys are `prefix` + the caller's key. */
export function withKeyPrefix(prefix: string, limiter: RateLimiter): RateLimiter {
  return { take: (key, nowMs) => limiter.take(`${prefix}${key}`, nowMs) };
}
