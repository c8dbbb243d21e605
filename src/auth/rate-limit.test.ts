import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/index.js';
import { createTokenBuckets as createRateLimiter, withKeyPrefix, type RateDecision } from './rate-limit.js';

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

describe('the export class (TAXII and the MISP feed)', () => {
  it('by default admits a first import of 100,000 objects at 1,000 a page at once, which the interactive class would refuse', () => {
    const config = loadConfig({}, '/srv');
    // Discovery, the API root, and per collection its description and a page per 1,000 objects: 30 collections.
    const requests = 2 + 30 + Math.ceil(100_000 / 1000) + 30;
    const admitted = (limits: { perMinute: number; burst: number }) => {
      const buckets = createRateLimiter(limits);
      return Array.from({ length: requests }, () => buckets.take('jti', 0)).filter((d) => d.allowed).length;
    };
    assert.equal(admitted({ perMinute: config.EXPORT_RATE_LIMIT_PER_MINUTE, burst: config.EXPORT_RATE_LIMIT_BURST }), requests);
    assert.ok(admitted({ perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST }) < requests);
    assert.ok(config.EXPORT_RATE_LIMIT_PER_MINUTE >= config.RATE_LIMIT_PER_MINUTE, 'past its burst, an import pages at least as fast as an analyst may query');
  });

  it('prefixes the keys it passes on, so two classes never share a bucket of a shared store', async () => {
    const seen: string[] = [];
    const limiter = withKeyPrefix('export:', { take: async (key: string): Promise<RateDecision> => (seen.push(key), { allowed: true, retryAfterSeconds: 0 }) });
    await limiter.take('jti-1', 0);
    assert.deepEqual(seen, ['export:jti-1']);
  });
});
