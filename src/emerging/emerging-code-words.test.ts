import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emergingCodeWords, emergingQueryProblem, type KeywordReceipt } from './emerging-code-words.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
/** `days` before NOW. */
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const r = (indicatorId: string, member: string, daysAgo: number): KeywordReceipt => ({ indicatorId, member, receivedAt: ago(daysAgo) });
const q = { now: NOW, window: 4, minMembers: 2, first: 20 };

describe('emergingCodeWords', () => {
  it('counts members whose own first receipt is in the window, with first-seen and weekly counts', () => {
    const got = emergingCodeWords(
      [
        // new: a first in week 0 ([28, 21) days ago), b in week 3, a again in week 3
        r('new', 'a', 27), r('new', 'b', 2), r('new', 'a', 1),
        // spreading: a published it long ago; b and c only now — two members first published in the window
        r('spread', 'a', 100), r('spread', 'b', 10), r('spread', 'c', 9), r('spread', 'a', 8),
        // one member only
        r('lonely', 'a', 3), r('lonely', 'a', 2),
        // old: both members first published it before the window, even if seen again now
        r('old', 'a', 40), r('old', 'b', 30), r('old', 'a', 1), r('old', 'b', 1),
      ],
      q,
    );
    assert.deepEqual(got, [
      {
        indicatorId: 'new', firstSeen: ago(27), members: 2,
        weeks: [
          { start: ago(28), sightings: 1, newMembers: 1 },
          { start: ago(21), sightings: 0, newMembers: 0 },
          { start: ago(14), sightings: 0, newMembers: 0 },
          { start: ago(7), sightings: 2, newMembers: 1 },
        ],
      },
      {
        indicatorId: 'spread', firstSeen: ago(100), members: 2,
        weeks: [
          { start: ago(28), sightings: 0, newMembers: 0 },
          { start: ago(21), sightings: 0, newMembers: 0 },
          { start: ago(14), sightings: 3, newMembers: 2 },
          { start: ago(7), sightings: 0, newMembers: 0 },
        ],
      },
    ], 'equal members and sightings: the newer word first');
  });

  it('orders by members, then sightings in the window, then the newest first-seen, then id', () => {
    const got = emergingCodeWords(
      [
        r('two-a', 'a', 5), r('two-a', 'b', 5),
        r('two-b', 'a', 6), r('two-b', 'b', 6),
        r('two-busy', 'a', 9), r('two-busy', 'b', 9), r('two-busy', 'b', 8),
        r('three', 'a', 20), r('three', 'b', 20), r('three', 'c', 20),
        r('two-newer', 'a', 1), r('two-newer', 'b', 1),
      ],
      q,
    );
    assert.deepEqual(got.map((w) => w.indicatorId), ['three', 'two-busy', 'two-newer', 'two-a', 'two-b']);
    assert.deepEqual(emergingCodeWords([r('x', 'a', 1), r('x', 'b', 1), r('y', 'a', 1), r('y', 'b', 1)], { ...q, first: 1 }).map((w) => w.indicatorId), ['x']);
  });

  it('bounds the window exactly: its first instant is in, now and later are out', () => {
    const edge = [
      { indicatorId: 'w', member: 'a', receivedAt: ago(28) },
      { indicatorId: 'w', member: 'b', receivedAt: new Date(ago(28).getTime() - 1) },
      { indicatorId: 'w', member: 'c', receivedAt: NOW },
      { indicatorId: 'w', member: 'd', receivedAt: new Date(NOW.getTime() - 1) },
    ];
    const [w] = emergingCodeWords(edge, q);
    assert.equal(w?.members, 2, 'a at the first instant and d just before now; b just before the window, c at now');
    assert.deepEqual(w?.weeks.map((x) => x.newMembers), [1, 0, 0, 1]);
    assert.equal(w?.firstSeen.getTime(), ago(28).getTime() - 1);
    assert.deepEqual(emergingCodeWords(edge, { ...q, minMembers: 3 }), []);
    assert.equal(emergingCodeWords([r('solo', 'a', 1)], { ...q, minMembers: 1 })[0]?.members, 1);
  });

  it('refuses out-of-range arguments', () => {
    assert.equal(emergingQueryProblem({ window: 0, minMembers: 2, first: 1 })?.field, 'window');
    assert.equal(emergingQueryProblem({ window: 53, minMembers: 2, first: 1 })?.field, 'window');
    assert.equal(emergingQueryProblem({ window: 1.5, minMembers: 2, first: 1 })?.field, 'window');
    assert.equal(emergingQueryProblem({ window: 52, minMembers: 0, first: 1 })?.field, 'minMembers');
    assert.equal(emergingQueryProblem({ window: 52, minMembers: 101, first: 1 })?.field, 'minMembers');
    assert.equal(emergingQueryProblem({ window: 52, minMembers: 100, first: 101 })?.field, 'first');
    assert.equal(emergingQueryProblem({ window: 1, minMembers: 1, first: 100 }), null);
    assert.throws(() => emergingCodeWords([], { ...q, window: 0 }), RangeError);
  });
});
