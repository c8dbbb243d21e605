import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlace, isOverdue, jurisdictionCovers, overdueCutoff } from './index.js';

const H = 3_600_000;

describe('the overdue rule', () => {
  const filedAt = new Date('2026-12-01T08:00:00.000Z');
  const at = (ms: number) => new Date(filedAt.getTime() + ms);

  it('is overdue from exactly filedAt + the limit, unacknowledged, and not a millisecond before', () => {
    assert.equal(isOverdue({ filedAt, acknowledgedAt: null }, at(72 * H - 1), 72 * H), false);
    assert.equal(isOverdue({ filedAt, acknowledgedAt: null }, at(72 * H), 72 * H), true);
    assert.equal(isOverdue({ filedAt, acknowledgedAt: null }, at(400 * H), 72 * H), true);
    assert.equal(isOverdue({ filedAt, acknowledgedAt: null }, at(0), 72 * H), false);
  });

  it('is never overdue once acknowledged, even late', () => {
    assert.equal(isOverdue({ filedAt, acknowledgedAt: at(100 * H) }, at(200 * H), 72 * H), false);
  });

  it('counts in the database with the same cutoff (filed_at <= cutoff)', () => {
    assert.equal(overdueCutoff(at(72 * H), 72 * H).getTime(), filedAt.getTime());
    assert.equal(overdueCutoff(new Date(10 * H), 1 * H).getTime(), 9 * H);
  });
});

describe('places and jurisdictions', () => {
  it('takes ISO 3166 countries and subdivisions of known countries, and region codes', () => {
    for (const ok of ['CN', 'KE', 'VN', 'CN-YN', 'CN-53', 'KE-30', 'region:golden-triangle', 'region:east-africa']) assert.equal(assertPlace(ok, 'place'), ok);
  });

  it('refuses unknown or user-assigned countries, lower case, other separators, control characters and long codes', () => {
    for (const bad of ['XX', 'ZZ', 'AA', 'QM', 'XK-1', 'cn', 'CN_YN', 'CN-YUNNAN', 'region:', 'region:Golden', 'CN\u202e', 'C', '', 'CN-YN-1', 'x'.repeat(60), 42, null]) {
      assert.throws(() => assertPlace(bad, 'place'), { code: 'INVALID_REFERRAL' }, String(bad));
    }
  });

  it('a country covers itself and its subdivisions; a subdivision or region only itself', () => {
    assert.equal(jurisdictionCovers('CN', 'CN'), true);
    assert.equal(jurisdictionCovers('CN', 'CN-YN'), true);
    assert.equal(jurisdictionCovers('CN', 'CNX'), false);
    assert.equal(jurisdictionCovers('CN-YN', 'CN'), false);
    assert.equal(jurisdictionCovers('CN-YN', 'CN-YN'), true);
    assert.equal(jurisdictionCovers('CN-YN', 'CN-GD'), false);
    assert.equal(jurisdictionCovers('region:golden-triangle', 'region:golden-triangle'), true);
    assert.equal(jurisdictionCovers('region:golden', 'region:golden-triangle'), false);
  });
});
