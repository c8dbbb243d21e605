import { hash } from 'node:crypto';
import { bytesEqual, isSafeIndex, parseCanonicalDecimal } from './bytes.js';
import { TlogError } from './errors.js';

/**
 * RFC 9162 §2.1 Merkle tree hashing over SHA-256, and the two proof verifiers.
 *
 * Sizes and indexes are JavaScript numbers: every safe integer (≤ 2^53 − 1) is
 * accepted, anything else (negative, fractional, NaN, or a 64-bit value that
 * JSON.parse rounded) is refused with `INVALID_INDEX` before any arithmetic.
 * Bit operators work on 32 bits only, so the arithmetic below divides instead of
 * shifting.
 */

export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1 domain separation: 0x00 before leaf data, 0x01 before two child hashes. */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/**
 * One scratch buffer for every hash's input, and one-shot `crypto.hash`: a `createHash` object
 * per node (three `update`s and a `digest`) cost five times as much as the SHA-256 itself, and
 * an auditor hashes two or three nodes per log entry. Safe to reuse: hashing is synchronous and
 * `hash` copies nothing it keeps.
 */
let scratch = Buffer.alloc(1 + 2 * HASH_SIZE);

function withPrefix(prefix: number, length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
  scratch[0] = prefix;
  return scratch;
}

/** SHA-256(0x00 ‖ entry): the hash of one log entry. */
export function leafHash(entry: Uint8Array): Uint8Array {
  const input = withPrefix(LEAF_PREFIX, 1 + entry.length);
  input.set(entry, 1);
  return hash('sha256', input.subarray(0, 1 + entry.length), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return hashOf(NODE_PREFIX, left, right);
  const input = withPrefix(NODE_PREFIX, 1 + 2 * HASH_SIZE);
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return hash('sha256', input.subarray(0, 1 + 2 * HASH_SIZE), 'buffer');
}

/** The general form, for children of another length (a malformed proof's elements are hashed as given). */
function hashOf(prefix: number, left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = Buffer.alloc(1 + left.length + right.length);
  input[0] = prefix;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return hash('sha256', input, 'buffer');
}

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
export function emptyTreeHash(): Uint8Array {
  return hash('sha256', new Uint8Array(0), 'buffer');
}

// Proof shapes: used by stored-hashes.ts, not part of the module's surface (index.ts).

/** A range of leaves [lo, hi) whose Merkle tree hash is one proof element. */
export interface LeafRange {
  readonly lo: number;
  readonly hi: number;
}

/** A complete subtree: level L, index k covers leaves [k·2^L, (k+1)·2^L). */
export interface Subtree {
  readonly level: number;
  readonly index: number;
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

/** The largest power of two strictly below n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The ranges whose hashes form the inclusion proof of leaf `index` in a tree of
 * `size` leaves, leaf-side first: the iterative form of PATH(m, D[n]) in RFC 9162
 * §2.1.3.1. The caller has checked index < size.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  const path: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      path.push({ lo, hi: lo + k });
      lo += k;
    }
  }
  return path.reverse();
}

/**
 * The ranges whose hashes form the consistency proof from `size1` to `size2`
 * (0 < size1 ≤ size2), deepest first: the iterative form of SUBPROOF(m, D[n], true)
 * in RFC 9162 §2.1.4.1. Empty when the sizes are equal.
 */
export function consistencyRanges(size1: number, size2: number): LeafRange[] {
  const path: LeafRange[] = [];
  let lo = 0;
  let hi = size2;
  let startsTree = true;
  while (size1 !== hi) {
    const k = splitPoint(hi - lo);
    if (size1 - lo <= k) {
      path.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      path.push({ lo, hi: lo + k });
      lo += k;
      startsTree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old root is itself a node of the new tree.
  if (!startsTree) path.push({ lo, hi });
  return path.reverse();
}

/**
 * The complete subtrees whose hashes, folded from the right with nodeHash, give
 * MTH(D[lo:hi]). Every range produced by the RFC 9162 recursion starts at a
 * multiple of a power of two at least as large as itself, so its greedy
 * decomposition follows the binary digits of its length.
 */
export function completeSubtrees(range: LeafRange): Subtree[] {
  const subtrees: Subtree[] = [];
  let lo = range.lo;
  while (lo < range.hi) {
    let width = 1;
    let level = 0;
    while (width * 2 <= range.hi - lo) {
      width *= 2;
      level++;
    }
    if (lo % width !== 0) throw new Error(`internal: range [${range.lo}, ${range.hi}) is not aligned`);
    subtrees.push({ level, index: lo / width });
    lo += width;
  }
  return subtrees;
}

/** Folds subtree hashes (left to right order) into the hash of the range they cover. */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) throw new Error('internal: empty range');
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Uint8Array, acc);
  return acc;
}

export function requireIndex(value: unknown, what: string): number {
  if (!isSafeIndex(value)) {
    throw new TlogError('INVALID_INDEX', `${what} must be a non-negative integer no larger than 2^53 - 1`, {
      details: { field: what },
    });
  }
  return value;
}

/**
 * Parses an index or size given as text (an HTTP query parameter): a canonical
 * ASCII decimal no larger than 2^53 − 1, else `INVALID_INDEX` (HTTP 400).
 * @example parseLogIndex(url.searchParams.get('index') ?? '', 'index')
 */
export function parseLogIndex(text: string, what = 'index'): number {
  const value = typeof text === 'string' ? parseCanonicalDecimal(text) : undefined;
  if (value === undefined) {
    throw new TlogError('INVALID_INDEX', `${what} must be a decimal integer from 0 to 2^53 - 1 without leading zeros`, {
      details: { field: what },
    });
  }
  return value;
}

function requireHash(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    const length = value instanceof Uint8Array ? value.length : undefined;
    throw new TlogError('MALFORMED_HASH', `${what} must be a ${HASH_SIZE}-byte hash`, { details: { field: what, length } });
  }
  return value;
}

function requireProofHashes(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) throw new TlogError('INVALID_PROOF', 'proof must be an array of hashes');
  proof.forEach((hash, i) => requireHash(hash, `proof[${i}]`));
}

function invalidProof(message: string, details: Record<string, unknown> = {}): TlogError {
  return new TlogError('INVALID_PROOF', message, { details });
}

/** Shifts fn and sn right together until fn is odd or zero (RFC 9162 §2.1.3.2 step 4b). */
function shiftUntilOddOrZero(fn: number, sn: number): [number, number] {
  while (fn % 2 === 0 && fn !== 0) {
    fn = half(fn);
    sn = half(sn);
  }
  return [fn, sn];
}

/**
 * Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is
 * `root`, by RFC 9162 §2.1.3.2. Throws `INVALID_INDEX`, `INDEX_OUT_OF_RANGE`,
 * `MALFORMED_HASH` or `INVALID_PROOF`; returns nothing on success.
 *
 * A proof binds the size only through its shape, so `size` and `root` must come
 * from the same verified checkpoint.
 *
 * @example verifyInclusion(3, checkpoint.size, leafHash(entryBytes), proof, checkpoint.root)
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  requireIndex(index, 'index');
  requireIndex(size, 'size');
  if (index >= size) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, { details: { index, size } });
  }
  requireHash(leaf, 'leaf hash');
  requireHash(root, 'root');
  requireProofHashes(proof);
  const expected = inclusionRanges(index, size).length;
  if (proof.length !== expected) {
    throw invalidProof(`inclusion proof has ${proof.length} hashes, a tree of ${size} needs ${expected} for leaf ${index}`, {
      length: proof.length,
      expected,
    });
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw invalidProof('inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = shiftUntilOddOrZero(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw invalidProof('inclusion proof is too short');
  if (!bytesEqual(r, root)) throw invalidProof('inclusion proof does not lead to the root');
}

/**
 * Checks that the tree of `size2` leaves with root `root2` extends the tree of
 * `size1` leaves with root `root1`, by RFC 9162 §2.1.4.2. Equal sizes need an
 * empty proof and equal roots. A proof from size 0 is refused
 * (`INDEX_OUT_OF_RANGE`): every tree extends the empty one, so callers starting
 * from nothing skip the check instead of asking for a proof.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  requireIndex(size1, 'size1');
  requireIndex(size2, 'size2');
  if (size1 === 0 || size1 > size2) {
    throw new TlogError('INDEX_OUT_OF_RANGE', `no consistency proof exists from size ${size1} to size ${size2}`, {
      details: { size1, size2 },
    });
  }
  requireHash(root1, 'root1');
  requireHash(root2, 'root2');
  requireProofHashes(proof);
  if (size1 === size2) {
    if (proof.length !== 0) throw invalidProof('consistency proof between equal sizes must be empty');
    if (!bytesEqual(root1, root2)) throw invalidProof('trees of equal size have different roots');
    return;
  }
  const expected = consistencyRanges(size1, size2).length;
  if (proof.length !== expected) {
    throw invalidProof(`consistency proof has ${proof.length} hashes, ${size1} → ${size2} needs ${expected}`, {
      length: proof.length,
      expected,
    });
  }
  checkConsistencyPath(size1, size2, isPowerOfTwo(size1) ? [root1, ...proof] : proof, root1, root2);
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** RFC 9162 §2.1.4.2 steps 3–7, on a path that already starts with the old root where needed. */
function checkConsistencyPath(
  size1: number,
  size2: number,
  path: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path;
  if (first === undefined) throw invalidProof('consistency proof is empty');
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) throw invalidProof('consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = shiftUntilOddOrZero(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw invalidProof('consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw invalidProof('consistency proof does not lead to the old root');
  if (!bytesEqual(sr, root2)) throw invalidProof('consistency proof does not lead to the new root');
}
