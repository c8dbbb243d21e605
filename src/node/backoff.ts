import type { Random } from '../kernel/index.js';

export interface BackoffPolicy {
  /** Delay after the first failed try. */
  readonly baseMs: number;
  /** No delay is longer. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles with each failed try up to
 * `maxMs`, and the delay is drawn uniformly from its upper half. The lower half keeps a
 * restarted hub from being hit by every node at once; the floor keeps the delay from
 * collapsing to zero. `failures` counts failed tries so far (1 after the first).
 * @example backoffDelay(3, { baseMs: 1000, maxMs: 60000 }, random) // 2000–4000 ms
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: Random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random.float() * ceiling) / 2);
}
