import { emptyTreeHash, nodeHash } from '../tlog/index.js';

/**
 * The right edge of a Merkle tree of `size` leaves: the hashes of its complete subtrees, left to
 * right, one per set bit of `size`. Enough to append leaves and compute every later root, so an
 * auditor keeps O(log n) state and never refetches what it has already checked. Pure.
 */
export interface CompactRange {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

export const EMPTY_RANGE: CompactRange = { size: 0, hashes: [] };

export function appendLeaf(range: CompactRange, leaf: Uint8Array): CompactRange {
  return appendLeaves(range, [leaf]);
}

/** Appends leaves in turn, copying the range once rather than once per leaf. */
export function appendLeaves(range: CompactRange, leaves: readonly Uint8Array[]): CompactRange {
  const hashes = [...range.hashes];
  let size = range.size;
  for (const leaf of leaves) {
    hashes.push(leaf);
    // Each trailing 1 bit of the old size is a subtree the new leaf completes a merge with.
    for (let n = size; n % 2 === 1; n = Math.floor(n / 2)) {
      const right = hashes.pop()!;
      const left = hashes.pop()!;
      hashes.push(nodeHash(left, right));
    }
    size++;
  }
  return { size, hashes };
}

/** RFC 9162 MTH: fold the subtrees from the right. */
export function rangeRoot(range: CompactRange): Uint8Array {
  if (range.hashes.length === 0) return emptyTreeHash();
  let acc = range.hashes[range.hashes.length - 1]!;
  for (let i = range.hashes.length - 2; i >= 0; i--) acc = nodeHash(range.hashes[i]!, acc);
  return acc;
}
