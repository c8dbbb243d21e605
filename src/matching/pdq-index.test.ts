import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pdqDistance } from '../hashing/index.js';
import { PdqIndex, type PdqMatch } from './index.js';

/** Deterministic pseudo-random 64-hex hashes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
}
const randomHash = (next: () => number): string => Array.from({ length: 8 }, () => next().toString(16).padStart(8, '0')).join('');
function flipBits(hex: string, k: number, next: () => number): string {
  const bits = [...BigInt(`0x${hex}`).toString(2).padStart(256, '0')];
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(next() % 256);
  for (const i of chosen) bits[i] = bits[i] === '1' ? '0' : '1';
  return BigInt(`0b${bits.join('')}`).toString(16).padStart(64, '0');
}

function bruteForce(entries: Array<[string, string]>, query: string, r: number): PdqMatch[] {
  return entries
    .map(([id, hex]) => ({ id, distance: pdqDistance(hex, query) }))
    .filter((m) => m.distance <= r)
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
}

describe('PdqIndex', () => {
  const next = rng(42);
  const centres = Array.from({ length: 20 }, () => randomHash(next));
  const entries: Array<[string, string]> = [];
  for (let i = 0; i < 3000; i++) entries.push([`r${i}`, randomHash(next)]);
  for (let i = 0; i < 3000; i++) entries.push([`c${i}`, flipBits(centres[i % 20]!, next() % 60, next)]);
  const index = new PdqIndex();
  for (const [id, hex] of entries) index.add(id, hex);

  for (const r of [0, 1, 8, 31, 32, 64, 100]) {
    it(`equals brute force at radius ${r} on random and clustered hashes`, () => {
      const queries = [...centres.slice(0, 5), ...entries.slice(0, 5).map(([, h]) => h), flipBits(centres[3]!, 20, next), randomHash(next)];
      for (const q of queries) assert.deepEqual(index.search(q, r), bruteForce(entries, q, r));
    });
  }

  it('finds hashes added after the last build, and forgets removed ones', () => {
    const fresh = new PdqIndex();
    fresh.add('a', centres[0]!);
    fresh.add('b', flipBits(centres[0]!, 10, next));
    assert.deepEqual(fresh.search(centres[0]!, 31).map((m) => m.id), ['a', 'b']);
    fresh.build();
    fresh.remove('a');
    assert.deepEqual(fresh.search(centres[0]!, 31).map((m) => m.id), ['b']);
    assert.equal(fresh.size, 1);
  });

  it('refuses a bad radius and a bad hash', () => {
    assert.throws(() => index.search(centres[0]!, 257), RangeError);
    assert.throws(() => index.add('x', 'ABC'), RangeError);
  });
});
