import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addMicros } from './date-added.js';
import { compareFeedTime, feedTime, formatFeedTime, parseFeedTime, VERSION_SLOTS, versionTime } from './feed-time.js';

describe('feed time', () => {
  it('formats the log millisecond with the rank as microseconds, as TAXII 2.1 asks', () => {
    assert.equal(formatFeedTime(feedTime(Date.UTC(2026, 10, 28, 9, 30, 0, 123), 4)), '2026-11-28T09:30:00.123004Z');
    assert.equal(formatFeedTime(feedTime(0, 5000)), '1970-01-01T00:00:00.000999Z', 'ranks past 999 are capped');
  });

  it('parses what it formats, and TAXII timestamps of any precision', () => {
    const t = feedTime(Date.UTC(2026, 10, 28, 9, 30, 0, 123), 4);
    assert.deepEqual(parseFeedTime(formatFeedTime(t)), t);
    assert.deepEqual(parseFeedTime('2026-11-28T09:30:00Z'), feedTime(Date.UTC(2026, 10, 28, 9, 30)));
    assert.deepEqual(parseFeedTime('2026-11-28T09:30:00.1Z'), feedTime(Date.UTC(2026, 10, 28, 9, 30, 0, 100)));
    assert.deepEqual(parseFeedTime('2026-11-28T09:30:00.123456789Z'), feedTime(Date.UTC(2026, 10, 28, 9, 30, 0, 123), 456), 'past microseconds is dropped');
    assert.ok(compareFeedTime(feedTime(1, 2), feedTime(1, 3)) < 0 && compareFeedTime(feedTime(2, 0), feedTime(1, 999)) > 0);
  });

  it('reads any RFC 3339 date-time: numeric offsets, lower-case separators, no fraction (against an independent formatter)', () => {
    let seed = 26;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2000, 0, 1) + next(2 ** 30) * 1000 + next(1000);
      const micros = next(1000);
      const offsetMin = (next(2) === 0 ? -1 : 1) * next(24 * 60);
      const local = new Date(ms + offsetMin * 60_000);
      const fraction = next(3) === 0 && micros === 0 && ms % 1000 === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3)}${pad(micros, 3)}`;
      const zone = offsetMin === 0 && next(2) === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
      const text = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}${next(2) ? 'T' : 't'}${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${zone}`;
      assert.deepEqual(parseFeedTime(text), fraction === '' ? feedTime(ms) : feedTime(ms, micros), text);
    }
    assert.deepEqual(parseFeedTime('2026-11-28T09:30:00+00:00'), feedTime(Date.UTC(2026, 10, 28, 9, 30)), 'what Python isoformat() writes');
    assert.deepEqual(parseFeedTime('2026-11-28T10:30:00.5+01:00'), feedTime(Date.UTC(2026, 10, 28, 9, 30, 0, 500)));
  });

  it('refuses anything that is not an RFC 3339 date-time', () => {
    for (const bad of ['2026-11-28', '2026-11-28T09:30:00', '2026-11-28T09:30:00+0100', '2026-11-28T09:30:00+24:00', '2026-11-28T09:30:00+01:60', '2026-02-30T00:00:00Z', '2026-11-28T24:00:00Z', '2026-11-28T09:30:60Z', ' 2026-11-28T09:30:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00']) {
      assert.equal(parseFeedTime(bad), undefined, bad);
    }
  });

  it('gives every collection its own version time, in log order within a collection (against (ms, rank, slot) order)', () => {
    const times: Array<{ ms: number; rank: number; slot: number }> = [];
    for (const ms of [0, 1, 1_700_000_000_000]) for (let rank = 0; rank < 20; rank++) for (let slot = 0; slot < VERSION_SLOTS; slot++) times.push({ ms, rank, slot });
    const text = (t: { ms: number; rank: number; slot: number }): string => formatFeedTime(versionTime(feedTime(t.ms, t.rank), t.slot));
    assert.equal(new Set(times.map(text)).size, times.length, 'no two (entry, collection) share a version');
    for (let i = 1; i < times.length; i++) {
      const [a, b] = [times[i - 1]!, times[i]!];
      if (a.slot === b.slot || a.ms !== b.ms || a.rank !== b.rank) assert.ok(a.ms > b.ms || (a.ms === b.ms && a.rank > b.rank) || text(a) < text(b), `${text(a)} before ${text(b)}`);
    }
    for (const t of times) assert.ok(text(t) >= formatFeedTime(feedTime(t.ms, t.rank)), 'a version is never before its entry (modified ≥ created)');
  });

  it('adds microseconds across milliseconds (against plain integer arithmetic)', () => {
    for (const [ms, micros, n] of [[0, 0, 0], [5, 999, 1], [5, 10, 12_345], [1_700_000_000_000, 998, 50_000]] as const) {
      const t = addMicros(feedTime(ms, micros), n);
      assert.equal(t.ms * 1000 + t.micros, ms * 1000 + micros + n);
      assert.ok(t.micros >= 0 && t.micros < 1000);
    }
  });
});
