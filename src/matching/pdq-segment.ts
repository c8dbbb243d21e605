/**
 * Not part of the external API: the multi-index hashing core of PdqIndex (Norouzi, Punjani and
 * Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
 *
 * A hash is 8 words of 32 bits (word w = hex digits 8w..8w+7); bit 0 is the top bit of word 0.
 * A segment cuts the 256 bits into m consecutive substrings (m = 11..32, lengths differing by at
 * most one, longer first) with one table each.
 *
 * Exactness, by pigeonhole in the refined form of the paper (§3.1): give table t a probe radius
 * ρ_t ≥ -1 with Σ (ρ_t + 1) = r + 1. A hash whose substring t differs from the query's in more
 * than ρ_t bits for every t would be at distance ≥ Σ (ρ_t + 1) = r + 1. So every hash within r
 * is within ρ_t in some table t, and probing every bucket within ρ_t of the query's substring
 * in every table finds it; the full 256-bit distance then keeps exactly the hashes within r.
 * With r = m·s + a (0 ≤ a < m), ρ_t = s for the first a + 1 tables and s - 1 for the rest.
 * A match that several tables find is reported only by the first table whose probe covers it.
 *
 * Each table is a CSR layout built by counting sort: for substring value v of table t,
 * `items[t·n + offsets[base_t + v] .. t·n + offsets[base_t + v + 1])` are the slots, in order.
 * The number of tables is chosen per segment (`chooseLayout`): longer substrings mean fewer
 * candidates per probe but bigger offset arrays and more probes, and Norouzi's rule of thumb,
 * substrings of about log2(n) bits, is what the cost model lands on.
 */

export const WORDS = 8;
/** Probe radii beyond this are never cheaper than a scan (C(24, ≤ 5) = 55,455 buckets a table). */
const MAX_PROBE_RADIUS = 5;
/** A probed candidate or bucket is a random memory access; a scanned hash is a sequential one. */
const RANDOM_ACCESS_COST = 3;
/** Offset arrays may take up to this many 4-byte entries per hash (or 2^16 for small segments). */
const OFFSETS_PER_HASH = 4;
/** The radius the layout is tuned for: the usual PDQ threshold. */
const TUNED_RADIUS = 31;

export interface Layout {
  /** Per table: first bit and length in bits. */
  readonly starts: Uint16Array;
  readonly lengths: Uint8Array;
  /** Per table: where its offsets begin (table t has 2^lengths[t] + 1 entries). */
  readonly bases: Uint32Array;
}

export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly layout: Layout;
  readonly offsets: Uint32Array;
  readonly items: Uint32Array;
}

/** One query, prepared once and shared by every segment. */
export interface Query {
  readonly words: Uint32Array;
  readonly maxDistance: number;
}

/** Matches found so far: slot and distance, interleaved. */
export type Hits = number[];

const POPCOUNT16 = new Uint8Array(1 << 16);
for (let v = 1; v < 1 << 16; v++) POPCOUNT16[v] = POPCOUNT16[v >>> 1]! + (v & 1);

/** Population count of the low 32 bits, by two lookups in a 64 KiB table (cheaper than SWAR in V8 here). */
export function popcount32(x: number): number {
  return POPCOUNT16[x & 0xffff]! + POPCOUNT16[x >>> 16]!;
}

export function layoutFor(tables: number): Layout {
  const starts = new Uint16Array(tables);
  const lengths = new Uint8Array(tables);
  const bases = new Uint32Array(tables + 1);
  const short = Math.floor(256 / tables);
  const longer = 256 - short * tables;
  for (let t = 0, bit = 0; t < tables; t++) {
    starts[t] = bit;
    lengths[t] = t < longer ? short + 1 : short;
    bit += lengths[t]!;
    bases[t + 1] = bases[t]! + (1 << lengths[t]!) + 1;
  }
  return { starts, lengths, bases };
}

/** Probe radius per table for `r` (see the header), or null when some radius exceeds MAX_PROBE_RADIUS. */
export function probeRadii(tables: number, r: number): Int8Array | null {
  const s = Math.floor(r / tables);
  if (s > MAX_PROBE_RADIUS) return null;
  const a = r % tables;
  return Int8Array.from({ length: tables }, (_, t) => (t <= a ? s : s - 1));
}

/** Σ_{i ≤ k} C(n, i): the number of n-bit values within Hamming distance k of a given one. */
function binomialUpTo(n: number, k: number): number {
  let total = 0;
  for (let i = 0, c = 1; i <= k; i++, c = (c * (n - i + 1)) / i) total += c;
  return total;
}

/** The number of tables with the least expected random accesses at radius 31 for `n` random hashes, within the offsets budget. */
export function chooseLayout(n: number): Layout {
  let best = layoutFor(32);
  let bestCost = Number.POSITIVE_INFINITY;
  for (let tables = 11; tables <= 32; tables++) {
    const layout = layoutFor(tables);
    if (layout.bases[tables]! > Math.max(OFFSETS_PER_HASH * n, 1 << 16)) continue;
    const radii = probeRadii(tables, TUNED_RADIUS)!;
    let cost = 0;
    for (let t = 0; t < tables; t++) {
      if (radii[t]! < 0) continue;
      const probes = binomialUpTo(layout.lengths[t]!, radii[t]!);
      cost += probes * (2 + n / 2 ** layout.lengths[t]!);
    }
    if (cost < bestCost) [best, bestCost] = [layout, cost];
  }
  return best;
}

/** Substring `t` (bits [start, start + length)) of the hash at `words[at..]`. Lengths are 8..24. */
function substring(words: Uint32Array, at: number, start: number, length: number): number {
  const w = at + (start >>> 5);
  const shift = start & 31;
  let v = words[w]! << shift;
  if (shift + length > 32) v |= words[w + 1]! >>> (32 - shift);
  return v >>> (32 - length);
}

/** Low bits sorted in the second pass of a table's radix sort: 2^11 counters stay in L1. */
const LOW_BITS = 11;

/**
 * Sorts slots [from, to) into the tables of `layout`; `onTable(t, tables)` after each table.
 * Each table is a two-pass radix sort (high bits, then low bits within each high bucket) rather
 * than one counting sort over 2^21 buckets: at ten million hashes the single pass is bound by
 * random writes over 40 MB, the two passes write a few thousand streams and then cache-sized runs.
 */
export function buildSegment(hashes: Uint32Array, from: number, to: number, onTable?: (t: number, tables: number) => void, layout = chooseLayout(to - from)): Segment {
  const n = to - from;
  const tables = layout.lengths.length;
  const offsets = new Uint32Array(layout.bases[tables]!);
  const items = new Uint32Array(tables * n);
  const scratch = { keys: new Uint32Array(n), sortedKeys: new Uint32Array(n), sortedSlots: new Uint32Array(n) };
  for (let t = 0; t < tables; t++) {
    const [start, length] = [layout.starts[t]!, layout.lengths[t]!];
    for (let i = 0, at = from * WORDS; i < n; i++, at += WORDS) scratch.keys[i] = substring(hashes, at, start, length);
    sortTable(scratch, from, length, offsets.subarray(layout.bases[t]!, layout.bases[t + 1]!), items.subarray(t * n, (t + 1) * n));
    onTable?.(t, tables);
  }
  return { from, to, layout, offsets, items };
}

/** Fills one table: `offsets` (2^length + 1 entries) and `items` (the slots `from + i` ordered by keys[i], stable). */
function sortTable(scratch: { keys: Uint32Array; sortedKeys: Uint32Array; sortedSlots: Uint32Array }, from: number, length: number, offsets: Uint32Array, items: Uint32Array): void {
  const { keys, sortedKeys, sortedSlots } = scratch;
  const n = keys.length;
  const low = Math.min(LOW_BITS, length);
  const lowMask = (1 << low) - 1;
  const groups = 1 << (length - low);
  const groupStart = new Uint32Array(groups + 1);
  for (let i = 0; i < n; i++) groupStart[(keys[i]! >>> low) + 1]!++;
  for (let g = 0; g < groups; g++) groupStart[g + 1]! += groupStart[g]!;
  const cursor = groupStart.slice(0, groups);
  for (let i = 0; i < n; i++) {
    const p = cursor[keys[i]! >>> low]!++;
    sortedKeys[p] = keys[i]!;
    sortedSlots[p] = from + i;
  }
  const lowStart = new Uint32Array((1 << low) + 1);
  for (let g = 0; g < groups; g++) {
    const [first, last] = [groupStart[g]!, groupStart[g + 1]!];
    lowStart.fill(0);
    for (let p = first; p < last; p++) lowStart[(sortedKeys[p]! & lowMask) + 1]!++;
    for (let v = 0; v < 1 << low; v++) lowStart[v + 1]! += lowStart[v]!;
    offsets.set(lowStart.subarray(0, 1 << low), g << low);
    for (let v = 0; v < 1 << low; v++) offsets[(g << low) + v]! += first;
    for (let p = first; p < last; p++) items[first + lowStart[sortedKeys[p]! & lowMask]!++] = sortedSlots[p]!;
  }
  offsets[groups << low] = n;
}

/** Masks of `length` bits ordered by weight: the first binomialUpTo(length, k) have at most k bits set. */
const maskCache = new Map<number, Uint32Array>();
function masksFor(length: number): Uint32Array {
  let masks = maskCache.get(length);
  if (masks === undefined) {
    const list: number[] = [];
    const combine = (weight: number, fromBit: number, mask: number): void => {
      if (weight === 0) list.push(mask);
      else for (let bit = fromBit; bit <= length - weight; bit++) combine(weight - 1, bit + 1, mask | (1 << bit));
    };
    for (let weight = 0; weight <= MAX_PROBE_RADIUS; weight++) combine(weight, 0, 0);
    masks = Uint32Array.from(list);
    maskCache.set(length, masks);
  }
  return masks;
}

/**
 * Adds to `hits` every live hash of `segment` within the query's distance, probing or scanning,
 * whichever touches less memory.
 */
export function searchSegment(segment: Segment, hashes: Uint32Array, dead: Uint8Array, query: Query, hits: Hits): void {
  const n = segment.to - segment.from;
  const radii = probeRadii(segment.layout.lengths.length, query.maxDistance);
  const buckets = radii === null ? null : collectBuckets(segment, radii, query.words, Math.floor(n / RANDOM_ACCESS_COST));
  if (buckets === null || radii === null) scanSlots(hashes, dead, segment.from, segment.to, query, hits);
  else probeBuckets(segment, hashes, dead, query, radii, buckets, hits);
}

/**
 * The item ranges to verify, as (table, start, end) triples, or null once their cost (one
 * random access per bucket and per candidate) passes `budget`.
 */
export function collectBuckets(segment: Segment, radii: Int8Array, words: Uint32Array, budget: number): Int32Array | null {
  const { layout, offsets } = segment;
  const n = segment.to - segment.from;
  let count = 0;
  for (let t = 0; t < radii.length; t++) if (radii[t]! >= 0) count += binomialUpTo(layout.lengths[t]!, radii[t]!);
  if (count > budget) return null;
  const ranges = new Int32Array(count * 3);
  let cost = count;
  let k = 0;
  for (let t = 0; t < radii.length; t++) {
    if (radii[t]! < 0) continue;
    const length = layout.lengths[t]!;
    const masks = masksFor(length);
    const v = substring(words, 0, layout.starts[t]!, length);
    const base = layout.bases[t]!;
    for (let m = 0, end = binomialUpTo(length, radii[t]!); m < end; m++) {
      const b = base + (v ^ masks[m]!);
      const [first, last] = [offsets[b]!, offsets[b + 1]!];
      if (first === last) continue;
      cost += last - first;
      ranges[k++] = t;
      ranges[k++] = t * n + first;
      ranges[k++] = t * n + last;
    }
    if (cost > budget) return null;
  }
  return ranges.subarray(0, k);
}

/** Verifies the candidates in `ranges`; exported for the tests, which force probing where a scan would be chosen. */
export function probeBuckets(segment: Segment, hashes: Uint32Array, dead: Uint8Array, query: Query, radii: Int8Array, ranges: Int32Array, hits: Hits): void {
  const { items } = segment;
  const q = query.words;
  const [q0, q1, q2, q3, q4, q5, q6, q7] = [q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!];
  const r = query.maxDistance;
  for (let i = 0; i < ranges.length; i += 3) {
    const t = ranges[i]!;
    for (let k = ranges[i + 1]!, end = ranges[i + 2]!; k < end; k++) {
      const slot = items[k]!;
      const at = slot * WORDS;
      let d = popcount32(hashes[at]! ^ q0) + popcount32(hashes[at + 1]! ^ q1) + popcount32(hashes[at + 2]! ^ q2) + popcount32(hashes[at + 3]! ^ q3);
      if (d > r) continue;
      d += popcount32(hashes[at + 4]! ^ q4) + popcount32(hashes[at + 5]! ^ q5) + popcount32(hashes[at + 6]! ^ q6) + popcount32(hashes[at + 7]! ^ q7);
      if (d > r || isDead(dead, slot) || coveredEarlier(segment.layout, hashes, at, q, radii, t)) continue;
      hits.push(slot, d);
    }
  }
}

/** True when a table before `t` also probes the bucket of this hash, and so reports it. */
function coveredEarlier(layout: Layout, hashes: Uint32Array, at: number, q: Uint32Array, radii: Int8Array, t: number): boolean {
  for (let u = 0; u < t; u++) {
    const radius = radii[u]!;
    if (radius < 0) continue;
    const [start, length] = [layout.starts[u]!, layout.lengths[u]!];
    if (popcount32(substring(hashes, at, start, length) ^ substring(q, 0, start, length)) <= radius) return true;
  }
  return false;
}

/** Adds to `hits` every live hash of slots [from, to) within the query's distance. */
export function scanSlots(hashes: Uint32Array, dead: Uint8Array, from: number, to: number, query: Query, hits: Hits): void {
  const q = query.words;
  const [q0, q1, q2, q3, q4, q5, q6, q7] = [q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!];
  const r = query.maxDistance;
  for (let slot = from, at = from * WORDS; slot < to; slot++, at += WORDS) {
    let d = popcount32(hashes[at]! ^ q0) + popcount32(hashes[at + 1]! ^ q1) + popcount32(hashes[at + 2]! ^ q2) + popcount32(hashes[at + 3]! ^ q3);
    if (d > r) continue;
    d += popcount32(hashes[at + 4]! ^ q4) + popcount32(hashes[at + 5]! ^ q5) + popcount32(hashes[at + 6]! ^ q6) + popcount32(hashes[at + 7]! ^ q7);
    if (d <= r && !isDead(dead, slot)) hits.push(slot, d);
  }
}

export function isDead(dead: Uint8Array, slot: number): boolean {
  return (dead[slot >>> 3]! & (1 << (slot & 7))) !== 0;
}

export function segmentBytes(segment: Segment): number {
  return segment.offsets.byteLength + segment.items.byteLength;
}
