import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../tlog/index.js';
import { reportFigures, type BatchContents } from './figures.js';
import { compareFigures, parsePeriod, parseReport } from './report.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const HASH = 'A'.repeat(43);
const ID = (c: string) => c.repeat(43);
const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const batch = (member: string, ts: number, count: number): LogEntry => ({ kind: 'batch', ts, member, batchId: UUID(ts), tlp: 'AMBER', count, jwsSha256: HASH });

function figuresOf(entries: LogEntry[], batches: Array<[number, BatchContents]> | undefined) {
  const indexed = entries.map((entry, index) => ({ index, entry }));
  const figures = reportFigures({ period: { from: T0, to: T0 + 14 * 24 * H }, entries: indexed, referrals: [], batches: batches && new Map(batches), disclosures: undefined, referralDeadlineMs: 72 * H });
  return Object.fromEntries(figures.map((f) => [f.id, f.value]));
}

describe('report figures', () => {
  const entries: LogEntry[] = [
    batch('shopmart', T0 - H, 2),
    batch('chatapp', T0 + H, 1),
    batch('shopmart', T0 + 10 * H, 3),
    batch('shopmart', T0 + 11 * H, 1),
    { kind: 'token', ts: T0 + 2 * H, jti: 'a1', agency: 'customs', scope: 'stats:read', exp: 9e9 },
    { kind: 'token', ts: T0 + 3 * H, jti: 'a1', agency: 'customs', scope: 'stats:read', exp: 9e9, action: 'revoke' },
    { kind: 'disclosure', ts: T0 + 4 * H, step: 'filed', requestId: UUID(1), recordSha256: HASH },
  ];
  const ivory = { id: ID('i'), type: 'KEYWORD' as const, commodity: 'IVORY' as const };
  const pangolin = { id: ID('p'), type: 'SELLER' as const, commodity: 'PANGOLIN' as const };
  const outcome = (n: number, indicatorId: string, action: 'REMOVED' | 'ACCOUNT_SUSPENDED' | 'NO_VIOLATION', actedHours: number) => ({ outcomeId: UUID(n), indicatorId, action, actedAt: new Date(T0 + actedHours * H).toISOString() });
  const batches: Array<[number, BatchContents]> = [
    [0, { member: 'shopmart', indicators: [ivory, pangolin], outcomes: [] }],
    [1, { member: 'chatapp', indicators: [ivory], outcomes: [] }],
    [2, { member: 'shopmart', indicators: [], outcomes: [outcome(1, ivory.id, 'REMOVED', 9), outcome(2, pangolin.id, 'ACCOUNT_SUSPENDED', 5), outcome(3, ivory.id, 'NO_VIOLATION', 9)] }],
    [3, { member: 'shopmart', indicators: [], outcomes: [{ outcomeId: UUID(3), indicatorId: ivory.id, reason: 'recorded by mistake' }] }],
  ];

  it('derives every figure from the entries and the batches they commit to', () => {
    const f = figuresOf(entries, batches);
    assert.equal(f['batches.logged'], 3, 'the batch logged before the period is not counted');
    assert.equal(f['items.logged'], 5);
    assert.deepEqual(f['indicators.byTypeAndCommodity'], { 'KEYWORD IVORY': 1 });
    // The retracted NO_VIOLATION no longer stands.
    assert.deepEqual(f['outcomes.byAction'], { ACCOUNT_SUSPENDED: 1, REMOVED: 1 });
    assert.equal(f['outcomes.listingsRemoved'], 1);
    assert.equal(f['outcomes.accountsActioned'], 1);
    // First logged at T0-1h (shopmart's batch before the period): 10 h and 6 h, median 8.
    assert.equal(f['outcomes.medianHoursToTakedown'], 8);
    assert.deepEqual(f['outcomes.removalsByWeekAndCommodity'], { '2026-03-02 IVORY': 1, '2026-03-02 PANGOLIN': 1 });
    assert.deepEqual([f['tokens.issuedByAgency'], f['tokens.revokedByAgency']], [{ customs: 1 }, { customs: 1 }]);
    assert.deepEqual([f['disclosures.filed'], f['disclosures.byAgency']], [1, null]);
    assert.equal(f['coverage.batchesRead'], 4);
  });

  describe('when not every batch could be read', () => {
    it('gives no item figure rather than a partial one, and still the figures of the entries', () => {
      for (const read of [undefined, batches.slice(1)]) {
        const f = figuresOf(entries, read);
        assert.deepEqual([f['outcomes.listingsRemoved'], f['indicators.byTypeAndCommodity'], f['outcomes.medianHoursToTakedown'], f['coverage.batchesRead']], [null, null, null, 0]);
        assert.equal(f['items.logged'], 5);
      }
    });
  });
});

describe('comparing a report with its recomputation', () => {
  const figures = reportFigures({ period: { from: 0, to: 1 }, entries: [], referrals: [], batches: new Map(), disclosures: undefined, referralDeadlineMs: H });
  it('names a figure whose value was changed, one left out, and one added; map key order is no difference', () => {
    const stated = figures.map((f) => (f.id === 'batches.logged' ? { ...f, value: 7 } : f)).filter((f) => f.id !== 'tokens.revokedByAgency');
    stated.push({ ...figures[0]!, id: 'made.up', value: 1 });
    assert.deepEqual(compareFigures(stated, figures).map((d) => d.id).sort(), ['batches.logged', 'made.up', 'tokens.revokedByAgency']);
    assert.deepEqual(compareFigures(figures, figures), []);
    const a = [{ id: 'x', value: { a: 1, b: 2 } }];
    assert.deepEqual(compareFigures(a, [{ ...figures[0]!, id: 'x', value: { b: 2, a: 1 } }]).filter((d) => d.id === 'x'), []);
  });
  it('tells null from absent', () => {
    assert.deepEqual(compareFigures([{ id: 'x', value: null }], [{ ...figures[0]!, id: 'x', value: null }]).filter((d) => d.id === 'x'), []);
    assert.equal(compareFigures([], [{ ...figures[0]!, id: 'x', value: null }]).filter((d) => d.id === 'x').length, 1);
  });
});

describe('a period on the command line', () => {
  it('takes whole UTC days, --to included', () => {
    const p = parsePeriod('2026-03-01', '2026-03-31');
    assert.deepEqual([p.from.toISOString(), p.to.toISOString()], ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
  });
  for (const [from, to] of [['2026-02-30', '2026-03-01'], ['yesterday', '2026-03-01'], ['2026-03-02', '2026-03-01']]) {
    it(`refuses ${from} – ${to} with INVALID_PERIOD`, () => assert.throws(() => parsePeriod(from!, to!), (e: unknown) => (e as { code?: string }).code === 'INVALID_PERIOD'));
  }
});

describe('a REPORT.json from someone else', () => {
  for (const [what, value] of [['not an object', []], ['another format', { format: 'x' }], ['a figure with a string value', { format: 'wildintel-transparency-report/1', period: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, checkpoint: { origin: 'o', size: 1, rootHash: 'r' }, parameters: { referralDeadlineHours: 72 }, access: { batches: true, disclosures: false }, figures: [{ id: 'x', value: 'many' }] }]] as const) {
    it(`refuses ${what} with INVALID_REPORT`, () => assert.throws(() => parseReport(value), (e: unknown) => (e as { code?: string }).code === 'INVALID_REPORT'));
  }
});
