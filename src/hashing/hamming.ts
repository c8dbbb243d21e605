const PDQ_HEX = /^[0-9a-f]{64}$/;

export function isPdqHex(value: string): boolean {
  return PDQ_HEX.test(value);
}

/** popcount(a XOR b) over 256 bits, 32 bits at a time. */
export function pdqDistance(a: string, b: string): number {
  if (!isPdqHex(a) || !isPdqHex(b)) throw new RangeError('PDQ hashes are 64 lowercase hex characters');
  let distance = 0;
  for (let i = 0; i < 64; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    distance += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return distance;
}
