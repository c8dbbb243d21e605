/**
 * The demo's outcome plan: the same data set gives the same plan, every platform records each
 * kind of action, and no target is named twice (so the items the nodes record, which the demo
 * checks the transparency report against, are what the plan says).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset, PLATFORMS } from '../scripts/demo/dataset.js';
import { planOutcomes } from '../scripts/demo/outcomes.js';

const NOW = new Date('2026-12-01T00:00:00Z');

describe('the demo’s outcomes', () => {
  it('plans each action at every platform, every target once, the same for the same data set', async () => {
    const dataset = await buildDataset({ seed: 42, listings: 120, images: 6, now: NOW });
    const plan = planOutcomes(dataset);
    assert.deepEqual(planOutcomes(dataset), plan);
    for (const platform of PLATFORMS) {
      const outcomes = plan.get(platform)!;
      assert.deepEqual([...new Set(outcomes.map((o) => o.action))].sort(), ['ACCOUNT_SUSPENDED', 'NO_VIOLATION', 'REMOVED', 'WARNED'], platform);
      const targets = outcomes.map((o) => JSON.stringify(o.target));
      assert.equal(new Set(targets).size, targets.length, `${platform} names a target twice`);
      const listings = dataset.listings.filter((l) => l.platform === platform).length;
      assert.ok(outcomes.length >= listings / 10 && outcomes.length <= listings / 3, `${platform}: ${outcomes.length} outcomes of ${listings} listings`);
    }
  });
});
