import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchEvents } from './indicator-events.js';

const batch = (n: number) => ({ member: 'shopmart', batchId: `b${n}`, tlp: 'AMBER' as const });

describe('batch events', () => {
  it('delivers each batch expanded per subscriber, in order', async () => {
    const events = createBatchEvents();
    const it1 = events.subscribe(async (b) => [`${b.batchId}.1`, `${b.batchId}.2`]);
    const it2 = events.subscribe(async (b) => (b.batchId === 'b1' ? [] : [b.batchId]));
    events.publish(batch(1));
    events.publish(batch(2));
    assert.deepEqual([(await it1.next()).value, (await it1.next()).value, (await it1.next()).value], ['b1.1', 'b1.2', 'b2.1']);
    assert.deepEqual((await it2.next()).value, 'b2', 'a batch that expands to nothing is skipped');
  });

  it('ends a subscriber at once on return(), even while it waits, and forgets it', async () => {
    const events = createBatchEvents();
    const it1 = events.subscribe(async (b) => [b.batchId]);
    const waiting = it1.next();
    assert.equal(events.subscribers, 1);
    await it1.return!();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.equal(events.subscribers, 0);
    events.publish(batch(3));
  });
});
