import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FLOOD_POLICY } from './flood.js';
import { holdDecision } from './hold.js';
import { DEFAULT_PRECISION_POLICY } from './precision.js';

const policies = { flood: DEFAULT_FLOOD_POLICY, precision: DEFAULT_PRECISION_POLICY };

describe('holdDecision: one decision for flood and precision holds', () => {
  it('holds a flood with its rate, and not a rate under the rule', () => {
    assert.deepEqual(holdDecision({ kind: 'flood', rate: { hits: 30, scans: 60, share: 0.5 }, disputed: false }, policies), { hold: true, reason: 'FLOOD', hits: 30, scans: 60 });
    assert.deepEqual(holdDecision({ kind: 'flood', rate: { hits: 6, scans: 60, share: 0.1 }, disputed: true }, policies), { hold: true, reason: 'DISPUTED_FLOOD', hits: 6, scans: 60 });
    assert.deepEqual(holdDecision({ kind: 'flood', rate: { hits: 6, scans: 60, share: 0.1 }, disputed: false }, policies), { hold: false });
  });
  it('holds on a HOLD precision verdict only: FLAG and UNJUDGED hold nothing', () => {
    assert.deepEqual(holdDecision({ kind: 'precision', removals: 0, noViolation: 9 }, policies), { hold: true, reason: 'PRECISION', hits: 9, scans: 9 });
    assert.deepEqual(holdDecision({ kind: 'precision', removals: 0, noViolation: 8 }, policies), { hold: false }, 'FLAG');
    assert.deepEqual(holdDecision({ kind: 'precision', removals: 0, noViolation: 4 }, policies), { hold: false }, 'UNJUDGED');
    assert.deepEqual(holdDecision({ kind: 'precision', removals: 9, noViolation: 9 }, policies), { hold: false }, 'OK');
  });
});
