import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeFigures, weekStart, type OutcomeRow, type SightingRow } from './index.js';

const at = (iso: string): Date => new Date(iso);
const outcome = (member: string, indicatorId: string, action: OutcomeRow['action'], actedAt: string): OutcomeRow => ({ member, indicatorId, type: 'SELLER', action, actedAt: at(actedAt), commodities: ['IVORY'] });
const sighting = (member: string, indicatorId: string, observedAt: string, live = true): SightingRow => ({ member, indicatorId, observedAt: at(observedAt), live });

describe('what the outcomes tell', () => {
  const outcomes = [
    outcome('shopmart', 'A', 'REMOVED', '2026-03-02T00:00:00Z'),
    outcome('chatapp', 'A', 'NO_VIOLATION', '2026-03-03T00:00:00Z'),
    outcome('shopmart', 'B', 'ACCOUNT_SUSPENDED', '2026-03-09T12:00:00Z'),
    outcome('shopmart', 'C', 'WARNED', '2026-03-04T00:00:00Z'),
  ];
  const sightings = [
    sighting('chatapp', 'A', '2026-03-01T00:00:00Z'),
    sighting('shopmart', 'A', '2026-03-01T12:00:00Z', false),
    sighting('shopmart', 'B', '2026-03-09T00:00:00Z'),
    sighting('auctionhall', 'B', '2026-03-05T00:00:00Z'),
  ];
  const figures = outcomeFigures(outcomes, sightings);

  it('counts removals against no-violation per indicator (its precision)', () => {
    assert.deepEqual(figures.indicators.map((i) => [i.indicatorId, i.removals, i.noViolation, i.precision, i.guard]), [['A', 1, 1, 0.5, 'UNJUDGED'], ['B', 1, 0, 1, 'UNJUDGED'], ['C', 0, 0, null, 'UNJUDGED']]);
  });

  it('times each removal from the federation’s first sighting, any member’s, and takes the median per member', () => {
    // A: first seen 03-01 at chatapp, removed 03-02 (1 day); B: first seen 03-05 at auctionhall, suspended 03-09 12:00 (4.5 days).
    assert.deepEqual(figures.members, [{ member: 'shopmart', removals: 2, medianSecondsToRemoval: (86_400 + 4.5 * 86_400) / 2 }]);
  });

  it('names the members still sighting a removed indicator with no outcome of their own', () => {
    assert.deepEqual(figures.lag, [{ indicatorId: 'B', actedOnBy: ['shopmart'], stillSightedBy: ['auctionhall'] }], 'chatapp judged A itself; shopmart’s own sightings do not lag');
  });

  it('groups each outcome under the listings its own member sighted the indicator in, by pseudonym', () => {
    const lp = (n: number) => `lp1.k.${String(n).repeat(43)}`;
    const listings = [
      { member: 'shopmart', indicatorId: 'A', listing: lp(1) },
      { member: 'shopmart', indicatorId: 'B', listing: lp(1) },
      { member: 'shopmart', indicatorId: 'C', listing: lp(2) },
      // chatapp's listing of B: shopmart's suspension does not count there.
      { member: 'chatapp', indicatorId: 'B', listing: lp(3) },
      { member: 'chatapp', indicatorId: 'A', listing: lp(3) },
    ];
    assert.deepEqual(outcomeFigures(outcomes, sightings, listings).listings, [
      { listing: lp(1), member: 'shopmart', removals: 2, noViolation: 0, other: 0 },
      { listing: lp(2), member: 'shopmart', removals: 0, noViolation: 0, other: 1 },
      { listing: lp(3), member: 'chatapp', removals: 0, noViolation: 1, other: 0 },
    ]);
    assert.deepEqual(figures.listings, [], 'no listing rows, no listings');
  });

  it('counts removals per week from Monday and commodity', () => {
    assert.deepEqual(figures.removalsByWeek.map((w) => [w.week.toISOString(), w.commodity, w.removals]), [
      ['2026-03-02T00:00:00.000Z', 'IVORY', 1],
      ['2026-03-09T00:00:00.000Z', 'IVORY', 1],
    ]);
    assert.equal(weekStart(at('2026-03-08T23:59:59Z')).toISOString(), '2026-03-02T00:00:00.000Z');
    assert.equal(weekStart(at('1969-12-31T00:00:00Z')).toISOString(), '1969-12-29T00:00:00.000Z');
  });
});
