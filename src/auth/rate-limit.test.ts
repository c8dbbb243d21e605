import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenBuckets as createRateLimiter } from './rate-limit.js';

describe('token buckets (the rate limiter of one process)', () => {
  it('allows a burst, then refuses with the seconds until the next request is allowed', () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 3 });
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('t', 0).allowed, true);
    assert.deepEqual(limiter.take('t', 0), { allowed: false, retryAfterSeconds: 1 });
    assert.equal(limiter.take('other', 0).allowed, true, 'each key has its own bucket');
  });

  it('refills at the configured rate and never above the burst', () => {
    const limiter = createRateLimiter({ perMinute: 6, burst: 2 });
    limiter.take('t', 0);
    limiter.take('t', 0);
    assert.deepEqual(limiter.take('t', 5_000), { allowed: false, retryAfterSeconds: 5 });
    assert.equal(limiter.take('t', 10_000).allowed, true);
    assert.equal(limiter.take('t', 10_000_000).allowed, true);
    assert.equal(limiter.take('t', 10_000_000).allowed, true);
    assert.equal(limiter.take('t', 10_000_000).allowed, false, 'a long pause refills only up to the burst');
  });

  it('keeps memory bounded by forgetting the oldest keys', () => {
    const limiter = createRateLimiter({ perMinute: 1, burst: 1, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    assert.equal(limiter.take('a', 0).allowed, true, 'a was forgotten and starts full');
  });
});
