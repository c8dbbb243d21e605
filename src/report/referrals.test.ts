import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { referralFigures, type ReferralEntry } from './referrals.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const HASH = 'A'.repeat(43);
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
// Entries as src/referrals logs them, built as plain objects (the kind is not in src/tlog yet).
const step = (n: number, s: ReferralEntry['step'], hours: number, extra: Partial<ReferralEntry> = {}): ReferralEntry => ({
  kind: 'referral',
  ts: T0 + hours * H,
  step: s,
  referralId: ID(n),
  agency: n % 2 === 0 ? 'customs' : 'forestry',
  by: s === 'filed' ? 'member:shopmart' : `agency:${n % 2 === 0 ? 'customs' : 'forestry'}`,
  recordSha256: HASH,
  ...extra,
});
const period = { from: T0, to: T0 + 30 * 24 * H };

describe('referral figures', () => {
  it('counts filed, acknowledged, accepted, declined, and closed by result, per agency', () => {
    const f = referralFigures(
      [step(1, 'filed', 0), step(1, 'acknowledged', 2), step(1, 'accepted', 3), step(1, 'closed', 50, { result: 'SEIZURE' }), step(2, 'filed', 1), step(2, 'acknowledged', 5), step(2, 'declined', 6), step(4, 'filed', 10), step(4, 'acknowledged', 11), step(4, 'closed', 12, { result: 'NO_ACTION' })],
      period,
      72 * H,
      T0 + 100 * H,
    );
    assert.deepEqual(f, { filed: 3, acknowledged: 3, overdue: 0, accepted: 1, declined: 1, byAgency: { customs: 2, forestry: 1 }, byResult: { NO_ACTION: 1, SEIZURE: 1 } });
  });

  describe('when a referral is not acknowledged within the deadline', () => {
    it('counts it overdue whether it was acknowledged late or not at all', () => {
      const entries = [step(1, 'filed', 0), step(1, 'acknowledged', 80), step(2, 'filed', 0), step(3, 'filed', 0), step(3, 'acknowledged', 71)];
      assert.equal(referralFigures(entries, period, 72 * H, T0 + 100 * H).overdue, 2);
    });
    it('does not count one still inside its deadline at the checkpoint', () => {
      assert.equal(referralFigures([step(2, 'filed', 0)], period, 72 * H, T0 + 71 * H).overdue, 0);
    });
    it('follows the deadline it is given', () => {
      const entries = [step(1, 'filed', 0), step(1, 'acknowledged', 30)];
      assert.equal(referralFigures(entries, period, 24 * H, T0 + 100 * H).overdue, 1);
      assert.equal(referralFigures(entries, period, 72 * H, T0 + 100 * H).overdue, 0);
    });
  });

  it('ignores referrals filed outside the period and steps of referrals it never saw filed', () => {
    const f = referralFigures([step(1, 'filed', -5), step(1, 'acknowledged', 1), step(9, 'closed', 3, { result: 'PROSECUTION' }), step(2, 'filed', 1)], period, 72 * H, T0 + 2 * H);
    assert.deepEqual([f.filed, f.acknowledged, f.byResult], [1, 0, {}]);
  });
});
