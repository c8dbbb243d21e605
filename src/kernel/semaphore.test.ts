import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphore } from './semaphore.js';

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
