import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HashingError, isPdqHex, pdqDistance } from './index.js';

const ZERO = '0'.repeat(64);

describe('pdqDistance', () => {
  it('counts differing bits over all 256', () => {
    assert.equal(pdqDistance(ZERO, ZERO), 0);
    assert.equal(pdqDistance(ZERO, 'f'.repeat(64)), 256);
    assert.equal(pdqDistance(ZERO, '0'.repeat(63) + '1'), 1);
    assert.equal(pdqDistance(ZERO, '8' + '0'.repeat(63)), 1);
    assert.equal(pdqDistance('a'.repeat(64), '5'.repeat(64)), 256);
    assert.equal(pdqDistance('0123456789abcdef'.repeat(4), 'fedcba9876543210'.repeat(4)), 256);
    assert.equal(pdqDistance('0f'.repeat(32), ZERO), 128);
    assert.equal(pdqDistance('1248'.repeat(16), ZERO), 64);
  });

  it('is symmetric', () => {
    const a = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    const b = '30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af';
    assert.equal(pdqDistance(a, b), pdqDistance(b, a));
  });

  describe('when a hash is malformed', () => {
    for (const bad of ['F'.repeat(64), '0'.repeat(63), '0'.repeat(65), 'g'.repeat(64), ` ${'0'.repeat(63)}`]) {
      it(`refuses ${JSON.stringify(bad.slice(0, 8))}… (${bad.length} chars) with INVALID_PDQ_HASH`, () => {
        assert.throws(() => pdqDistance(bad, ZERO), (e: unknown) => e instanceof HashingError && e.code === 'INVALID_PDQ_HASH' && e.details?.['which'] === 'first');
        assert.throws(() => pdqDistance(ZERO, bad), (e: unknown) => e instanceof HashingError && e.details?.['which'] === 'second');
      });
    }
  });
});

describe('isPdqHex', () => {
  it('accepts exactly 64 lowercase hex characters', () => {
    assert.equal(isPdqHex('0123456789abcdef'.repeat(4)), true);
    assert.equal(isPdqHex('0123456789ABCDEF'.repeat(4)), false);
    assert.equal(isPdqHex('0'.repeat(62)), false);
    assert.equal(isPdqHex(42), false);
  });
});
