/**
 * Time is passed in, never read from a global inside domain code, so that
 * time-dependent rules ("expired at createdAt", "no more than 5 min in the future",
 * "token lifetime ≤ 24 h") are tested exactly.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock for tests: stands still until moved. */
export function fixedClock(at: Date | string | number): Clock & { set(at: Date | string | number): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current.getTime()),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** Randomness is injected the same way (ids, nonces, jitter). */
export interface Random {
  bytes(n: number): Uint8Array;
  uuid(): string;
  /** A float in [0, 1). */
  float(): number;
}
