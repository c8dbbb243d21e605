import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pdqDistance } from '../hashing/index.js';
import { MatchingError, PdqIndex, type PdqLoadProgress, type PdqMatch } from './index.js';
import { onlyInPass } from '../db/test-server.js';

/** Deterministic 32-bit generator (LCG), so a failing case can be replayed. */
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

/** The reference: distance by counting bits one at a time over the bytes, independent of the index's popcount. */
const BYTE_BITS = Array.from({ length: 256 }, (_, b) => [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => (b >> i) & 1).length);
function slowDistance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 32; i++) d += BYTE_BITS[a[i]! ^ b[i]!]!;
  return d;
}

class BruteForce {
  readonly entries = new Map<string, Uint8Array>();
  set(id: string, hex: string): void {
    this.entries.set(id, Buffer.from(hex, 'hex'));
  }
  search(hex: string, r: number): PdqMatch[] {
    const q = Buffer.from(hex, 'hex');
    const found: PdqMatch[] = [];
    for (const [id, h] of this.entries) {
      const distance = slowDistance(h, q);
      if (distance <= r) found.push({ id, distance });
    }
    return found.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

/** Random hashes, plus clusters of near-duplicates (k random bits flipped off a few centres), plus exact duplicates under other ids. */
function corpus(seed: number, random: number, clustered: number): { centres: string[]; entries: Array<[string, string]>; next: () => number } {
  const next = rng(seed);
  const centres = Array.from({ length: 8 }, () => randomHash(next));
  const entries: Array<[string, string]> = [];
  for (let i = 0; i < random; i++) entries.push([`r${i}`, randomHash(next)]);
  for (let i = 0; i < clustered; i++) entries.push([`c${i}`, flipBits(centres[i % centres.length]!, next() % 48, next)]);
  for (let i = 0; i < 20; i++) entries.push([`d${i}`, entries[(i * 97) % entries.length]![1]]);
  return { centres, entries, next };
}

function queriesFor(c: ReturnType<typeof corpus>): string[] {
  const { centres, entries, next } = c;
  return [
    ...centres.slice(0, 4),
    ...centres.slice(0, 4).map((h, i) => flipBits(h, 6 + 9 * i, next)),
    ...[0, 1, 2].map((i) => entries[(i * 7919) % entries.length]![1]),
    flipBits(entries[5]![1], 20, next),
    randomHash(next),
  ];
}

const RADII = [0, 1, 8, 15, 16, 17, 31, 32, 47, 48, 63, 64, 100, 256];

describe('PdqIndex', { skip: onlyInPass('embedded') }, () => {
  describe('when filled by bulkLoad', () => {
    const c = corpus(42, 4000, 4000);
    const index = new PdqIndex();
    index.bulkLoad(c.entries);
    const reference = new BruteForce();
    for (const [id, hex] of c.entries) reference.set(id, hex);
    for (const r of RADII) {
      it(`equals brute force at radius ${r} on random and clustered hashes`, () => {
        for (const q of queriesFor(c)) assert.deepEqual(index.search(q, r), reference.search(q, r), `query ${q}`);
      });
    }
  });

  describe('when filled by add, over several segments and a tail', () => {
    const c = corpus(7, 15_000, 25_000);
    const index = new PdqIndex();
    const reference = new BruteForce();
    for (const [id, hex] of c.entries) {
      index.add(id, hex);
      reference.set(id, hex);
    }
    it('equals brute force at every radius', () => {
      for (const r of [0, 8, 31, 32, 63, 64, 100]) {
        for (const q of queriesFor(c)) assert.deepEqual(index.search(q, r), reference.search(q, r), `radius ${r}, query ${q}`);
      }
    });
    it('searchAny gives each hash within the radius of any query once, at its smallest distance (brute force)', () => {
      const queries = queriesFor(c).slice(0, 8);
      for (const r of [0, 31, 64]) {
        const best = new Map<string, number>();
        for (const q of queries) for (const m of reference.search(q, r)) best.set(m.id, Math.min(m.distance, best.get(m.id) ?? Infinity));
        const expected = [...best].map(([id, distance]) => ({ id, distance })).sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        assert.deepEqual(index.searchAny([...queries, queries[0]!], r), expected, `radius ${r}`);
      }
    });
    it('stays equal to brute force through removals, replacements and the compaction they cause', () => {
      for (let i = 0; i < c.entries.length; i += 3) {
        const [id] = c.entries[i]!;
        assert.equal(index.remove(id), true);
        reference.entries.delete(id);
      }
      for (let i = 1; i < 3000; i += 3) {
        const [id, hex] = c.entries[i]!;
        const moved = flipBits(hex, 3, c.next);
        index.add(id, moved);
        reference.set(id, moved);
      }
      assert.equal(index.size, reference.entries.size);
      for (const r of [0, 16, 31, 64]) {
        for (const q of queriesFor(c)) assert.deepEqual(index.search(q, r), reference.search(q, r), `radius ${r}, query ${q}`);
      }
    });
  });

  it('keeps working after a bulk load: adds beyond it, replacements and removals, and a second bulk load', () => {
    const c = corpus(13, 3000, 3000);
    const index = new PdqIndex();
    const reference = new BruteForce();
    const [first, rest] = [c.entries.slice(0, 4000), c.entries.slice(4000)];
    index.bulkLoad(first.values());
    for (const [id, hex] of first) reference.set(id, hex);
    for (const [id, hex] of rest) {
      index.add(id, hex);
      reference.set(id, hex);
    }
    for (const [id] of first.slice(0, 500)) {
      index.remove(id);
      reference.entries.delete(id);
    }
    index.bulkLoad([['late', c.centres[0]!], [first[600]![0], c.centres[1]!]]);
    reference.set('late', c.centres[0]!);
    reference.set(first[600]![0], c.centres[1]!);
    assert.equal(index.size, reference.entries.size);
    for (const r of [0, 31, 64]) for (const q of queriesFor(c)) assert.deepEqual(index.search(q, r), reference.search(q, r), `radius ${r}`);
  });

  it('agrees with hashing’s pdqDistance', () => {
    const next = rng(3);
    const index = new PdqIndex();
    const a = randomHash(next);
    const b = flipBits(a, 29, next);
    index.add('b', b);
    assert.deepEqual(index.search(a, 31), [{ id: 'b', distance: pdqDistance(a, b) }]);
  });

  it('keeps one hash per id: add replaces, remove forgets, re-adding the same hash changes nothing', () => {
    const next = rng(5);
    const index = new PdqIndex();
    const h1 = randomHash(next);
    const h2 = randomHash(next);
    index.add('x', h1);
    index.add('y', h1);
    index.add('x', h1);
    assert.equal(index.size, 2);
    assert.deepEqual(index.search(h1, 0), [{ id: 'x', distance: 0 }, { id: 'y', distance: 0 }]);
    index.add('x', h2);
    assert.deepEqual(index.search(h1, 0), [{ id: 'y', distance: 0 }]);
    assert.deepEqual(index.search(h2, 0), [{ id: 'x', distance: 0 }]);
    assert.equal(index.remove('x'), true);
    assert.equal(index.remove('x'), false);
    assert.equal(index.has('x'), false);
    assert.deepEqual(index.search(h2, 256), [{ id: 'y', distance: pdqDistance(h1, h2) }]);
    assert.equal(index.size, 1);
    const h3 = randomHash(next);
    index.bulkLoad([['a', h1], ['y', h3], ['a', h2], ['b', h2]]);
    assert.equal(index.size, 3);
    assert.deepEqual(index.search(h2, 0).map((m) => m.id), ['a', 'b']);
    assert.deepEqual(index.search(h1, 0), []);
    assert.deepEqual(index.search(h3, 0).map((m) => m.id), ['y']);
  });

  it('stores any well-formed id, Unicode included', () => {
    const index = new PdqIndex();
    const h = randomHash(rng(9));
    for (const id of ['象牙', '🐘-1', 'a'.repeat(300)]) index.add(id, h);
    assert.deepEqual(index.search(h, 0).map((m) => m.id), ['a'.repeat(300), '象牙', '🐘-1'].sort());
  });

  it('reports bulk-load progress: entries read, then tables built', () => {
    const next = rng(11);
    const seen: PdqLoadProgress[] = [];
    const index = new PdqIndex();
    index.bulkLoad(Array.from({ length: 250_000 }, (_, i) => [String(i), randomHash(next)] as const), (p) => seen.push(p));
    assert.deepEqual(seen.filter((p) => p.phase === 'read').map((p) => p.done), [100_000, 200_000, 250_000]);
    const tables = seen.filter((p) => p.phase === 'index');
    assert.ok(tables.length >= 11 && tables.every((p) => p.total === tables.length));
    assert.deepEqual(tables.map((p) => p.done), Array.from({ length: tables.length }, (_, t) => t + 1));
    assert.equal(index.size, 250_000);
    assert.ok(index.memoryBytes() > 250_000 * 96, 'hashes and tables are counted');
  });

  describe('when given bad input', () => {
    const index = new PdqIndex();
    const good = 'a'.repeat(64);
    it('rejects a hash that is not 64 lowercase hex characters', () => {
      for (const bad of ['', 'A'.repeat(64), 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}é`]) {
        assert.throws(() => index.add('x', bad), (e) => e instanceof MatchingError && e.code === 'INVALID_PDQ_HASH');
        assert.throws(() => index.search(bad, 31), (e) => e instanceof MatchingError && e.code === 'INVALID_PDQ_HASH');
      }
      assert.equal(index.size, 0);
    });
    it('rejects a radius that is not an integer from 0 to 256', () => {
      for (const bad of [-1, 257, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => index.search(good, bad), (e) => e instanceof MatchingError && e.code === 'INVALID_MAX_DISTANCE');
      }
    });
    it('names the bad entry of a bulk load, and keeps the entries before it', () => {
      const loaded = new PdqIndex();
      const entries: Array<[string, string]> = [['a', good], ['b', good], ['c', 'xyz'], ['d', good]];
      assert.throws(() => loaded.bulkLoad(entries), (e) => e instanceof MatchingError && e.code === 'INVALID_PDQ_HASH' && e.details?.['index'] === 2);
      assert.deepEqual(loaded.search(good, 0).map((m) => m.id), ['a', 'b']);
    });
    it('rejects an empty or malformed id', () => {
      for (const bad of ['', '\ud800x']) assert.throws(() => index.add(bad, good), (e) => e instanceof MatchingError && e.code === 'INVALID_ID');
    });
  });
});
