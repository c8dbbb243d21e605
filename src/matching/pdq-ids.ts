/**
 * Not part of the external API: the ids of a PdqIndex, slot by slot, kept off the JS heap.
 *
 * Why not a `string[]` and a `Map<string, number>`: at 10 million hashes those are 10 million
 * live heap objects (over 100 bytes per id with the Map), and every major GC walks them, which
 * shows up as query latency. Here ids are UTF-8 bytes in one growing buffer with a start offset
 * per slot, and an open-addressing table (linear probing, power-of-two capacity, load ≤ 0.7)
 * from id to slot holds (slot + 1, 32-bit hash of the id) pairs side by side, so a probe reads
 * one cache line and decodes an id only when the hashes agree. Only matching ids become strings
 * again. About 4 bytes per slot, 8 / 0.7 per table entry and the id's UTF-8 bytes.
 *
 * Slots are appended in order, so the id of slot k is bytes [starts[k], starts[k + 1]).
 */

const EMPTY = 0;
const DELETED = 0xffffffff;
const MAX_LOAD = 0.7;

export class SlotIds {
  private bytes: Buffer;
  private starts: Uint32Array;
  /** Pairs: [2i] = 0 empty, DELETED tombstone, otherwise slot + 1; [2i + 1] = the id's hash. */
  private table: Uint32Array;
  private occupied = 0;
  private count = 0;
  /** The hash computed by the last `locate` that found no entry. */
  private located = 0;

  constructor(capacity = 1024) {
    const slots = Math.max(16, capacity);
    this.bytes = Buffer.allocUnsafe(slots * 16);
    this.starts = new Uint32Array(slots + 1);
    this.table = new Uint32Array(2 * tableCapacityFor(slots));
  }

  /** Slots appended so far, dead ones included. */
  get length(): number {
    return this.count;
  }

  /** The slot holding `id`, or -1. */
  slotOf(id: string): number {
    const position = this.locate(id);
    return position >= 0 ? this.table[2 * position]! - 1 : -1;
  }

  /**
   * Where `id` is in the table (≥ 0), or -1 - the empty position where it would go. The position
   * stays valid for `append` until the next change; call `reserve` first so no rehash intervenes.
   */
  locate(id: string): number {
    const hash = fnv1a(id);
    const mask = this.table.length / 2 - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = this.table[2 * i]!;
      if (entry === EMPTY) {
        this.located = hash;
        return -1 - i;
      }
      if (entry !== DELETED && this.table[2 * i + 1] === hash && this.holds(entry - 1, id)) return i;
    }
  }

  /** The slot at a position `locate` found. */
  slotAt(position: number): number {
    return this.table[2 * position]! - 1;
  }

  idOf(slot: number): string {
    return this.bytes.toString('utf8', this.starts[slot]!, this.starts[slot + 1]!);
  }

  /**
   * Appends `id` as the next slot and maps it at `position`, as returned by the `locate(id)` just
   * before: the empty position (negative), or the position of its older slot, which it replaces.
   */
  append(id: string, position: number): number {
    const slot = this.count;
    const start = this.starts[slot]!;
    this.starts[slot + 1] = start + this.writeId(id, start);
    this.count = slot + 1;
    const i = position >= 0 ? position : -1 - position;
    if (position < 0) {
      this.occupied++;
      this.table[2 * i + 1] = this.located;
    }
    this.table[2 * i] = slot + 1;
    return slot;
  }

  /** Writes the UTF-8 bytes of `id` at `start` (ASCII without a native call) and returns their count. */
  private writeId(id: string, start: number): number {
    const bytes = this.bytes;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return bytes.write(id, start, 'utf8');
      bytes[start + i] = c;
    }
    return id.length;
  }

  /** Whether `slot` holds `id`, comparing bytes while `id` is ASCII. */
  private holds(slot: number, id: string): boolean {
    const start = this.starts[slot]!;
    const length = this.starts[slot + 1]! - start;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return this.idOf(slot) === id;
      if (i >= length || this.bytes[start + i] !== c) return false;
    }
    return length === id.length;
  }

  /** Unmaps the id of `slot` (its bytes stay until the owner compacts). */
  forget(slot: number): void {
    const mask = this.table.length / 2 - 1;
    for (let i = fnv1a(this.idOf(slot)) & mask; ; i = (i + 1) & mask) {
      const entry = this.table[2 * i]!;
      if (entry === EMPTY) return;
      if (entry === slot + 1) {
        this.table[2 * i] = DELETED;
        return;
      }
    }
  }

  /** Makes room for `slots` slots in all and `extraBytes` more id bytes, without rehashing while there is room. */
  reserve(slots: number, extraBytes = 0, growTable = true): void {
    if (slots + 1 > this.starts.length) this.starts = grow(this.starts, Math.max(slots, Math.ceil(this.starts.length * 1.5)) + 1);
    const needed = this.starts[this.count]! + extraBytes;
    if (needed > this.bytes.length) {
      if (needed > 0xffffffff) throw new RangeError('ids exceed 4 GiB');
      const next = Buffer.allocUnsafe(Math.min(0xffffffff, Math.max(needed, Math.ceil(this.bytes.length * 1.5))));
      this.bytes.copy(next, 0, 0, this.starts[this.count]!);
      this.bytes = next;
    }
    if (growTable && slots / (this.table.length / 2) > MAX_LOAD) this.rehash(tableCapacityFor(slots));
  }

  /** Appends `id` as the next slot without mapping it: a bulk load appends, then calls `remap` once. */
  appendUnmapped(id: string): number {
    this.reserve(this.count + 1, id.length * 3, false);
    const slot = this.count;
    const start = this.starts[slot]!;
    this.starts[slot + 1] = start + this.writeId(id, start);
    this.count = slot + 1;
    return slot;
  }

  /**
   * Rebuilds the table over every slot that is not `dead`. The slots are inserted in the order of
   * their home positions (a stable two-pass radix sort of the hashes' low bits), so the inserts
   * walk the table once, sequentially, instead of jumping to a random cache line each. Of slots
   * holding the same id, the last wins, and `replaced` is told of every earlier one.
   */
  remap(dead: (slot: number) => boolean, replaced: (slot: number) => void): void {
    const capacity = tableCapacityFor(this.count);
    const mask = capacity - 1;
    let live = 0;
    for (let slot = 0; slot < this.count; slot++) if (!dead(slot)) live++;
    const pairs = { hashes: new Uint32Array(live), slots: new Uint32Array(live) };
    for (let slot = 0, k = 0; slot < this.count; slot++) {
      if (dead(slot)) continue;
      pairs.hashes[k] = this.hashOfSlot(slot);
      pairs.slots[k++] = slot;
    }
    const { hashes, slots } = sortPairsByLowBits(pairs, Math.log2(capacity));
    this.table = new Uint32Array(2 * capacity);
    this.occupied = 0;
    for (let k = 0; k < live; k++) {
      const [slot, hash] = [slots[k]!, hashes[k]!];
      let i = hash & mask;
      for (let entry = this.table[2 * i]!; entry !== EMPTY; entry = this.table[2 * i]!) {
        if (this.table[2 * i + 1] === hash && this.sameId(entry - 1, slot)) {
          replaced(entry - 1);
          break;
        }
        i = (i + 1) & mask;
      }
      if (this.table[2 * i] === EMPTY) this.occupied++;
      this.table[2 * i] = slot + 1;
      this.table[2 * i + 1] = hash;
    }
  }

  /** fnv1a of the slot's id, from its bytes while they are ASCII (then they are its code units). */
  private hashOfSlot(slot: number): number {
    const [start, end] = [this.starts[slot]!, this.starts[slot + 1]!];
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) {
      const b = this.bytes[p]!;
      if (b >= 0x80) return fnv1a(this.idOf(slot));
      h = Math.imul(h ^ b, 0x01000193);
    }
    return mix(h);
  }

  private sameId(a: number, b: number): boolean {
    const [aStart, bStart] = [this.starts[a]!, this.starts[b]!];
    const length = this.starts[a + 1]! - aStart;
    if (this.starts[b + 1]! - bStart !== length) return false;
    for (let i = 0; i < length; i++) if (this.bytes[aStart + i] !== this.bytes[bStart + i]) return false;
    return true;
  }

  /** Releases spare capacity (after a bulk load of unknown size). */
  trim(): void {
    const used = this.starts[this.count]!;
    if (this.bytes.length > used * 1.1 + 1024) {
      const bytes = Buffer.allocUnsafe(Math.max(16, used));
      this.bytes.copy(bytes, 0, 0, used);
      this.bytes = bytes;
    }
    if (this.starts.length > (this.count + 1) * 1.1 + 1024) this.starts = this.starts.slice(0, this.count + 1);
  }

  memoryBytes(): number {
    return this.bytes.length + this.starts.byteLength + this.table.byteLength;
  }

  private insert(slot: number, hash: number): void {
    const mask = this.table.length / 2 - 1;
    let i = hash & mask;
    for (let entry = this.table[2 * i]!; entry !== EMPTY && entry !== DELETED; entry = this.table[2 * i]!) i = (i + 1) & mask;
    if (this.table[2 * i] === EMPTY) this.occupied++;
    this.table[2 * i] = slot + 1;
    this.table[2 * i + 1] = hash;
  }

  /** Rebuilds the table at `capacity` entries, dropping tombstones. */
  private rehash(capacity: number): void {
    const old = this.table;
    this.table = new Uint32Array(2 * capacity);
    this.occupied = 0;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i]!;
      if (entry !== EMPTY && entry !== DELETED) this.insert(entry - 1, old[i + 1]!);
    }
  }
}

function tableCapacityFor(entries: number): number {
  let capacity = 16;
  while (entries / capacity > MAX_LOAD) capacity *= 2;
  return capacity;
}

function grow(old: Uint32Array, length: number): Uint32Array {
  const next = new Uint32Array(length);
  next.set(old.subarray(0, Math.min(old.length, length)));
  return next;
}

/** FNV-1a over UTF-16 code units, mixed at the end so that the low bits (the table index) spread. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The (hash, slot) pairs stably ordered by the hashes' low `bits` bits: LSD radix sort, passes of up to 13 bits, moving the pairs (not indexes, which would make every read random). */
function sortPairsByLowBits(pairs: { hashes: Uint32Array; slots: Uint32Array }, bits: number): { hashes: Uint32Array; slots: Uint32Array } {
  let { hashes, slots } = pairs;
  for (let shift = 0; shift < bits; shift += 13) {
    const width = Math.min(13, bits - shift);
    const digitMask = (1 << width) - 1;
    const counts = new Uint32Array((1 << width) + 1);
    for (let k = 0; k < hashes.length; k++) counts[((hashes[k]! >>> shift) & digitMask) + 1]!++;
    for (let d = 0; d < digitMask; d++) counts[d + 1]! += counts[d]!;
    const [nextHashes, nextSlots] = [new Uint32Array(hashes.length), new Uint32Array(hashes.length)];
    for (let k = 0; k < hashes.length; k++) {
      const at = counts[(hashes[k]! >>> shift) & digitMask]!++;
      nextHashes[at] = hashes[k]!;
      nextSlots[at] = slots[k]!;
    }
    [hashes, slots] = [nextHashes, nextSlots];
  }
  return { hashes, slots };
}
