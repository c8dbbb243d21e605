import { isSafeIndex } from './bytes.js';
import { TlogError } from './errors.js';
import {
  HASH_SIZE,
  completeSubtrees,
  consistencyRanges,
  emptyTreeHash,
  foldRight,
  half,
  inclusionRanges,
  nodeHash,
  requireIndex,
  type LeafRange,
} from './merkle.js';

/**
 * Proofs from stored hashes, with the storage layout of Go's sumdb `tlog`
 * (`StoredHashIndex`, `StoredHashCount`, `StoredHashes`) — the same hashes C2SP
 * tlog-tiles serves, so tiles can later be cut from this store.
 *
 * The store keeps one append-only array of 32-byte hashes. For every level L it
 * holds the hash of each complete subtree: (L, k) covers leaves [k·2^L, (k+1)·2^L)
 * and sits at `storedHashIndex(L, k)`. Appending leaf n creates exactly
 * 1 + (number of trailing 1 bits of n) hashes — the leaf hash, then the subtrees
 * that leaf completes, lowest first — at the consecutive indexes starting at
 * `storedHashCount(n)`. A tree of n leaves occupies indexes [0, storedHashCount(n)).
 *
 * Every operation reads the hashes it needs in one batch, so against a database a
 * tree hash, a proof or an append is one round trip of O(log n) rows.
 */

/** Reads stored hashes by index. Contract below (`SyncHashReader`) applies. */
export type HashReader = (indexes: readonly number[]) => Promise<readonly Uint8Array[]>;

/**
 * Reads stored hashes by index, synchronously (in-memory stores, benchmarks).
 *
 * Contract for both reader kinds: answer with exactly one 32-byte hash per index
 * asked, in the order asked; the indexes are distinct but not sorted. A reader
 * must throw (or answer short, which is reported as `STORE_INCONSISTENT`) rather
 * than invent a hash for an index it does not hold.
 */
export type SyncHashReader = (indexes: readonly number[]) => readonly Uint8Array[];

/** One hash to persist: `hash` belongs at storage index `index`. */
export interface StoredHash {
  readonly index: number;
  readonly hash: Uint8Array;
}

/**
 * The largest tree this layout addresses with safe integers:
 * storedHashCount(2^52) = 2^53 − 1. (The verifiers accept any safe size.)
 */
export const MAX_STORED_TREE_SIZE = 2 ** 52;
/** storedHashCount(MAX_STORED_TREE_SIZE), a constant (merkle.test.ts checks it): not recomputed for every index split. */
export const MAX_STORED_HASHES = 2 ** 53 - 1;

/**
 * The storage index of the hash of complete subtree (level, index), i.e. of
 * leaves [index·2^level, (index+1)·2^level). Level 0 is the leaf hashes.
 * @example storedHashIndex(0, 0) === 0; storedHashIndex(0, 1) === 1; storedHashIndex(1, 0) === 2
 */
export function storedHashIndex(level: number, index: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 52) {
    throw new TlogError('INVALID_INDEX', 'level must be an integer from 0 to 52', { details: { level } });
  }
  requireIndex(index, 'index');
  if ((index + 1) * 2 ** level > MAX_STORED_TREE_SIZE) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `subtree (${level}, ${index}) lies beyond 2^52 leaves`, { details: { level, index } });
  }
  // Level L's k-th hash is written right after level L−1's (2k+1)-th hash: walk down to level 0,
  // where hash n sits at n + ⌊n/2⌋ + ⌊n/4⌋ + … (the hashes of the subtrees completed before it).
  let n = index;
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let position = 0;
  for (; n > 0; n = half(n)) position += n;
  return position + level;
}

/**
 * The inverse of `storedHashIndex`: which complete subtree's hash sits at storage index `index`
 * (Go sumdb's `SplitStoredHashIndex`). Leaf n's hashes start at storedHashIndex(0, n) ≤ 2n, so
 * the leaf that wrote `index` is found by walking up from ⌊index/2⌋, a few steps at most.
 * @example splitStoredHashIndex(2) → { level: 1, index: 0 }
 */
export function splitStoredHashIndex(index: number): { level: number; index: number } {
  requireIndex(index, 'index');
  if (index >= MAX_STORED_HASHES) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `stored hash ${index} lies beyond 2^52 leaves`, { details: { index } });
  }
  let n = half(index);
  let start = storedHashIndex(0, n);
  for (;;) {
    // Leaf n writes 1 + (trailing 1 bits of n) hashes from `start` on.
    const next = start + 1 + trailingOnes(n);
    if (next > index) break;
    n++;
    start = next;
  }
  const level = index - start;
  return { level, index: Math.floor(n / 2 ** level) };
}

/** How many hashes a tree of `size` leaves stores; also the index where leaf `size`'s hashes start. */
export function storedHashCount(size: number): number {
  requireStoredSize(size, 'size');
  if (size === 0) return 0;
  return storedHashIndex(0, size - 1) + 1 + trailingOnes(size - 1);
}

function trailingOnes(n: number): number {
  let count = 0;
  for (; n % 2 === 1; n = half(n)) count++;
  return count;
}

function requireStoredSize(size: number, what: string): number {
  requireIndex(size, what);
  if (size > MAX_STORED_TREE_SIZE) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `${what} ${size} exceeds the largest storable tree (2^52)`, { details: { [what]: size } });
  }
  return size;
}

/** What an operation must read, and what it makes of the answer. */
interface Plan<T> {
  readonly indexes: readonly number[];
  finish(hashes: readonly Uint8Array[]): T;
}

/** Distinct storage indexes in first-seen order, each with its position in the batch. */
class IndexBatch {
  readonly indexes: number[] = [];
  readonly #positions = new Map<number, number>();

  add(index: number): number {
    let position = this.#positions.get(index);
    if (position === undefined) {
      position = this.indexes.length;
      this.indexes.push(index);
      this.#positions.set(index, position);
    }
    return position;
  }

  positionOf(index: number): number {
    const position = this.#positions.get(index);
    if (position === undefined) throw new Error(`internal: index ${index} was not planned`);
    return position;
  }
}

function checkAnswer(answer: unknown, expected: number): readonly Uint8Array[] {
  if (!Array.isArray(answer) || answer.length !== expected) {
    const got = Array.isArray(answer) ? answer.length : typeof answer;
    throw new TlogError('STORE_INCONSISTENT', `hash reader answered ${String(got)} hashes for ${expected} indexes`);
  }
  answer.forEach((hash: unknown, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new TlogError('STORE_INCONSISTENT', `hash reader answered a malformed hash at position ${i}`);
    }
  });
  return answer as readonly Uint8Array[];
}

async function run<T>(plan: Plan<T>, reader: HashReader | SyncHashReader): Promise<T> {
  const answer = plan.indexes.length === 0 ? [] : await reader(plan.indexes);
  return plan.finish(checkAnswer(answer, plan.indexes.length));
}

function runSync<T>(plan: Plan<T>, reader: SyncHashReader): T {
  const answer = plan.indexes.length === 0 ? [] : reader(plan.indexes);
  return plan.finish(checkAnswer(answer, plan.indexes.length));
}

/** Reads every range's complete subtrees in one batch and folds each range into its hash. */
function rangesPlan(ranges: readonly LeafRange[]): Plan<Uint8Array[]> {
  const batch = new IndexBatch();
  const positions = ranges.map((range) => completeSubtrees(range).map((s) => batch.add(storedHashIndex(s.level, s.index))));
  return {
    indexes: batch.indexes,
    finish: (hashes) => positions.map((ps) => foldRight(ps.map((p) => hashes[p] as Uint8Array))),
  };
}

function treeHashPlan(size: number): Plan<Uint8Array> {
  requireStoredSize(size, 'size');
  if (size === 0) return { indexes: [], finish: () => emptyTreeHash() };
  const plan = rangesPlan([{ lo: 0, hi: size }]);
  return { indexes: plan.indexes, finish: (hashes) => plan.finish(hashes)[0] as Uint8Array };
}

function inclusionPlan(index: number, size: number): Plan<Uint8Array[]> {
  requireIndex(index, 'index');
  requireStoredSize(size, 'size');
  if (index >= size) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, { details: { index, size } });
  }
  return rangesPlan(inclusionRanges(index, size));
}

function consistencyPlan(size1: number, size2: number): Plan<Uint8Array[]> {
  requireIndex(size1, 'size1');
  requireStoredSize(size2, 'size2');
  if (size1 === 0 || size1 > size2) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `no consistency proof exists from size ${size1} to size ${size2}`, {
      details: { size1, size2 },
    });
  }
  return rangesPlan(consistencyRanges(size1, size2));
}

/**
 * Appending leaves start, start+1, …: leaf n's new subtrees pair it with left
 * siblings (level i, ⌊n/2^i⌋ − 1) for each trailing 1 bit i of n. Siblings stored
 * before the batch are read in one batch; the others are made earlier in it.
 */
function appendPlan(start: number, leafHashes: readonly Uint8Array[]): Plan<StoredHash[]> {
  requireIndex(start, 'start');
  requireStoredSize(start + leafHashes.length, 'size');
  leafHashes.forEach((hash, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new TlogError('MALFORMED_HASH', `leaf hash ${i} must be ${HASH_SIZE} bytes`, { details: { position: i } });
    }
  });
  const firstNew = storedHashCount(start);
  const batch = new IndexBatch();
  const siblings = (n: number): number[] =>
    Array.from({ length: trailingOnes(n) }, (_, level) => storedHashIndex(level, Math.floor(n / 2 ** level) - 1));
  for (let n = start; n < start + leafHashes.length; n++) {
    for (const index of siblings(n)) if (index < firstNew) batch.add(index);
  }
  const finish = (old: readonly Uint8Array[]): StoredHash[] => {
    const made = new Map<number, Uint8Array>();
    const lookup = (index: number): Uint8Array =>
      index < firstNew ? (old[batch.positionOf(index)] as Uint8Array) : (made.get(index) as Uint8Array);
    const out: StoredHash[] = [];
    leafHashes.forEach((leaf, offset) => {
      const n = start + offset;
      let index = storedHashIndex(0, n);
      let hash = leaf;
      out.push({ index, hash });
      made.set(index, hash);
      for (const sibling of siblings(n)) {
        hash = nodeHash(lookup(sibling), hash);
        index += 1;
        out.push({ index, hash });
        made.set(index, hash);
      }
    });
    return out;
  };
  return { indexes: batch.indexes, finish };
}

/** MTH of the first `size` leaves (the empty-string SHA-256 for size 0). */
export function treeHash(size: number, reader: HashReader | SyncHashReader): Promise<Uint8Array> {
  return run(treeHashPlan(size), reader);
}

export function treeHashSync(size: number, reader: SyncHashReader): Uint8Array {
  return runSync(treeHashPlan(size), reader);
}

/**
 * The RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves.
 * The caller checks `size` against its current tree size: this function cannot
 * know it, and asks the reader for hashes that exist only if size ≤ tree size.
 */
export function inclusionProof(index: number, size: number, reader: HashReader | SyncHashReader): Promise<Uint8Array[]> {
  return run(inclusionPlan(index, size), reader);
}

export function inclusionProofSync(index: number, size: number, reader: SyncHashReader): Uint8Array[] {
  return runSync(inclusionPlan(index, size), reader);
}

/** The RFC 9162 consistency proof from `size1` to `size2` (0 < size1 ≤ size2; empty when equal). */
export function consistencyProof(size1: number, size2: number, reader: HashReader | SyncHashReader): Promise<Uint8Array[]> {
  return run(consistencyPlan(size1, size2), reader);
}

export function consistencyProofSync(size1: number, size2: number, reader: SyncHashReader): Uint8Array[] {
  return runSync(consistencyPlan(size1, size2), reader);
}

/**
 * The hashes to persist when appending `leafHashes` as leaves start, start+1, …
 * to a stored tree of exactly `start` leaves: consecutive indexes from
 * `storedHashCount(start)` to `storedHashCount(start + leafHashes.length) − 1`,
 * in that order. Reads at most one batch of older hashes.
 */
export function storedHashesForLeaves(
  start: number,
  leafHashes: readonly Uint8Array[],
  reader: HashReader | SyncHashReader,
): Promise<StoredHash[]> {
  return run(appendPlan(start, leafHashes), reader);
}

export function storedHashesForLeavesSync(start: number, leafHashes: readonly Uint8Array[], reader: SyncHashReader): StoredHash[] {
  return runSync(appendPlan(start, leafHashes), reader);
}

/** `storedHashesForLeaves` for one leaf: the hashes appending leaf `index` creates. */
export function storedHashesForLeaf(index: number, leaf: Uint8Array, reader: HashReader | SyncHashReader): Promise<StoredHash[]> {
  return storedHashesForLeaves(index, [leaf], reader);
}

/**
 * A reader that sees `pending` hashes (made by `storedHashesForLeaves` but not yet
 * persisted) before falling back to `reader`, so the new tree hash can be computed
 * before the append commits.
 */
export function withPendingHashes(reader: HashReader | SyncHashReader, pending: readonly StoredHash[]): HashReader {
  const byIndex = new Map(pending.map((p) => [p.index, p.hash] as const));
  return async (indexes) => {
    const missing = indexes.filter((i) => !byIndex.has(i));
    const fetched = missing.length === 0 ? [] : checkAnswer(await reader(missing), missing.length);
    const fromReader = new Map(missing.map((index, i) => [index, fetched[i] as Uint8Array] as const));
    return indexes.map((i) => byIndex.get(i) ?? (fromReader.get(i) as Uint8Array));
  };
}

/** The stored-hash array in memory: for tests, benchmarks and tools. Not durable. */
export class MemoryHashStore {
  readonly #hashes: Uint8Array[] = [];
  #size = 0;

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  readonly read: SyncHashReader = (indexes) =>
    indexes.map((index) => {
      const hash = isSafeIndex(index) ? this.#hashes[index] : undefined;
      if (hash === undefined) throw new TlogError('STORE_INCONSISTENT', `no stored hash at index ${index}`, { details: { index } });
      return hash;
    });

  /** Appends leaf hashes (not entries: hash them with `leafHash` first) and returns what was stored. */
  append(leafHashes: readonly Uint8Array[]): StoredHash[] {
    const made = storedHashesForLeavesSync(this.#size, leafHashes, this.read);
    for (const { index, hash } of made) {
      if (index !== this.#hashes.length) throw new Error(`internal: stored hash ${index} out of order`);
      this.#hashes.push(hash);
    }
    this.#size += leafHashes.length;
    return made;
  }

  /** The current root, or that of an earlier size. */
  treeHash(size: number = this.#size): Uint8Array {
    if (!isSafeIndex(size) || size > this.#size) {
      throw new TlogError('INDEX_OUT_OF_RANGE', `tree size ${size} exceeds the stored ${this.#size} leaves`, { details: { size } });
    }
    return treeHashSync(size, this.read);
  }
}
