import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createLogger } from '../kernel/index.js';
import { createSharedRateLimiter, defaultLeaseSize, EXPORT_RATE_KEY_PREFIX, withKeyPrefix, type SharedRateLimiter } from './index.js';

const logger = createLogger('silent');

describe('the shared rate limit (one bucket per key for every hub process, leased)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  /** `n` limiters on one database: what n hub processes hold. */
  const processes = (n: number, limits: { perMinute: number; burst: number; leaseSize?: number }): SharedRateLimiter[] =>
    Array.from({ length: n }, () => createSharedRateLimiter({ ...limits, db: db.database.dataSource, logger }));

  it('sizes a lease at 100 ms of the rate, at most a quarter of the burst, at least one', () => {
    assert.equal(defaultLeaseSize({ perMinute: 600, burst: 120 }), 1);
    assert.equal(defaultLeaseSize({ perMinute: 60_000, burst: 120 }), 30);
    assert.equal(defaultLeaseSize({ perMinute: 60_000, burst: 1000 }), 100);
    assert.equal(defaultLeaseSize({ perMinute: 1, burst: 1 }), 1);
  });

  for (const leaseSize of [1, 5]) {
    it(`admits exactly burst + rate·t through 3 processes hammered at 10× the rate (lease ${leaseSize})`, async () => {
      const key = `token-lease-${leaseSize}`;
      const limiters = processes(3, { perMinute: 600, burst: 20, leaseSize });
      let allowed = 0;
      // 5 s of a client sending 100 requests a second to each process (the limit is 10/s for all).
      for (let t = 0; t <= 5000; t += 10) {
        const decisions = await Promise.all(limiters.map((l) => l.take(key, t)));
        allowed += decisions.filter((d) => d.allowed).length;
      }
      const exact = 20 + 10 * 5;
      assert.ok(allowed <= exact, `${allowed} admitted, the hub-wide limit is ${exact}`);
      assert.ok(allowed >= exact - 3 * leaseSize - 1, `${allowed} admitted: at most one lease per process held back`);
      const leases = limiters.reduce((n, l) => n + l.stats().leases, 0);
      assert.ok(leases < 1503 / 2, `${leases} leases for 1,503 decisions: refusals are answered from memory`);
    });
  }

  it('takes enough for every request waiting at once (a burst is not refused for want of a lease)', async () => {
    const [limiter] = processes(1, { perMinute: 600, burst: 20, leaseSize: 1 });
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter!.take('burst-key', 0)));
    assert.equal(decisions.filter((d) => d.allowed).length, 20);
    assert.ok(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1));
    assert.ok(limiter!.stats().leases <= 4, `${limiter!.stats().leases} leases for one burst`);
  });

  it('refuses with the seconds until the shared bucket holds a token again', async () => {
    // 6 a minute, 2 at once: the second token goes to a, which leases ahead of its need.
    const [a, b] = processes(2, { perMinute: 6, burst: 2, leaseSize: 1 });
    assert.equal((await a!.take('slow', 0)).allowed, true);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await b!.take('slow', 0), { allowed: false, retryAfterSeconds: 10 });
    assert.equal((await a!.take('slow', 0)).allowed, true, 'a spends what it leased');
    assert.deepEqual(await b!.take('slow', 5_000), { allowed: false, retryAfterSeconds: 5 });
    assert.deepEqual(await a!.take('slow', 5_000), { allowed: false, retryAfterSeconds: 5 });
    assert.equal((await a!.take('slow', 10_000)).allowed, true);
    assert.equal((await b!.take('slow', 10_000)).allowed, false, 'the token a took is not b’s');
  });

  it('keys are independent, and rows idle for longer than a full refill are swept', async () => {
    const [limiter] = processes(1, { perMinute: 600, burst: 10, leaseSize: 1 });
    assert.equal((await limiter!.take('idle', 0)).allowed, true);
    assert.equal((await limiter!.take('busy', 0)).allowed, true);
    assert.equal((await limiter!.take('busy', 120_000)).allowed, true);
    const deadline = Date.now() + 5000;
    let rows: Array<{ key: string }> = [];
    while (Date.now() < deadline) {
      rows = await db.database.dataSource.query(`SELECT key FROM rate_limit_buckets WHERE key IN ('idle', 'busy') ORDER BY key`);
      if (rows.length === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(rows.map((r) => r.key), ['busy']);
  });

  it('falls back to limiting in this process when the database does not answer', async () => {
    const broken = { query: async (): Promise<never> => Promise.reject(new Error('connection refused')) };
    const limiter = createSharedRateLimiter({ perMinute: 60, burst: 3, db: broken, logger });
    const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.take('k', 0)));
    assert.equal(decisions.filter((d) => d.allowed).length, 3);
    assert.equal(limiter.stats().fallbacks, 5);
  });

  it('keeps a token\'s export and interactive classes in separate rows, each with its own limits', async () => {
    const interactive = createSharedRateLimiter({ perMinute: 60, burst: 3, db: db.database.dataSource, logger });
    const exporting = withKeyPrefix(EXPORT_RATE_KEY_PREFIX, createSharedRateLimiter({ perMinute: 60, burst: 8, db: db.database.dataSource, logger }));
    const take = async (l: { take(k: string, t: number): Promise<{ allowed: boolean }> }, n: number) => {
      let allowed = 0;
      for (let i = 0; i < n; i++) if ((await l.take('jti-both', 0)).allowed) allowed++;
      return allowed;
    };
    assert.equal(await take(exporting, 12), 8, 'the export burst');
    assert.equal(await take(interactive, 5), 3, 'the interactive burst, untouched by the export requests');
    assert.equal(await take(exporting, 1), 0, 'and the other way round');
    const rows: Array<{ key: string }> = await db.database.dataSource.query(`SELECT key FROM rate_limit_buckets WHERE key LIKE '%jti-both' ORDER BY key`);
    assert.deepEqual(rows.map((r) => r.key), ['export:jti-both', 'jti-both']);
  });
});
