import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMODITIES,
  INDICATOR_TYPES,
  TLPS,
  aggregateOpinionStatus,
  isIndicatorType,
  isTlp,
  tlpAllows,
  tlpRank,
} from './index.js';

describe('vocabularies', () => {
  it('lists the design’s values in order', () => {
    assert.deepEqual(INDICATOR_TYPES, ['KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256']);
    assert.deepEqual(TLPS, ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED']);
    assert.equal(COMMODITIES.length, 10);
  });

  it('recognises members and refuses look-alikes', () => {
    assert.equal(isTlp('AMBER_STRICT'), true);
    assert.equal(isTlp('amber'), false);
    assert.equal(isIndicatorType('SELLER'), true);
    assert.equal(isIndicatorType('IMAGE'), false);
  });
});

describe('when comparing TLP labels', () => {
  it('ranks CLEAR lowest and RED highest', () => {
    assert.deepEqual(TLPS.map(tlpRank), [0, 1, 2, 3, 4]);
  });

  it('allows labels up to and including the maximum', () => {
    assert.equal(tlpAllows('AMBER', 'CLEAR'), true);
    assert.equal(tlpAllows('AMBER', 'AMBER'), true);
    assert.equal(tlpAllows('AMBER', 'AMBER_STRICT'), false);
    assert.equal(tlpAllows('RED', 'RED'), true);
    assert.equal(tlpAllows('CLEAR', 'GREEN'), false);
  });
});

describe('when aggregating opinions', () => {
  it('is DISPUTED only when both verdicts exist', () => {
    assert.equal(aggregateOpinionStatus({ confirmed: 0, falsePositive: 0 }), 'UNREVIEWED');
    assert.equal(aggregateOpinionStatus({ confirmed: 2, falsePositive: 0 }), 'CONFIRMED');
    assert.equal(aggregateOpinionStatus({ confirmed: 0, falsePositive: 1 }), 'FALSE_POSITIVE');
    assert.equal(aggregateOpinionStatus({ confirmed: 1, falsePositive: 1 }), 'DISPUTED');
  });
});
