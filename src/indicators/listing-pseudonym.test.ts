import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { computeListingPseudonym, isListingPseudonym } from './listing-pseudonym.js';
import { parseIndicator } from './indicator.js';
import { InvalidIndicatorError } from './errors.js';

const key = { keyId: '2026-01', key: new Uint8Array(32).fill(7) };
const other = { keyId: '2026-02', key: new Uint8Array(32).fill(8) };
const item = { type: 'KEYWORD', value: 'ivory', commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T12:00:00Z' };

describe('listing pseudonyms', () => {
  it('is lp1.<keyId>.<HMAC of "listing:" NFKC+trim(raw)>, checked against node:crypto directly', () => {
    const expected = `lp1.2026-01.${createHmac('sha256', key.key).update('listing:https://shop.example/item/42').digest('base64url')}`;
    assert.equal(computeListingPseudonym('  https://shop.example/item/42 ', key), expected);
    assert.equal(computeListingPseudonym('ｈｔｔｐｓ://shop.example/item/42', key), expected, 'full-width spellings fold under NFKC');
    assert.ok(isListingPseudonym(expected));
  });

  it('never carries the raw id, and differs by key epoch and by listing', () => {
    const a = computeListingPseudonym('item-42', key);
    assert.ok(!a.includes('item-42'));
    assert.notEqual(a, computeListingPseudonym('item-42', other));
    assert.notEqual(a, computeListingPseudonym('item-43', key));
  });

  it('refuses an empty or oversized raw listing with the field named', () => {
    assert.throws(() => computeListingPseudonym('   ', key), (e: unknown) => e instanceof InvalidIndicatorError && e.field === 'listing');
    assert.throws(() => computeListingPseudonym('x'.repeat(2049), key), (e: unknown) => e instanceof InvalidIndicatorError && e.field === 'listing');
  });

  it('rejects raw ids, other prefixes and non-canonical digests', () => {
    const good = computeListingPseudonym('item-42', key);
    for (const bad of ['item-42', 'https://shop.example/item/42', good.replace('lp1.', 'fp1.'), good.replace('lp1.2026-01', 'lp1.Key'), `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`.replace(/.$/, '_'), `${good}=`]) {
      if (bad === good) continue;
      assert.equal(isListingPseudonym(bad), false, bad);
    }
  });
});

describe('the item field listings', () => {
  const a = computeListingPseudonym('item-1', key);
  const b = computeListingPseudonym('item-2', key);
  const [lo, hi] = [a, b].sort() as [string, string];

  it('is optional: an item without it (every batch before listings) stays valid', () => {
    assert.equal(parseIndicator(item, 0).listings, undefined);
  });

  it('carries sorted, unique listing pseudonyms', () => {
    assert.deepEqual(parseIndicator({ ...item, listings: [lo, hi] }, 0).listings, [lo, hi]);
  });

  for (const [name, listings] of [
    ['a raw listing id', ['item-1']],
    ['an empty list', []],
    ['an unsorted list', [hi, lo]],
    ['a repeat', [lo, lo]],
    ['more than 64', Array.from({ length: 65 }, (_, i) => computeListingPseudonym(`item-${i}`, key)).sort()],
  ] as const) {
    it(`refuses ${name} with INVALID_INDICATOR on listings`, () => {
      assert.throws(() => parseIndicator({ ...item, listings }, 3), (e: unknown) => e instanceof InvalidIndicatorError && e.field.startsWith('listings') && e.index === 3);
    });
  }
});
