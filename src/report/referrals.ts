/**
 * Referral figures (issue #22) over `referral` log entries, as a pure function. The entry kind is
 * built in src/referrals; its wire shape is fixed (the brief of the referrals work):
 * `{"v":1,"kind":"referral","ts","step":"filed|acknowledged|accepted|declined|closed","referralId",
 * "agency","by":"member:<slug>|agency:<slug>","recordSha256"}` plus `result` on `closed` only.
 * Until that kind is in src/tlog it is typed here, and recognised from parsed entries by shape.
 */

export const REFERRAL_STEPS = ['filed', 'acknowledged', 'accepted', 'declined', 'closed'] as const;
export type ReferralStep = (typeof REFERRAL_STEPS)[number];
export const REFERRAL_RESULTS = ['INVESTIGATION_OPENED', 'SEIZURE', 'PROSECUTION', 'NO_ACTION'] as const;
export type ReferralResult = (typeof REFERRAL_RESULTS)[number];

export interface ReferralEntry {
  readonly kind: 'referral';
  readonly ts: number;
  readonly step: ReferralStep;
  readonly referralId: string;
  readonly agency: string;
  readonly by: string;
  readonly recordSha256: string;
  readonly result?: ReferralResult;
}

export interface ReferralFigures {
  /** Referrals filed in the period. */
  readonly filed: number;
  /** Of those, acknowledged (at any time up to the report's checkpoint). */
  readonly acknowledged: number;
  /** Of those, not acknowledged within the deadline: late, or not yet and the deadline passed by `asOf`. */
  readonly overdue: number;
  readonly accepted: number;
  readonly declined: number;
  /** Filed in the period, by agency. */
  readonly byAgency: Readonly<Record<string, number>>;
  /** Closed (at any time up to the checkpoint) among those filed in the period, by result. */
  readonly byResult: Readonly<Record<string, number>>;
}

/** Whether a parsed log entry is a referral step (by kind; its fields were checked by the entry parser). */
export function isReferralEntry(entry: { readonly kind: string }): entry is { readonly kind: string } & ReferralEntry {
  return entry.kind === 'referral';
}

/**
 * Figures of the referrals filed in [from, to) (ms), from every referral step logged up to the
 * checkpoint. A referral is overdue when its first acknowledgement came more than `deadlineMs`
 * after it was filed, or has not come and `asOf` (the checkpoint's last entry time, so that the
 * figure is recomputable) is past the deadline. Steps of a referral that was not filed in the
 * period are ignored; a step before its filing is ignored (the hub never logs one).
 */
export function referralFigures(entries: readonly ReferralEntry[], period: { readonly from: number; readonly to: number }, deadlineMs: number, asOf: number): ReferralFigures {
  const filed = new Map<string, ReferralEntry>();
  for (const e of entries) if (e.step === 'filed' && e.ts >= period.from && e.ts < period.to && !filed.has(e.referralId)) filed.set(e.referralId, e);
  const firstStep = new Map<string, number>();
  const steps = new Map<string, Set<ReferralStep>>();
  const byResult: Record<string, number> = {};
  for (const e of entries) {
    const filing = filed.get(e.referralId);
    if (filing === undefined || e.ts < filing.ts || e.step === 'filed') continue;
    const seen = steps.get(e.referralId) ?? new Set<ReferralStep>();
    if (e.step === 'acknowledged' && !seen.has('acknowledged')) firstStep.set(e.referralId, e.ts);
    if (e.step === 'closed' && !seen.has('closed') && e.result !== undefined) byResult[e.result] = (byResult[e.result] ?? 0) + 1;
    steps.set(e.referralId, seen.add(e.step));
  }
  const byAgency: Record<string, number> = {};
  let overdue = 0;
  for (const [id, f] of filed) {
    byAgency[f.agency] = (byAgency[f.agency] ?? 0) + 1;
    const acknowledged = firstStep.get(id);
    if (acknowledged === undefined ? asOf - f.ts > deadlineMs : acknowledged - f.ts > deadlineMs) overdue++;
  }
  const count = (step: ReferralStep) => [...steps.values()].filter((s) => s.has(step)).length;
  return { filed: filed.size, acknowledged: count('acknowledged'), overdue, accepted: count('accepted'), declined: count('declined'), byAgency: sorted(byAgency), byResult: sorted(byResult) };
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
