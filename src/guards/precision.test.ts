import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRECISION_POLICY, precisionVerdict, wilsonUpper } from './precision.js';

describe('outcome precision verdict', () => {
  it('decides nothing below the minimum of judgements', () => {
    assert.equal(precisionVerdict({ removals: 0, noViolation: 4 }), 'UNJUDGED');
    assert.equal(precisionVerdict({ removals: 0, noViolation: 0 }), 'UNJUDGED');
  });
  it('holds an indicator the platforms confidently judge benign', () => {
    assert.equal(precisionVerdict({ removals: 0, noViolation: 12 }), 'HOLD');
    assert.equal(precisionVerdict({ removals: 2, noViolation: 40 }), 'HOLD');
  });
  it('only flags low precision the judgements cannot yet establish', () => {
    // 0 of 5: precision 0, but the upper bound (0.43) is above 0.3.
    assert.equal(precisionVerdict({ removals: 0, noViolation: 5 }), 'FLAG');
    assert.equal(precisionVerdict({ removals: 4, noViolation: 6 }), 'FLAG');
  });
  it('leaves a precise indicator alone', () => {
    assert.equal(precisionVerdict({ removals: 5, noViolation: 5 }), 'OK');
    assert.equal(precisionVerdict({ removals: 30, noViolation: 1 }), 'OK');
  });
  it('follows the policy it is given', () => {
    assert.equal(precisionVerdict({ removals: 6, noViolation: 4 }, { ...DEFAULT_PRECISION_POLICY, flagBelow: 0.7 }), 'FLAG');
    assert.equal(precisionVerdict({ removals: 0, noViolation: 3 }, { ...DEFAULT_PRECISION_POLICY, minJudged: 3 }), 'FLAG');
  });
  it('computes the Wilson upper bound', () => {
    assert.ok(Math.abs(wilsonUpper(0, 5) - 0.4345) < 1e-3);
    assert.ok(Math.abs(wilsonUpper(0.5, 100) - 0.5964) < 1e-3);
  });
});
