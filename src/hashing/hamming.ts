import { HashingError } from './errors.js';

const PDQ_HEX = /^[0-9a-f]{64}$/;

/** True for a PDQ hash as wildintel writes it: exactly 64 lowercase hex characters (256 bits). */
export function isPdqHex(value: unknown): value is string {
  return typeof value === 'string' && PDQ_HEX.test(value);
}

/**
 * Hamming distance between two PDQ hashes: popcount(a XOR b) over the 256 bits, 32 at a time.
 * Between faithful implementations it is even. Match at ≤ 31 (pdq/README.md).
 */
export function pdqDistance(a: string, b: string): number {
  if (!isPdqHex(a) || !isPdqHex(b)) {
    throw new HashingError('INVALID_PDQ_HASH', 'a PDQ hash must be 64 lowercase hex characters', {
      details: { which: isPdqHex(a) ? 'second' : 'first' },
    });
  }
  let distance = 0;
  for (let i = 0; i < 64; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    distance += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return distance;
}
