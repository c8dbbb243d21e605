/**
 * Seeded randomness for the fuzz suite: every input is drawn from one PRNG, so a failure is
 * reproduced by its seed (FUZZ_SEED), and the hostile values fuzzers try on any input.
 */

export interface Rng {
  /** [0, 1) */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** The seed of this run: FUZZ_SEED if set, else drawn, and printed by the caller. */
export function fuzzSeed(): number {
  const given = process.env['FUZZ_SEED'];
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

/** Strings that break parsers, databases and encoders. */
export function nastyString(r: Rng): string {
  const pick = r.int(14);
  switch (pick) {
    case 0: return 'a\u0000b';
    case 1: return '\ud800';
    case 2: return 'x\udfffy';
    case 3: return 'A'.repeat(r.pick([1000, 10_000, 100_000]));
    case 4: return '象牙'.repeat(r.pick([100, 3000]));
    case 5: return "'; DROP TABLE indicators; --";
    case 6: return '%00%ff%ED%A0%80';
    case 7: return '\u202e\u200b\ufeff';
    case 8: return '{"__proto__":{"x":1}}';
    case 9: return '../'.repeat(20) + 'etc/passwd';
    case 10: return '\\u0000';
    case 11: return '';
    case 12: return '🐘'.repeat(50);
    default: return randomText(r, 1 + r.int(40));
  }
}

export function nastyNumber(r: Rng): number | string {
  return r.pick<number | string>([0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, 0.5, 1e-320, 9_999_999_999, '1', 'NaN']);
}

export function randomText(r: Rng, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/ 象牙犀角穿山甲{}[]()"\'\\\n\t@#$!';
  return Array.from({ length }, () => alphabet[r.int(alphabet.length)]).join('');
}

/** A hostile JSON value of any shape, nested up to `depth`. */
export function nastyValue(r: Rng, depth = 3): unknown {
  const kind = r.int(depth > 0 ? 8 : 5);
  switch (kind) {
    case 0: return nastyString(r);
    case 1: return nastyNumber(r);
    case 2: return r.chance(0.5);
    case 3: return null;
    case 4: return randomText(r, r.int(20));
    case 5: return Array.from({ length: r.int(5) }, () => nastyValue(r, depth - 1));
    case 6: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.chance(0.2) ? nastyString(r).slice(0, 40) : randomText(r, 1 + r.int(8)), nastyValue(r, depth - 1)]));
    default: return { __proto__: null, constructor: nastyString(r) };
  }
}

/** Byte-level mutations of `bytes`: flips, insertions, deletions, truncation, duplication, splices of hostile bytes. */
export function mutateBytes(r: Rng, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const mutations = 1 + r.int(4);
  let current = out;
  for (let m = 0; m < mutations; m++) {
    const at = current.length === 0 ? 0 : r.int(current.length);
    switch (r.int(7)) {
      case 0:
        if (current.length > 0) current[at] = current[at]! ^ (1 << r.int(8));
        break;
      case 1:
        current = Buffer.concat([current.subarray(0, at), Buffer.from([r.int(256)]), current.subarray(at)]);
        break;
      case 2:
        current = Buffer.concat([current.subarray(0, at), current.subarray(Math.min(current.length, at + 1 + r.int(16)))]);
        break;
      case 3:
        current = current.subarray(0, at);
        break;
      case 4:
        current = Buffer.concat([current, current.subarray(at)]);
        break;
      case 5:
        current = Buffer.concat([current.subarray(0, at), Buffer.from(r.pick(['\u0000', '\ud800', '..', '.', '=', '%00', '\r\n', '\u00ff', '{"a":', '"', '\\'])), current.subarray(at)]);
        break;
      default:
        if (current.length > 0) current[at] = r.int(256);
    }
  }
  return current;
}
