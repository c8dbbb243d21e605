/**
 * A token bucket per key (an agency token's jti): `perMinute` requests a minute on average, up
 * to `burst` at once. Pure: the caller passes the time. State is per process; behind several hub
 * processes each enforces its own share (see docs/scaling.md).
 */
export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds until one request is allowed again. */
  retryAfterSeconds: number;
}

export function createRateLimiter(options: { perMinute: number; burst: number; maxKeys?: number }) {
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
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
