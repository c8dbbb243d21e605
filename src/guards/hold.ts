/**
 * The one decision behind every quarantine hold: flood rates (the hub's matchText, a node's
 * report) and outcome precision (what the platforms judged of an indicator's hits) are two kinds
 * of evidence for the same act, holding an indicator back from matching everywhere. Pure.
 *
 * A FLAG precision verdict holds nothing: it is shown to analysts (IndicatorPrecision.guard), and
 * only a HOLD, whose Wilson upper bound says the platforms confidently judge most hits benign, holds.
 */
import { floodVerdict, type FloodPolicy, type HitRate } from './flood.js';
import { precisionVerdict, type PrecisionPolicy } from './precision.js';

export type HoldReason = 'FLOOD' | 'DISPUTED_FLOOD' | 'PRECISION';

export type HoldEvidence =
  | { readonly kind: 'flood'; readonly rate: HitRate; readonly disputed: boolean }
  | { readonly kind: 'precision'; readonly removals: number; readonly noViolation: number };

/**
 * What a hold records as its counts: a flood's hits over scans, a precision hold's NO_VIOLATION
 * outcomes over all judged ones (the quarantines table's hits and scans columns).
 */
export type HoldDecision = { readonly hold: false } | { readonly hold: true; readonly reason: HoldReason; readonly hits: number; readonly scans: number };

export function holdDecision(evidence: HoldEvidence, policies: { readonly flood: FloodPolicy; readonly precision: PrecisionPolicy }): HoldDecision {
  if (evidence.kind === 'flood') {
    const verdict = floodVerdict(evidence.rate, policies.flood, evidence.disputed);
    return verdict.quarantine ? { hold: true, reason: verdict.reason, hits: evidence.rate.hits, scans: evidence.rate.scans } : { hold: false };
  }
  if (precisionVerdict(evidence, policies.precision) !== 'HOLD') return { hold: false };
  return { hold: true, reason: 'PRECISION', hits: evidence.noViolation, scans: evidence.removals + evidence.noViolation };
}
