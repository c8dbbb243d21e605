/**
 * An exact Hamming-radius index over 256-bit PDQ hashes: multi-index hashing (Norouzi, Punjani,
 * Fleet 2012). The hash is cut into 16 substrings of 16 bits with a table each; by pigeonhole, any
 * hash within distance r of the query is within ⌊r/16⌋ of it in at least one substring, so
 * probing every 16-bit value that close in every table finds every candidate, and a full popcount
 * keeps exactly those within r. Results equal a brute-force scan. Pure: no I/O, no clock.
 *
 * Layout for memory and build speed at millions of hashes: the hashes packed in one Uint32Array
 * (8 words each), and per table a CSR bucket array (offsets by 16-bit value, item numbers), rebuilt
 * by counting sort. Hashes added since the last build sit in a short pending list that is scanned.
 */

const WORDS = 8;
const TABLES = 16;
const BUCKETS = 1 << 16;
/** Past this radius a scan beats probing C(16, ≤3) buckets in 16 tables. */
const SCAN_RADIUS = 48;
/** Pending hashes scanned linearly before the tables are rebuilt. */
const MAX_PENDING = 4096;

export interface PdqMatch {
  readonly id: string;
  readonly distance: number;
}

export class PdqIndex {
  private hashes = new Uint32Array(WORDS * 1024);
  private ids: string[] = [];
  private removed: Uint8Array = new Uint8Array(1024);
  private live = 0;
  private built = 0;
  private offsets: Uint32Array[] = [];
  private items: Uint32Array[] = [];
  private stamp = new Uint32Array(1024);
  private epoch = 0;
  private readonly slotOf = new Map<string, number[]>();
  private deferBuild = 0;

  get size(): number {
    return this.live;
  }

  add(id: string, hex: string): void {
    const n = this.ids.length;
    this.ensureCapacity(n + 1);
    writeHash(this.hashes, n, hex);
    this.ids.push(id);
    this.live++;
    const slots = this.slotOf.get(id);
    if (slots === undefined) this.slotOf.set(id, [n]);
    else slots.push(n);
    // Rebuild when the pending part outgrows a fixed size or a sixteenth of the index: amortized
    // O(n log n) for a stream of adds, and the linear scan of pending hashes stays short.
    if (this.deferBuild === 0 && n + 1 - this.built > Math.max(MAX_PENDING, this.built >> 4)) this.build();
  }

  /** Adds many hashes and builds the tables once, reporting progress (the hub loads its index at start). */
  bulkLoad(entries: Iterable<readonly [id: string, hex: string]>, onProgress?: (loaded: number) => void): void {
    this.deferBuild++;
    try {
      let loaded = 0;
      for (const [id, hex] of entries) {
        this.add(id, hex);
        if (++loaded % 100_000 === 0) onProgress?.(loaded);
      }
    } finally {
      this.deferBuild--;
    }
    this.build();
  }

  /** Removes every hash stored under `id`. */
  remove(id: string): void {
    for (const slot of this.slotOf.get(id) ?? []) {
      if (this.removed[slot] === 0) {
        this.removed[slot] = 1;
        this.live--;
      }
    }
    this.slotOf.delete(id);
  }

  /** Every stored hash within `maxDistance` (0..256) of `hex`, nearest first, then by id. */
  search(hex: string, maxDistance: number): PdqMatch[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 256) throw new RangeError('maxDistance must be an integer from 0 to 256');
    const query = new Uint32Array(WORDS);
    writeHash(query, 0, hex);
    const found: PdqMatch[] = [];
    const consider = (slot: number): void => {
      if (this.removed[slot] === 1) return;
      const d = distance(this.hashes, slot, query);
      if (d <= maxDistance) found.push({ id: this.ids[slot]!, distance: d });
    };
    if (maxDistance >= SCAN_RADIUS) {
      for (let slot = 0; slot < this.ids.length; slot++) consider(slot);
    } else {
      this.probe(query, Math.floor(maxDistance / TABLES), consider);
      for (let slot = this.built; slot < this.ids.length; slot++) consider(slot);
    }
    return found.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Bytes held by the index (hashes, ids excluded, tables). */
  memoryBytes(): number {
    return this.hashes.byteLength + this.removed.byteLength + this.stamp.byteLength + this.offsets.reduce((n, o) => n + o.byteLength, 0) + this.items.reduce((n, i) => n + i.byteLength, 0);
  }

  /** Rebuilds the tables over everything added so far (counting sort per table). */
  build(): void {
    const n = this.ids.length;
    this.offsets = [];
    this.items = [];
    for (let t = 0; t < TABLES; t++) {
      const offsets = new Uint32Array(BUCKETS + 1);
      for (let slot = 0; slot < n; slot++) offsets[substring(this.hashes, slot, t) + 1]!++;
      for (let b = 0; b < BUCKETS; b++) offsets[b + 1]! += offsets[b]!;
      const cursor = offsets.slice(0, BUCKETS);
      const items = new Uint32Array(n);
      for (let slot = 0; slot < n; slot++) items[cursor[substring(this.hashes, slot, t)]!++] = slot;
      this.offsets.push(offsets);
      this.items.push(items);
    }
    this.built = n;
  }

  private probe(query: Uint32Array, radius: number, consider: (slot: number) => void): void {
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    for (let t = 0; t < this.offsets.length; t++) {
      const offsets = this.offsets[t]!;
      const items = this.items[t]!;
      forEachWithin(substring(query, 0, t), radius, (value) => {
        for (let k = offsets[value]!, end = offsets[value + 1]!; k < end; k++) {
          const slot = items[k]!;
          if (this.stamp[slot] === this.epoch) continue;
          this.stamp[slot] = this.epoch;
          consider(slot);
        }
      });
    }
  }

  private ensureCapacity(n: number): void {
    if (n * WORDS <= this.hashes.length) return;
    const capacity = Math.max(n, this.ids.length * 2);
    const grow = <T extends Uint32Array | Uint8Array>(old: T, size: number): T => {
      const next = new (old.constructor as new (n: number) => T)(size);
      next.set(old);
      return next;
    };
    this.hashes = grow(this.hashes, capacity * WORDS);
    this.removed = grow(this.removed, capacity);
    this.stamp = grow(this.stamp, capacity);
  }
}

/** Word w holds hex digits 8w..8w+7; substring t is the high (t even) or low half of word ⌊t/2⌋. */
function writeHash(target: Uint32Array, slot: number, hex: string): void {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError('a PDQ hash is 64 lowercase hex characters');
  for (let w = 0; w < WORDS; w++) target[slot * WORDS + w] = parseInt(hex.slice(w * 8, w * 8 + 8), 16) >>> 0;
}

function substring(hashes: Uint32Array, slot: number, t: number): number {
  const word = hashes[slot * WORDS + (t >> 1)]!;
  return t % 2 === 0 ? word >>> 16 : word & 0xffff;
}

function distance(hashes: Uint32Array, slot: number, query: Uint32Array): number {
  let d = 0;
  for (let w = 0; w < WORDS; w++) d += popcount32((hashes[slot * WORDS + w]! ^ query[w]!) >>> 0);
  return d;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Calls `visit` for every 16-bit value within Hamming distance `radius` of `value`. */
function forEachWithin(value: number, radius: number, visit: (v: number) => void): void {
  const flip = (v: number, from: number, left: number): void => {
    visit(v);
    if (left === 0) return;
    for (let bit = from; bit < 16; bit++) flip(v ^ (1 << bit), bit + 1, left - 1);
  };
  flip(value, 0, radius);
}
