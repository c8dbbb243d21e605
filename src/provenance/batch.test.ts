import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenanceError, assertBatchPayload, parseRfc3339 } from './index.js';

const valid = {
  v: 1,
  batchId: '0f8c6a1e-4b2d-4c7e-9a3f-5d1b2c3e4f50',
  member: 'shopmart',
  createdAt: '2026-03-01T12:00:00.000Z',
  tlp: 'AMBER',
  indicators: [{ type: 'KEYWORD', value: '象牙' }],
};
const INDICATOR_ID = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';

function rejectsField(field: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ProvenanceError, `expected ProvenanceError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_BATCH');
    assert.equal(error.details?.field, field);
    return true;
  };
}

describe('assertBatchPayload', () => {
  it('accepts a well-formed envelope, with or without retractions', () => {
    assertBatchPayload(valid);
    assertBatchPayload({ ...valid, indicators: [], retractions: [{ indicatorId: INDICATOR_ID, reason: 'listing was a replica' }] });
  });

  describe('when a field is missing, unknown or malformed', () => {
    const cases: Array<[string, unknown, string]> = [
      ['an array payload', [valid], '$'],
      ['an unknown field', { ...valid, signature: 'x' }, 'signature'],
      ['version 3', { ...valid, v: 3 }, 'v'],
      ['version "1"', { ...valid, v: '1' }, 'v'],
      ['an upper-case batchId', { ...valid, batchId: valid.batchId.toUpperCase() }, 'batchId'],
      ['a batchId that is not a UUID', { ...valid, batchId: 'batch-1' }, 'batchId'],
      ['a member that is not a slug', { ...valid, member: 'Shop Mart' }, 'member'],
      ['a missing member', { ...valid, member: undefined }, 'member'],
      ['a createdAt without offset', { ...valid, createdAt: '2026-03-01T12:00:00' }, 'createdAt'],
      ['a createdAt with a lower-case t', { ...valid, createdAt: '2026-03-01t12:00:00Z' }, 'createdAt'],
      ['a createdAt on 30 February', { ...valid, createdAt: '2026-02-30T12:00:00Z' }, 'createdAt'],
      ['a createdAt at 24:00', { ...valid, createdAt: '2026-03-01T24:00:00Z' }, 'createdAt'],
      ['a createdAt in epoch milliseconds', { ...valid, createdAt: 1772366400000 }, 'createdAt'],
      ['TLP WHITE (TLP 1.0)', { ...valid, tlp: 'WHITE' }, 'tlp'],
      ['indicators as an object', { ...valid, indicators: {} }, 'indicators'],
      ['an indicator that is a string', { ...valid, indicators: ['象牙'] }, 'indicators[0]'],
      ['an indicator that is an array', { ...valid, indicators: [{}, []] }, 'indicators[1]'],
      ['an indicator that is null', { ...valid, indicators: [null] }, 'indicators[0]'],
      ['retractions as an object', { ...valid, retractions: {} }, 'retractions'],
      ['a retraction with an extra field', { ...valid, retractions: [{ indicatorId: INDICATOR_ID, reason: 'x', by: 'me' }] }, 'retractions[0]'],
      ['a retraction with a bad indicator id', { ...valid, retractions: [{ indicatorId: 'abc', reason: 'x' }] }, 'retractions[0].indicatorId'],
      ['a retraction with a blank reason', { ...valid, retractions: [{ indicatorId: INDICATOR_ID, reason: ' ' }] }, 'retractions[0].reason'],
    ];
    for (const [label, value, field] of cases) {
      it(`rejects ${label} with INVALID_BATCH`, () => {
        assert.throws(() => assertBatchPayload(value), rejectsField(field));
      });
    }
  });
});

describe('parseRfc3339', () => {
  it('reads offsets and fractions to the right instant', () => {
    assert.equal(parseRfc3339('2026-03-01T17:30:00+05:30')?.toISOString(), '2026-03-01T12:00:00.000Z');
    assert.equal(parseRfc3339('2026-03-01T12:00:00.123456789Z')?.toISOString(), '2026-03-01T12:00:00.123Z');
    assert.equal(parseRfc3339('2024-02-29T00:00:00Z')?.toISOString(), '2024-02-29T00:00:00.000Z');
  });

  it('returns undefined for what RFC 3339 does not allow or a Date cannot hold', () => {
    for (const text of ['2026-03-01', '2026-03-01 12:00:00Z', '2025-02-29T00:00:00Z', '2026-12-31T23:59:60Z', '2026-03-01T12:00:00+24:00', '+2026-03-01T12:00:00Z']) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });
});
