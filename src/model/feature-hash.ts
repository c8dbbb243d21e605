/**
 * The hashing trick: every feature string is mapped to one of 2^bits weights by MurmurHash3
 * (x86, 32-bit) over its UTF-16 code units. Written here because it is twenty lines and the
 * model file's meaning depends on it bit for bit: a dependency's upgrade must not silently
 * re-map every weight of an installed model (feature-hash.test.ts pins known values).
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmur3(text: string, seed = 0): number {
  let h = seed >>> 0;
  const n = text.length;
  // Two code units make one 32-bit block.
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The weight index of a feature in a space of 2^bits. */
export function featureIndex(feature: string, bits: number): number {
  return murmur3(feature) & ((1 << bits) - 1);
}
