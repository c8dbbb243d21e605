/**
 * Outcome precision's rule (issue #22): what the platforms' outcomes say about an indicator feeds
 * the over-match guards. Each outcome about a hit is a judgement: a removal (REMOVED,
 * ACCOUNT_SUSPENDED) says the hit was real, NO_VIOLATION that it was not. Pure.
 *
 * Raw precision over a handful of judgements says little, so the rule uses the Wilson score
 * interval (95 %): an indicator is HOLD only when even the interval's upper bound is under
 * `holdBelow` (the platforms confidently judge most of its hits benign: it should be held back
 * from matching, as flood quarantine holds one), FLAG when its precision is under `flagBelow`
 * (analysts should look at it), and UNJUDGED below `minJudged` judgements.
 */

export interface PrecisionPolicy {
  /** Fewer judgements than this decide nothing. */
  readonly minJudged: number;
  /** Precision under this flags. */
  readonly flagBelow: number;
  /** The Wilson upper bound under this holds. */
  readonly holdBelow: number;
}

export const DEFAULT_PRECISION_POLICY: PrecisionPolicy = Object.freeze({ minJudged: 5, flagBelow: 0.5, holdBelow: 0.3 });

export type PrecisionVerdict = 'UNJUDGED' | 'OK' | 'FLAG' | 'HOLD';

/** z for a two-sided 95 % interval. */
const Z = 1.96;

export function precisionVerdict(counts: { readonly removals: number; readonly noViolation: number }, policy: PrecisionPolicy = DEFAULT_PRECISION_POLICY): PrecisionVerdict {
  const n = counts.removals + counts.noViolation;
  if (n < policy.minJudged || n === 0) return 'UNJUDGED';
  const p = counts.removals / n;
  if (wilsonUpper(p, n) < policy.holdBelow) return 'HOLD';
  return p < policy.flagBelow ? 'FLAG' : 'OK';
}

/** The upper bound of the Wilson score interval for a proportion p over n trials. */
export function wilsonUpper(p: number, n: number): number {
  const z2 = Z * Z;
  const centre = p + z2 / (2 * n);
  const spread = Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre + spread) / (1 + z2 / n);
}
