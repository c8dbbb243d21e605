import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSegment, chooseLayout, collectBuckets, layoutFor, probeBuckets, probeRadii, scanSlots, WORDS, type Hits, type Query, type Segment } from './pdq-segment.js';
import { onlyInPass } from '../db/test-server.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Slot → distance pairs, sorted, so the two methods can be compared whatever their order. */
function sorted(hits: Hits): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < hits.length; i += 2) pairs.push([hits[i]!, hits[i + 1]!]);
  return pairs.sort((a, b) => a[0] - b[0]);
}

// Clustered on purpose: 6 centres with 1,000 copies each, 0–40 random bits flipped, so many
// candidates are found by several tables and the "first covering table" rule must drop them;
// then 2,000 random hashes. Every tenth slot is dead.
const next = rng(1);
const n = 8000;
const hashes = new Uint32Array(n * WORDS);
const centres = Array.from({ length: 6 }, () => Uint32Array.from({ length: WORDS }, next));
for (let slot = 0, at = 0; slot < n; slot++, at += WORDS) {
  if (slot >= 6000) {
    for (let w = 0; w < WORDS; w++) hashes[at + w] = next();
    continue;
  }
  hashes.set(centres[slot % 6]!, at);
  for (let k = next() % 41; k > 0; k--) {
    const bit = next() % 256;
    hashes[at + (bit >> 5)]! ^= 1 << (bit & 31);
  }
}
const dead = new Uint8Array(Math.ceil(n / 8));
for (let slot = 0; slot < n; slot += 10) dead[slot >>> 3]! |= 1 << (slot & 7);

/** Probes whatever the cost, where searchSegment might choose a scan. */
function probe(segment: Segment, query: Query): Hits {
  const radii = probeRadii(segment.layout.lengths.length, query.maxDistance);
  assert.ok(radii !== null);
  const buckets = collectBuckets(segment, radii, query.words, Number.POSITIVE_INFINITY);
  assert.ok(buckets !== null);
  const hits: Hits = [];
  probeBuckets(segment, hashes, dead, query, radii, buckets, hits);
  return hits;
}

function queries(): Uint32Array[] {
  return Array.from({ length: 8 }, (_, q) => {
    const words = q < 6 ? centres[q]!.slice() : hashes.slice(((q * 977) % n) * WORDS, ((q * 977) % n + 1) * WORDS);
    if (q % 2 === 1) words[q % WORDS]! ^= 0x00010001 << (q % 15);
    return words;
  });
}

describe('multi-index probing', { skip: onlyInPass('embedded') }, () => {
  for (const tables of [11, 12, 13, 16, 17, 21, 24, 32]) {
    it(`finds exactly what a scan finds, each match once, with ${tables} tables, for every radius it can probe (all up to 63, some beyond)`, () => {
      const segment = buildSegment(hashes, 0, n, undefined, layoutFor(tables));
      for (const r of [...Array.from({ length: 64 }, (_, r) => r), 64, 80, 100, 127, 150, 191]) {
        if (probeRadii(tables, r) === null) continue;
        for (const words of queries()) {
          const query: Query = { words, maxDistance: r };
          const scanned: Hits = [];
          scanSlots(hashes, dead, 0, n, query, scanned);
          assert.deepEqual(sorted(probe(segment, query)), sorted(scanned), `radius ${r}`);
        }
      }
    });
  }

  it('indexes a slot range of a larger array', () => {
    const part = buildSegment(hashes, 6000, n);
    const words = hashes.slice(6001 * WORDS, 6002 * WORDS);
    assert.deepEqual(probe(part, { words, maxDistance: 31 }), [6001, 0]);
  });

  it('cuts 256 bits into substrings of about log2(n) bits, within the offsets budget', () => {
    const bits = (count: number): number[] => [...chooseLayout(count).lengths];
    assert.deepEqual(bits(10_000_000).sort(), [...Array(8).fill(21), ...Array(4).fill(22)]);
    for (const count of [1000, 100_000, 1_000_000, 10_000_000]) {
      const layout = chooseLayout(count);
      assert.equal([...layout.lengths].reduce((a, b) => a + b), 256);
      assert.ok(layout.bases.at(-1)! <= Math.max(4 * count, 1 << 16));
    }
  });
});
