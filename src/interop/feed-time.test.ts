import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareFeedTime, feedTime, formatFeedTime, parseFeedTime } from './feed-time.js';

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

  it('refuses anything that is not a UTC timestamp', () => {
    for (const bad of ['2026-11-28', '2026-11-28T09:30:00+01:00', '2026-02-30T00:00:00Z', '2026-11-28T24:00:00Z', '2026-11-28T09:30:60Z', ' 2026-11-28T09:30:00Z', '2026-11-28t09:30:00z', '1969-12-31T23:59:59Z']) {
      assert.equal(parseFeedTime(bad), undefined, bad);
    }
  });
});
