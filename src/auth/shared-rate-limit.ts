import type { DataSource } from 'typeorm';
import type { Logger } from '../kernel/index.js';
import { createTokenBuckets, type RateDecision, type RateLimiter, type RateLimits } from './rate-limit.js';

type Queryable = Pick<DataSource, 'query'>;

/**
 * The per-key limit held across every hub process on one Postgres database, without a write on
 * each request: the hub-wide token bucket of a key is one row of `rate_limit_buckets`, and each
 * process leases tokens from it a few at a time and spends them from memory.
 *
 * - A request spends a leased token if the process holds one: no database round trip.
 * - When the process's holding falls under half a lease, it tops up in the background (one
 *   atomic UPSERT that refills the row to now and takes up to a lease), so a steady client
 *   rarely waits; a request finding none waits for that lease.
 * - A lease that comes back empty tells when the row will hold a token again; until then the
 *   process refuses that key from memory, so a client hammering past its limit costs at most
 *   one lease per process per token interval, not a query per request.
 *
 * Error bound: every admitted request spent a token the row handed out, and the row hands out
 * at most `burst + rate·t` in any t since the key was first seen, so over that span the limit is
 * exact. Over a window starting later, tokens leased before it and spent inside it can add up to
 * one lease per process: admitted ≤ burst + rate·Δ + N·lease. In the other direction, tokens held
 * by a process the client no longer calls are not spent elsewhere (under-admission ≤ N·lease).
 * The lease defaults to a tenth of a second's worth of the rate, at most a quarter of the burst,
 * at least 1. The table is UNLOGGED: no WAL, so no fsync on the lease path (and nothing on a
 * replica); a crash empties it, which only lets each key start full again.
 *
 * Should the database fail to answer, the process falls back to its own buckets (the limit then
 * holds per process, N times the hub's) and logs it; the next lease tries the database again.
 */
export interface SharedRateLimiter extends RateLimiter {
  /** Leases issued and decisions made here since start (the cost in database writes). */
  stats(): { readonly decisions: number; readonly leases: number; readonly fallbacks: number };
}

export interface SharedRateLimitOptions extends RateLimits {
  readonly db: Queryable;
  readonly logger: Logger;
  /** Tokens taken per lease (default: 100 ms of the rate, at most burst / 4, at least 1). */
  readonly leaseSize?: number;
}

interface Holding {
  tokens: number;
  /** Requests waiting for a lease: a lease takes enough for all of them. */
  waiting: number;
  /** While a lease is under way. */
  leasing: Promise<void> | undefined;
  /** The row was empty: refuse from memory until it holds a token again (ms). */
  emptyUntil: number;
}

/** Refill the row to `now`, then take min(want, ⌊available⌋). Every SET reads the row as it was. */
const LEASE = `
  INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, granted)
  VALUES ($1, $2::float8 - LEAST($4::float8, $2::float8), $3, LEAST($4::float8, $2::float8))
  ON CONFLICT (key) DO UPDATE SET
    granted = LEAST($4::float8, floor(LEAST($2::float8, b.tokens + GREATEST(0, $3 - b.updated_at) * $5::float8))),
    tokens = LEAST($2::float8, b.tokens + GREATEST(0, $3 - b.updated_at) * $5::float8)
      - LEAST($4::float8, floor(LEAST($2::float8, b.tokens + GREATEST(0, $3 - b.updated_at) * $5::float8))),
    updated_at = GREATEST(b.updated_at, $3)
  RETURNING granted, tokens`;

const SWEEP_EVERY_MS = 60_000;

export function defaultLeaseSize(limits: Pick<RateLimits, 'perMinute' | 'burst'>): number {
  return Math.max(1, Math.min(Math.floor(limits.burst / 4), Math.ceil(limits.perMinute / 600)));
}

export function createSharedRateLimiter(options: SharedRateLimitOptions): SharedRateLimiter {
  const ratePerMs = options.perMinute / 60_000;
  const lease = options.leaseSize ?? defaultLeaseSize(options);
  const maxKeys = options.maxKeys ?? 100_000;
  const holdings = new Map<string, Holding>();
  const fallback = createTokenBuckets(options);
  const counts = { decisions: 0, leases: 0, fallbacks: 0 };
  let lastSweep = 0;
  let warnedAt = -Infinity;

  const holdingOf = (key: string): Holding => {
    let holding = holdings.get(key);
    if (holding === undefined) {
      if (holdings.size >= maxKeys) holdings.delete(holdings.keys().next().value!);
      holding = { tokens: 0, waiting: 0, leasing: undefined, emptyUntil: 0 };
      holdings.set(key, holding);
    }
    return holding;
  };

  const topUp = (key: string, holding: Holding, nowMs: number): Promise<void> => {
    holding.leasing ??= (async () => {
      try {
        const want = Math.max(lease, holding.waiting) - Math.floor(holding.tokens);
        const [row]: Array<{ granted: number; tokens: number }> = await options.db.query(LEASE, [key, options.burst, nowMs, want, ratePerMs]);
        counts.leases++;
        const granted = Number(row?.granted ?? 0);
        holding.tokens += granted;
        if (granted === 0) {
          const left = Number(row?.tokens ?? 0);
          // At least 1 ms on: a bucket a rounding error short of a token must not be asked again at once.
          holding.emptyUntil = nowMs + Math.max(1, (1 - left) / ratePerMs);
        }
        if (nowMs - lastSweep > SWEEP_EVERY_MS) sweep(nowMs);
      } finally {
        holding.leasing = undefined;
      }
    })();
    return holding.leasing;
  };

  // A row untouched for longer than a full refill is a full bucket: the same as no row.
  const sweep = (nowMs: number): void => {
    lastSweep = nowMs;
    const fullAfterMs = options.burst / ratePerMs;
    options.db.query(`DELETE FROM rate_limit_buckets WHERE updated_at < $1`, [nowMs - fullAfterMs]).catch((err: unknown) => options.logger.warn({ err }, 'sweeping idle rate-limit rows failed'));
  };

  const spend = (holding: Holding, key: string, nowMs: number): RateDecision => {
    holding.tokens -= 1;
    if (holding.tokens < lease / 2) topUp(key, holding, nowMs).catch(() => undefined);
    return { allowed: true, retryAfterSeconds: 0 };
  };

  return {
    async take(key, nowMs) {
      counts.decisions++;
      const holding = holdingOf(key);
      holding.waiting++;
      try {
        // Each lease either hands out tokens or finds the row empty (and says until when); other
        // requests waiting on the same lease may take what it brought, so try again a few times.
        for (let tries = 0; holding.tokens < 1; tries++) {
          if (nowMs < holding.emptyUntil || tries === 4) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((holding.emptyUntil - nowMs) / 1000)) };
          await topUp(key, holding, nowMs);
        }
      } catch (err) {
        counts.fallbacks++;
        if (nowMs - warnedAt > 10_000) {
          warnedAt = nowMs;
          options.logger.warn({ err }, 'the shared rate limit cannot be read: each hub process limits on its own until it can');
        }
        return fallback.take(key, nowMs);
      } finally {
        holding.waiting--;
      }
      return spend(holding, key, nowMs);
    },
    stats: () => ({ ...counts }),
  };
}
