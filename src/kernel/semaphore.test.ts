import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBudget, createSemaphore } from './semaphore.js';

describe('createSemaphore', () => {
  it('runs at most `limit` tasks at once, the others in arrival order, and releases on failure', async () => {
    const gate = createSemaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async (): Promise<number> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      order.push(i);
      if (i === 1) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => gate.run(task(i))));
    assert.equal(peak, 2);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.deepEqual([gate.active, gate.waiting], [0, 0]);
  });
  it('refuses a limit under 1', () => {
    assert.throws(() => createSemaphore(0), RangeError);
  });
});

describe('createBudget', () => {
  /** mulberry32, so a failing case can be replayed from its seed. */
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('never holds more than its capacity, starts tasks in arrival order, and holds nothing at the end (generated cases)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(seed);
      const capacity = 1 + Math.floor(random() * 100);
      const amounts = Array.from({ length: 12 }, () => Math.floor(random() * (capacity + 1)));
      const budget = createBudget(capacity);
      let held = 0;
      let peak = 0;
      const started: number[] = [];
      await Promise.all(
        amounts.map((amount, i) =>
          budget.run(amount, async () => {
            started.push(i);
            held += amount;
            peak = Math.max(peak, held);
            assert.ok(held <= capacity, `seed ${seed}: ${held} held of ${capacity}`);
            // Admitted tasks may not have begun yet: the budget counts them already.
            assert.ok(budget.used >= held && budget.used <= capacity, `seed ${seed}: the budget accounts for ${budget.used}, tasks hold ${held}`);
            await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
            held -= amount;
          }),
        ),
      );
      assert.deepEqual(started, amounts.map((_, i) => i), `seed ${seed}: arrival order`);
      assert.deepEqual([budget.used, budget.waiting], [0, 0], `seed ${seed}`);
      assert.ok(budget.peak >= peak && budget.peak <= capacity, `seed ${seed}: peak ${budget.peak}`);
    }
  });

  it('releases on failure, and refuses an amount over its capacity before running anything', async () => {
    const budget = createBudget(10);
    await assert.rejects(budget.run(6, () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(budget.used, 0);
    assert.equal(budget.fits(11), false);
    let ran = false;
    await assert.rejects(budget.run(11, async () => void (ran = true)), RangeError);
    assert.equal(ran, false);
    assert.throws(() => createBudget(0), RangeError);
  });
});
