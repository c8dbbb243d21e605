import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { observedAtOutOfRange } from './observation-time.js';

/** The rule as the issue states it, in calendar terms: not before 2000-01-01, not after createdAt + 5 min. */
function oracle(observed: Date, created: Date): boolean {
  const oldest = new Date(Date.UTC(2000, 0, 1));
  const latest = new Date(created);
  latest.setUTCMinutes(latest.getUTCMinutes() + 5);
  return observed >= oldest && observed <= latest;
}

describe('observedAtOutOfRange', () => {
  it('agrees with the calendar oracle over generated instants around both edges and far out', () => {
    let s = 42;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
    const created = Date.parse('2026-11-30T08:00:00Z');
    const edges = [Date.parse('2000-01-01T00:00:00Z'), created + 5 * 60_000, created];
    for (let i = 0; i < 5000; i++) {
      const base = i % 4 === 3 ? Date.parse('1970-01-01T00:00:00Z') + next() * (Date.parse('9999-12-31T00:00:00Z') - Date.parse('1970-01-01T00:00:00Z')) : edges[i % 3]!;
      const ms = Math.round(base + (next() - 0.5) * (i % 2 === 0 ? 4000 : 4 * 86_400_000));
      const observed = new Date(ms).toISOString();
      assert.equal(observedAtOutOfRange(observed, created) === undefined, oracle(new Date(ms), new Date(created)), observed);
    }
  });

  it('judges the signed string, offsets included, and leaves malformed text to the parser', () => {
    const created = Date.parse('2026-11-30T08:00:00Z');
    assert.equal(observedAtOutOfRange('2026-11-30T09:04:59+01:00', created), undefined, '08:04:59Z');
    assert.match(observedAtOutOfRange('2026-11-30T08:05:00.001Z', created) ?? '', /5 minutes/);
    assert.match(observedAtOutOfRange('2000-01-01T00:59:59+01:00', created) ?? '', /2000-01-01/);
    assert.equal(observedAtOutOfRange('yesterday', created), undefined);
  });
});
