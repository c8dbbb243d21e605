import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../test/helpers/fuzz-random.js';
import { DEFAULT_FLOOD_POLICY, floodVerdict, HitRates, type FloodPolicy } from './flood.js';

describe('flood quarantine’s rule', () => {
  it('decides nothing under minScans, quarantines over maxShare, and a disputed indicator over disputedShare', () => {
    const p = DEFAULT_FLOOD_POLICY;
    assert.equal(floodVerdict({ hits: 49, scans: 49, share: 1 }, p, false).quarantine, false);
    assert.deepEqual(floodVerdict({ hits: 11, scans: 50, share: 0.22 }, p, false), { quarantine: true, reason: 'FLOOD' });
    assert.equal(floodVerdict({ hits: 10, scans: 50, share: 0.2 }, p, false).quarantine, false);
    assert.deepEqual(floodVerdict({ hits: 3, scans: 50, share: 0.06 }, p, true), { quarantine: true, reason: 'DISPUTED_FLOOD' });
    assert.equal(floodVerdict({ hits: 3, scans: 50, share: 0.06 }, p, false).quarantine, false);
  });

  it('counts hits and scans over the sliding window like a brute-force count of every event', () => {
    const policy: FloodPolicy = { ...DEFAULT_FLOOD_POLICY, windowMs: 1000, buckets: 10 };
    const rng = createRng(21);
    const rates = new HitRates(policy);
    const events: Array<{ t: number; ids: string[] }> = [];
    let now = 5_000;
    for (let n = 0; n < 3000; n++) {
      now += rng.int(40);
      const ids = ['a', 'b', 'c'].filter(() => rng.chance(0.3));
      rates.record(now, [...ids, ...ids]);
      events.push({ t: now, ids });
      if (n % 7 !== 0) continue;
      const at = now + rng.int(300);
      // In the window: the event's 100 ms bucket is one of the ten ending with `at`'s.
      const inWindow = events.filter((e) => Math.floor(e.t / 100) > Math.floor(at / 100) - 10);
      for (const id of ['a', 'b', 'c', 'z']) {
        const hits = inWindow.filter((e) => e.ids.includes(id)).length;
        assert.deepEqual(rates.rate(id, at), { hits, scans: inWindow.length, share: inWindow.length === 0 ? 0 : hits / inWindow.length }, `event ${n}, ${id}`);
      }
    }
  });

  it('counts a listing scanned again within the window once, and again once the window has passed', () => {
    const rates = new HitRates({ ...DEFAULT_FLOOD_POLICY, windowMs: 1000, buckets: 10 });
    assert.equal(rates.record(0, ['a'], 'same'), true);
    assert.equal(rates.record(500, ['a'], 'same'), false);
    assert.equal(rates.record(600, ['a'], 'other'), true);
    assert.deepEqual(rates.rate('a', 900), { hits: 2, scans: 2, share: 1 });
    assert.equal(rates.record(1500, ['a'], 'same'), true);
  });
});
