/**
 * An exact Hamming-radius index over 256-bit PDQ hashes, for matchImage: multi-index hashing
 * (see pdq-segment.ts for the method and why it is exact). Results equal a brute-force scan for
 * every radius from 0 to 256; past radius 63, or when a probe would touch more candidates than a
 * scan, a segment is simply scanned. Pure: no I/O, no clock.
 *
 * Layout, for memory and build speed at ten million hashes: every hash is 8 words in one packed
 * Uint32Array, addressed by slot. Slots are append-only; removal sets a bit (`dead`), and the
 * arrays are compacted once a fifth of the slots are dead. The slots are covered, in order, by a
 * few immutable segments (CSR tables, counting-sorted) and a short unindexed tail that is
 * scanned. When the tail is full it becomes a segment, merged with the segments before it while
 * they are no more than twice its size, so a stream of adds costs O(log n) amortized per hash.
 * `bulkLoad` builds a single segment over everything. Ids live in `SlotIds`, off the JS heap.
 *
 * Memory per hash: 32 bytes for the hash; 4 per table (12 tables at 10M hashes, 15 at 1M) plus
 * the tables' offsets (≈ 13 at 10M); for the id map ≈ 17 plus the id's UTF-8 length. At 10M
 * hashes with 43-character ids that is ≈ 155 bytes, 1.5 GB. `memoryBytes()` counts every array.
 */
import { MatchingError, assertValidId } from './errors.js';
import { SlotIds } from './pdq-ids.js';
import { WORDS, buildSegment, scanSlots, searchSegment, segmentBytes, isDead, type Hits, type Query, type Segment } from './pdq-segment.js';

export interface PdqMatch {
  readonly id: string;
  /** Hamming distance to the query, 0..256. */
  readonly distance: number;
}

/** Reported by `bulkLoad`: entries read so far, then tables built (11 to 32, by size). */
export interface PdqLoadProgress {
  readonly phase: 'read' | 'index';
  readonly done: number;
  /** Known for arrays (read) and always for tables (index). */
  readonly total: number | undefined;
}

export type PdqEntry = readonly [id: string, hex: string];

/** The usual PDQ match threshold (ThreatExchange pdq/README.md). */
export const DEFAULT_PDQ_MAX_DISTANCE = 31;
/** Hashes appended past the last segment before they are indexed. */
const TAIL = 8192;
/** Compaction once dead slots are more than this share of all slots (and more than TAIL). */
const DEAD_SHARE = 0.2;
const PROGRESS_EVERY = 100_000;

export class PdqIndex {
  private hashes = new Uint32Array(WORDS * 1024);
  private dead = new Uint8Array(128);
  private ids = new SlotIds();
  private segments: Segment[] = [];
  /** Slots [0, indexed) are covered by segments; the rest is the tail. */
  private indexed = 0;
  private deadCount = 0;
  private readonly scratch = new Uint32Array(WORDS);

  /** Number of ids in the index. */
  get size(): number {
    return this.ids.length - this.deadCount;
  }

  has(id: string): boolean {
    return this.ids.slotOf(id) >= 0;
  }

  /**
   * Stores `hex` under `id`, replacing the hash `id` had. Different ids may share a hash.
   * @throws MatchingError `INVALID_PDQ_HASH` unless `hex` is 64 lowercase hex characters; `INVALID_ID`
   */
  add(id: string, hex: string): void {
    this.put(id, hex);
    if (this.tooManyDead()) this.rebuild();
    else if (this.ids.length - this.indexed >= TAIL) this.indexTail();
  }

  /**
   * Adds many entries (as `add` does, later ones winning), then rebuilds the tables as one
   * segment: the way the hub fills the index at start. Faster than `add` in a loop, and reports
   * progress every 100,000 entries and after each table.
   * @throws MatchingError as `add`, with `details.index` the entry's position; the entries
   * before it stay loaded and indexed.
   */
  bulkLoad(entries: Iterable<PdqEntry>, onProgress?: (progress: PdqLoadProgress) => void): void {
    const total = Array.isArray(entries) ? entries.length : undefined;
    if (total !== undefined) this.reserve(this.ids.length + total);
    let done = 0;
    try {
      for (const [id, hex] of entries) {
        this.append(id, hex);
        if (++done % PROGRESS_EVERY === 0) onProgress?.({ phase: 'read', done, total });
      }
    } catch (error) {
      this.remap();
      this.rebuild();
      if (!(error instanceof MatchingError)) throw error;
      throw new MatchingError(error.code, `entry ${done}: ${error.message}`, { cause: error, details: { ...error.details, index: done } });
    }
    onProgress?.({ phase: 'read', done, total });
    this.remap();
    this.rebuild((t, tables) => onProgress?.({ phase: 'index', done: t + 1, total: tables }));
  }

  /** Removes `id`; false when it was not there. */
  remove(id: string): boolean {
    const slot = this.ids.slotOf(id);
    if (slot < 0) return false;
    this.kill(slot);
    if (this.tooManyDead()) this.rebuild();
    return true;
  }

  /**
   * Every stored hash within `maxDistance` of `hex`, nearest first, ties by id (UTF-16 order).
   * @throws MatchingError `INVALID_PDQ_HASH`; `INVALID_MAX_DISTANCE` unless an integer 0..256
   */
  search(hex: string, maxDistance = DEFAULT_PDQ_MAX_DISTANCE): PdqMatch[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 256) {
      throw new MatchingError('INVALID_MAX_DISTANCE', 'maxDistance must be an integer from 0 to 256', { details: { maxDistance } });
    }
    const words = new Uint32Array(WORDS);
    parsePdqHex(hex, words, 0);
    const query: Query = { words, maxDistance };
    const hits: Hits = [];
    for (const segment of this.segments) searchSegment(segment, this.hashes, this.dead, query, hits);
    scanSlots(this.hashes, this.dead, this.indexed, this.ids.length, query, hits);
    const found: PdqMatch[] = [];
    for (let i = 0; i < hits.length; i += 2) found.push({ id: this.ids.idOf(hits[i]!), distance: hits[i + 1]! });
    return found.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Every stored hash within `maxDistance` of any of `hexes` (the dihedral variants of one image),
   * each at its smallest distance, nearest first: how the node's scan and the hub's matchImage
   * catch a mirrored or rotated copy. Throws as `search` does.
   */
  searchAny(hexes: readonly string[], maxDistance = DEFAULT_PDQ_MAX_DISTANCE): PdqMatch[] {
    const best = new Map<string, number>();
    for (const hex of new Set(hexes)) {
      for (const hit of this.search(hex, maxDistance)) best.set(hit.id, Math.min(hit.distance, best.get(hit.id) ?? Infinity));
    }
    return [...best].map(([id, distance]) => ({ id, distance })).sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Bytes allocated by the index: hashes, tables, dead bits and the id map. */
  memoryBytes(): number {
    return this.hashes.byteLength + this.dead.byteLength + this.ids.memoryBytes() + this.segments.reduce((n, s) => n + segmentBytes(s), 0);
  }

  private tooManyDead(): boolean {
    return this.deadCount > TAIL && this.deadCount > this.ids.length * DEAD_SHARE;
  }

  /** Parses and stores one entry in the tail, killing the slot `id` had. */
  private put(id: string, hex: string): void {
    assertValidId(id);
    parsePdqHex(hex, this.scratch, 0);
    if ((this.ids.length + 1) * WORDS > this.hashes.length) this.reserve(this.ids.length + 1);
    this.ids.reserve(this.ids.length + 1, id.length * 3);
    const position = this.ids.locate(id);
    if (position >= 0) {
      const previous = this.ids.slotAt(position);
      if (this.sameHash(previous)) return;
      this.markDead(previous);
    }
    const at = this.ids.append(id, position) * WORDS;
    for (let w = 0; w < WORDS; w++) this.hashes[at + w] = this.scratch[w]!;
  }

  /** Bulk path: parses and appends one entry, leaving the id map to `remap`. */
  private append(id: string, hex: string): void {
    assertValidId(id);
    parsePdqHex(hex, this.scratch, 0);
    if ((this.ids.length + 1) * WORDS > this.hashes.length) this.reserve(this.ids.length + 1);
    const at = this.ids.appendUnmapped(id) * WORDS;
    for (let w = 0; w < WORDS; w++) this.hashes[at + w] = this.scratch[w]!;
  }

  /** Maps every live id to its last slot after a bulk append; earlier slots of the same id die. */
  private remap(): void {
    this.ids.remap((slot) => isDead(this.dead, slot), (slot) => this.markDead(slot));
  }

  private sameHash(slot: number): boolean {
    for (let w = 0; w < WORDS; w++) if (this.hashes[slot * WORDS + w] !== this.scratch[w]) return false;
    return true;
  }

  private kill(slot: number): void {
    this.ids.forget(slot);
    this.markDead(slot);
  }

  private markDead(slot: number): void {
    this.dead[slot >>> 3]! |= 1 << (slot & 7);
    this.deadCount++;
  }

  private reserve(slots: number): void {
    this.ids.reserve(slots, 0, false);
    if (slots * WORDS <= this.hashes.length) return;
    const capacity = Math.max(slots, Math.ceil((this.hashes.length / WORDS) * 1.5));
    const hashes = new Uint32Array(capacity * WORDS);
    hashes.set(this.hashes.subarray(0, this.ids.length * WORDS));
    this.hashes = hashes;
    const dead = new Uint8Array(Math.ceil(capacity / 8));
    dead.set(this.dead.subarray(0, Math.min(this.dead.length, dead.length)));
    this.dead = dead;
  }

  /** Releases the spare capacity that growing by half left (a bulk load of unknown size). */
  private trim(): void {
    const n = Math.max(1, this.ids.length);
    if (this.hashes.length > n * WORDS * 1.1) {
      this.hashes = this.hashes.slice(0, n * WORDS);
      this.dead = this.dead.slice(0, Math.ceil(n / 8));
    }
    this.ids.trim();
  }

  /** The tail becomes a segment, merged with the last segments while they are no more than twice its size. */
  private indexTail(): void {
    let from = this.indexed;
    const to = this.ids.length;
    while (this.segments.length > 0 && this.segments.at(-1)!.to - this.segments.at(-1)!.from <= 2 * (to - from)) {
      from = this.segments.pop()!.from;
    }
    this.segments.push(buildSegment(this.hashes, from, to));
    this.indexed = to;
  }

  /** Drops dead slots (if any), releases spare capacity, and indexes everything as one segment. */
  private rebuild(onTable?: (t: number, tables: number) => void): void {
    if (this.deadCount > 0) this.compact();
    else this.trim();
    const n = this.ids.length;
    this.segments = n === 0 ? [] : [buildSegment(this.hashes, 0, n, onTable)];
    this.indexed = n;
  }

  /** Rewrites the live slots in order into fresh arrays. */
  private compact(): void {
    const live = this.ids.length - this.deadCount;
    const ids = new SlotIds(live);
    const hashes = new Uint32Array(Math.max(1, live) * WORDS);
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (isDead(this.dead, slot)) continue;
      const next = ids.appendUnmapped(this.ids.idOf(slot));
      hashes.set(this.hashes.subarray(slot * WORDS, (slot + 1) * WORDS), next * WORDS);
    }
    ids.remap(() => false, () => undefined);
    this.ids = ids;
    this.hashes = hashes;
    this.dead = new Uint8Array(Math.ceil(Math.max(1, live) / 8));
    this.deadCount = 0;
  }
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX_VALUE[48 + d] = d;
for (let d = 0; d < 6; d++) HEX_VALUE[97 + d] = 10 + d;

/** Parses 64 lowercase hex characters into 8 words at `target[at..]`. Attacker-controlled input: strict. */
function parsePdqHex(hex: string, target: Uint32Array, at: number): void {
  if (typeof hex !== 'string' || hex.length !== 64) throw invalidHash();
  for (let w = 0; w < WORDS; w++) {
    let word = 0;
    for (let i = w * 8; i < w * 8 + 8; i++) {
      const c = hex.charCodeAt(i);
      const v = c < 128 ? HEX_VALUE[c]! : -1;
      if (v < 0) throw invalidHash();
      word = (word << 4) | v;
    }
    target[at + w] = word;
  }
}

function invalidHash(): MatchingError {
  return new MatchingError('INVALID_PDQ_HASH', 'a PDQ hash must be 64 lowercase hex characters');
}
