import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  MAX_STORED_TREE_SIZE,
  MemoryHashStore,
  TlogError,
  consistencyProof,
  consistencyProofSync,
  emptyTreeHash,
  inclusionProof,
  inclusionProofSync,
  leafHash,
  nodeHash,
  parseLogIndex,
  storedHashCount,
  storedHashIndex,
  storedHashesForLeaf,
  storedHashesForLeaves,
  storedHashesForLeavesSync,
  treeHash,
  treeHashSync,
  verifyConsistency,
  verifyInclusion,
  withPendingHashes,
} from './index.js';
import type { HashReader, SyncHashReader, TlogErrorCode } from './index.js';
import { MAX_STORED_HASHES } from './stored-hashes.js';
import { b64, readVectorBytes, readVectorJson, skipWithoutVectors, toB64, type InclusionCase } from './test-vectors.js';

function throwsCode(fn: () => unknown, ...codes: TlogErrorCode[]): void {
  assert.throws(fn, (err: unknown) => err instanceof TlogError && codes.includes(err.code), `expected one of ${codes.join(', ')}`);
}

async function rejectsCode(promise: Promise<unknown>, code: TlogErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof TlogError && err.code === code);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function flipBit(bytes: Uint8Array, bit = 0): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

/** RFC 9162 §2.1 written as the recursive definitions, for comparison (memoized MTH). */
class NaiveTree {
  readonly #leaves: Uint8Array[];
  readonly #memo = new Map<string, Uint8Array>();

  constructor(entries: readonly Uint8Array[]) {
    this.#leaves = entries.map(leafHash);
  }

  static split(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  mth(lo: number, hi: number): Uint8Array {
    if (hi === lo) return createHash('sha256').digest();
    if (hi - lo === 1) return this.#leaves[lo] as Uint8Array;
    const key = `${lo},${hi}`;
    let h = this.#memo.get(key);
    if (h === undefined) {
      const k = NaiveTree.split(hi - lo);
      h = nodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
      this.#memo.set(key, h);
    }
    return h;
  }

  /** PATH(m, D[lo:hi]). */
  path(m: number, lo: number, hi: number): Uint8Array[] {
    if (hi - lo <= 1) return [];
    const k = NaiveTree.split(hi - lo);
    return m < k ? [...this.path(m, lo, lo + k), this.mth(lo + k, hi)] : [...this.path(m - k, lo + k, hi), this.mth(lo, lo + k)];
  }

  /** SUBPROOF(m, D[lo:hi], b). */
  subproof(m: number, lo: number, hi: number, b: boolean): Uint8Array[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [this.mth(lo, hi)];
    const k = NaiveTree.split(n);
    return m <= k
      ? [...this.subproof(m, lo, lo + k, b), this.mth(lo + k, hi)]
      : [...this.subproof(m - k, lo + k, hi, false), this.mth(lo, lo + k)];
  }
}

const entry = (i: number): Uint8Array => Buffer.from(`entry-${i}`);

describe('leafHash, nodeHash and the empty tree', () => {
  it('prefix leaves with 0x00 and nodes with 0x01 (RFC 9162 §2.1.1)', () => {
    assert.equal(hex(leafHash(new Uint8Array())), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.equal(hex(emptyTreeHash()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const l = leafHash(Buffer.from('l'));
    const r = leafHash(Buffer.from('r'));
    assert.equal(hex(nodeHash(l, r)), hex(createHash('sha256').update(Uint8Array.of(1)).update(l).update(r).digest()));
  });
});

describe('RFC 6962 reference tree', { skip: skipWithoutVectors }, () => {
  interface ReferenceTree {
    leaf_inputs: string[];
    node_hashes_by_level: string[][];
    roots_by_size: string[];
  }
  const load = (): { tree: ReferenceTree; store: MemoryHashStore } => {
    const tree = readVectorJson<ReferenceTree>('merkle/rfc6962-reference-tree.json');
    const store = new MemoryHashStore();
    store.append(tree.leaf_inputs.map((h) => leafHash(Buffer.from(h, 'hex'))));
    return { tree, store };
  };

  it('gives the root of every size 0..8', () => {
    const { tree, store } = load();
    tree.roots_by_size.forEach((root, size) => assert.equal(hex(store.treeHash(size)), root, `size ${size}`));
  });

  it('stores every complete node at storedHashIndex(level, k)', () => {
    const { tree, store } = load();
    tree.node_hashes_by_level.forEach((level, l) =>
      level.forEach((h, k) => assert.equal(hex(store.read([storedHashIndex(l, k)])[0] as Uint8Array), h, `level ${l} node ${k}`)),
    );
    assert.equal(storedHashCount(8), 15);
  });
});

describe('transparency-dev/merkle inclusion probes', { skip: skipWithoutVectors }, () => {
  it('accepts exactly the happy paths and rejects every corruption with a coded error', () => {
    const { cases } = readVectorJson<{ cases: InclusionCase[] }>('merkle/inclusion.json');
    assert.equal(cases.length, 98);
    for (const c of cases) {
      const run = (): void => verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), (c.proof ?? []).map(b64), b64(c.root));
      if (c.wantErr) throwsCode(run, 'INVALID_PROOF', 'INDEX_OUT_OF_RANGE', 'INVALID_INDEX', 'MALFORMED_HASH');
      else assert.doesNotThrow(run, c.file);
    }
  });

  it('refuses the 2^64 − 1 index that JSON rounded, as INVALID_INDEX', () => {
    throwsCode(() => verifyInclusion(18446744073709551615, 8, new Uint8Array(32), [], new Uint8Array(32)), 'INVALID_INDEX');
  });
});

describe('transparency-dev/merkle consistency probes', { skip: skipWithoutVectors }, () => {
  interface ConsistencyCase {
    file: string;
    size1: number;
    size2: number;
    root1: string;
    root2: string;
    proof: string[] | null;
    wantErr: boolean;
  }
  // The one documented disagreement: 12-byte "roots" are refused by a strict verifier.
  const TWELVE_BYTE_ROOTS = 'additional/sizes-are-equal-one-and-proof-is-empty';

  it('agrees on every probe except the documented 12-byte one', () => {
    const { cases } = readVectorJson<{ cases: ConsistencyCase[] }>('merkle/consistency.json');
    assert.equal(cases.length, 98);
    let exceptions = 0;
    for (const c of cases) {
      const run = (): void => verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2));
      if (c.file.includes(TWELVE_BYTE_ROOTS)) {
        exceptions++;
        assert.equal(c.wantErr, false);
        throwsCode(run, 'MALFORMED_HASH');
      } else if (c.wantErr) {
        throwsCode(run, 'INVALID_PROOF', 'INDEX_OUT_OF_RANGE', 'INVALID_INDEX', 'MALFORMED_HASH');
      } else {
        assert.doesNotThrow(run, c.file);
      }
    }
    assert.equal(exceptions, 1);
  });
});

describe('Google Argon 2020 CT log (real data)', { skip: skipWithoutVectors }, () => {
  interface Argon {
    sth: { tree_size: number; sha256_root_hash: string };
    leaf_index: number;
    leaf_input: string;
    audit_path: string[];
    consistency_first: number;
    consistency_first_root: string;
    consistency: string[];
  }
  const load = (): Argon => readVectorJson<Argon>('merkle/ct-argon2020.json');

  it('verifies the audit path of leaf 10000 in a tree of 961,984,013', () => {
    const a = load();
    verifyInclusion(a.leaf_index, a.sth.tree_size, leafHash(b64(a.leaf_input)), a.audit_path.map(b64), b64(a.sth.sha256_root_hash));
  });

  it('verifies consistency from 3,654,490', () => {
    const a = load();
    verifyConsistency(a.consistency_first, a.sth.tree_size, a.consistency.map(b64), b64(a.consistency_first_root), b64(a.sth.sha256_root_hash));
  });

  it('rejects a flipped bit anywhere in either proof', () => {
    const a = load();
    const root = b64(a.sth.sha256_root_hash);
    const leaf = leafHash(b64(a.leaf_input));
    a.audit_path.forEach((_, i) => {
      const proof = a.audit_path.map(b64).map((h, j) => (i === j ? flipBit(h, 77) : h));
      throwsCode(() => verifyInclusion(a.leaf_index, a.sth.tree_size, leaf, proof, root), 'INVALID_PROOF');
    });
    a.consistency.forEach((_, i) => {
      const proof = a.consistency.map(b64).map((h, j) => (i === j ? flipBit(h, 3) : h));
      throwsCode(() => verifyConsistency(a.consistency_first, a.sth.tree_size, proof, b64(a.consistency_first_root), root), 'INVALID_PROOF');
    });
  });

  it('binds the size only through the proof shape: size + 1 also verifies, so size and root must come from one checkpoint', () => {
    const a = load();
    verifyInclusion(a.leaf_index, a.sth.tree_size + 1, leafHash(b64(a.leaf_input)), a.audit_path.map(b64), b64(a.sth.sha256_root_hash));
  });
});

describe('RFC 9162 §2.1.5 worked example', { skip: skipWithoutVectors }, () => {
  interface Example {
    labels: Record<string, [number, number]>;
    size: number;
    inclusion: { index: number; proof: string[] }[];
    consistency: { size1: number; proof: string[] }[];
  }
  it('produces the proofs the RFC names, node by node', () => {
    const ex = readVectorJson<Example>('merkle/rfc9162-example.json');
    const entries = Array.from({ length: ex.size }, (_, i) => entry(i));
    const naive = new NaiveTree(entries);
    const store = new MemoryHashStore();
    store.append(entries.map(leafHash));
    const named = (labels: string[]): string[] =>
      labels.map((l) => {
        const [lo, hi] = ex.labels[l] as [number, number];
        return hex(naive.mth(lo, hi));
      });
    for (const { index, proof } of ex.inclusion) {
      assert.deepEqual(inclusionProofSync(index, ex.size, store.read).map(hex), named(proof), `inclusion of ${index}`);
    }
    for (const { size1, proof } of ex.consistency) {
      assert.deepEqual(consistencyProofSync(size1, ex.size, store.read).map(hex), named(proof), `consistency from ${size1}`);
    }
  });
});

describe('generated vectors for trees 1..40', { skip: skipWithoutVectors }, () => {
  interface Generated {
    leaves: string[];
    roots: string[];
    inclusion: { index: number; size: number; proof: string[] }[];
    consistency: { size1: number; size2: number; proof: string[] }[];
  }
  const load = (): { v: Generated; store: MemoryHashStore } => {
    const v = readVectorJson<Generated>('generated/merkle-1to40.json');
    const store = new MemoryHashStore();
    store.append(v.leaves.map((l) => leafHash(Buffer.from(l))));
    return { v, store };
  };

  it('matches all 41 roots', () => {
    const { v, store } = load();
    v.roots.forEach((root, size) => assert.equal(toB64(store.treeHash(size)), root, `size ${size}`));
  });

  it('matches and verifies all 820 inclusion proofs', () => {
    const { v, store } = load();
    assert.equal(v.inclusion.length, 820);
    for (const c of v.inclusion) {
      const proof = inclusionProofSync(c.index, c.size, store.read);
      assert.deepEqual(proof.map(toB64), c.proof, `leaf ${c.index} of ${c.size}`);
      verifyInclusion(c.index, c.size, leafHash(Buffer.from(v.leaves[c.index] as string)), c.proof.map(b64), b64(v.roots[c.size] as string));
    }
  });

  it('matches and verifies all 820 consistency proofs', () => {
    const { v, store } = load();
    assert.equal(v.consistency.length, 820);
    for (const c of v.consistency) {
      const proof = consistencyProofSync(c.size1, c.size2, store.read);
      assert.deepEqual(proof.map(toB64), c.proof, `${c.size1} → ${c.size2}`);
      verifyConsistency(c.size1, c.size2, c.proof.map(b64), b64(v.roots[c.size1] as string), b64(v.roots[c.size2] as string));
    }
  });
});

describe('brute force against the recursive RFC 9162 definitions, trees 1..64', () => {
  const MAX = 64;
  const entries = Array.from({ length: MAX }, (_, i) => entry(i));
  const naive = new NaiveTree(entries);
  const store = new MemoryHashStore();
  store.append(entries.map(leafHash));

  it('computes every root', () => {
    for (let n = 0; n <= MAX; n++) assert.equal(hex(store.treeHash(n)), hex(naive.mth(0, n)), `size ${n}`);
  });

  it('generates every inclusion proof; the verifier accepts it and rejects tampered ones', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = naive.mth(0, n);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProofSync(i, n, store.read);
        assert.deepEqual(proof.map(hex), naive.path(i, 0, n).map(hex), `leaf ${i} of ${n}`);
        const leaf = leafHash(entries[i] as Uint8Array);
        verifyInclusion(i, n, leaf, proof, root);
        proof.forEach((_, j) => {
          const bad = proof.map((h, k) => (k === j ? flipBit(h, 200) : h));
          throwsCode(() => verifyInclusion(i, n, leaf, bad, root), 'INVALID_PROOF');
        });
        throwsCode(() => verifyInclusion(i, n, flipBit(leaf), proof, root), 'INVALID_PROOF');
        throwsCode(() => verifyInclusion(i, n, leaf, proof, flipBit(root)), 'INVALID_PROOF');
        throwsCode(() => verifyInclusion(i, n, leaf, [...proof, root], root), 'INVALID_PROOF');
        if (proof.length > 0) throwsCode(() => verifyInclusion(i, n, leaf, proof.slice(1), root), 'INVALID_PROOF');
        if (n > 1) throwsCode(() => verifyInclusion(i ^ 1, n, leaf, proof, root), 'INVALID_PROOF', 'INDEX_OUT_OF_RANGE');
        throwsCode(() => verifyInclusion(n, n, leaf, proof, root), 'INDEX_OUT_OF_RANGE');
        checked++;
      }
    }
    assert.equal(checked, (MAX * (MAX + 1)) / 2);
  });

  it('generates every consistency proof; the verifier accepts it and rejects tampered ones', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const root2 = naive.mth(0, n);
      for (let m = 1; m <= n; m++) {
        const root1 = naive.mth(0, m);
        const proof = consistencyProofSync(m, n, store.read);
        assert.deepEqual(proof.map(hex), naive.subproof(m, 0, n, true).map(hex), `${m} → ${n}`);
        verifyConsistency(m, n, proof, root1, root2);
        proof.forEach((_, j) => {
          const bad = proof.map((h, k) => (k === j ? flipBit(h, 9) : h));
          throwsCode(() => verifyConsistency(m, n, bad, root1, root2), 'INVALID_PROOF');
        });
        throwsCode(() => verifyConsistency(m, n, proof, flipBit(root1), root2), 'INVALID_PROOF');
        throwsCode(() => verifyConsistency(m, n, proof, root1, flipBit(root2)), 'INVALID_PROOF');
        throwsCode(() => verifyConsistency(m, n, [...proof, root2], root1, root2), 'INVALID_PROOF');
        if (proof.length > 0) throwsCode(() => verifyConsistency(m, n, proof.slice(0, -1), root1, root2), 'INVALID_PROOF');
        if (m < n) throwsCode(() => verifyConsistency(m + 1, n, proof, naive.mth(0, m + 1), root2), 'INVALID_PROOF');
        checked++;
      }
    }
    assert.equal(checked, (MAX * (MAX + 1)) / 2);
  });
});

describe('the stored-hash layout', () => {
  it('follows Go sumdb tlog StoredHashIndex', () => {
    // Level 0: 0 1 3 4 7 8 10 11 15 …; level 1: 2 5 9 12; level 2: 6 13; level 3: 14.
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => storedHashIndex(0, k)), [0, 1, 3, 4, 7, 8, 10, 11, 15]);
    assert.deepEqual([0, 1, 2, 3].map((k) => storedHashIndex(1, k)), [2, 5, 9, 12]);
    assert.deepEqual([storedHashIndex(2, 0), storedHashIndex(2, 1), storedHashIndex(3, 0)], [6, 13, 14]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 8].map(storedHashCount), [0, 1, 3, 4, 7, 8, 15]);
    // The bound splitStoredHashIndex checks against, kept as a constant.
    assert.equal(storedHashCount(MAX_STORED_TREE_SIZE), MAX_STORED_HASHES);
  });

  it('appending leaf n writes 1 + trailing-ones(n) hashes at consecutive indexes from storedHashCount(n)', () => {
    const store = new MemoryHashStore();
    for (let n = 0; n < 300; n++) {
      const made = store.append([leafHash(entry(n))]);
      assert.deepEqual(
        made.map((h) => h.index),
        Array.from({ length: storedHashCount(n + 1) - storedHashCount(n) }, (_, i) => storedHashCount(n) + i),
      );
      assert.equal(made[0]?.index, storedHashIndex(0, n));
      made.forEach((h, level) => assert.equal(h.index, storedHashIndex(level, Math.floor(n / 2 ** level))));
    }
  });

  it('gives the same hashes whether leaves come one by one or in batches of any size', () => {
    const leaves = Array.from({ length: 100 }, (_, i) => leafHash(entry(i)));
    const single = new MemoryHashStore();
    single.append(leaves);
    for (const batch of [1, 2, 3, 7, 16, 33]) {
      const store = new MemoryHashStore();
      for (let i = 0; i < leaves.length; i += batch) store.append(leaves.slice(i, i + batch));
      assert.equal(store.size, 100);
      const all = Array.from({ length: storedHashCount(100) }, (_, i) => i);
      assert.deepEqual(store.read(all).map(hex), single.read(all).map(hex), `batch ${batch}`);
    }
  });

  it('addresses trees up to 2^52 leaves with safe integers and refuses beyond', () => {
    assert.equal(storedHashCount(MAX_STORED_TREE_SIZE), Number.MAX_SAFE_INTEGER);
    assert.equal(storedHashIndex(52, 0), Number.MAX_SAFE_INTEGER - 1);
    throwsCode(() => storedHashIndex(0, MAX_STORED_TREE_SIZE), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => storedHashCount(MAX_STORED_TREE_SIZE + 1), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => storedHashIndex(53, 0), 'INVALID_INDEX');
    throwsCode(() => storedHashIndex(0, -1), 'INVALID_INDEX');
  });
});

describe('readers', () => {
  const leaves = Array.from({ length: 1003 }, (_, i) => leafHash(entry(i)));
  const store = new MemoryHashStore();
  store.append(leaves);

  /** An async reader that counts round trips, as a database would see them. */
  function countingReader(): { reader: HashReader; calls: number[][] } {
    const calls: number[][] = [];
    const reader: HashReader = async (indexes) => {
      calls.push([...indexes]);
      await new Promise((resolve) => setImmediate(resolve));
      return store.read(indexes);
    };
    return { reader, calls };
  }

  it('make every operation one batch read of distinct indexes', async () => {
    const { reader, calls } = countingReader();
    assert.equal(hex(await treeHash(999, reader)), hex(store.treeHash(999)));
    assert.deepEqual((await inclusionProof(500, 999, reader)).map(hex), inclusionProofSync(500, 999, store.read).map(hex));
    assert.deepEqual((await consistencyProof(333, 999, reader)).map(hex), consistencyProofSync(333, 999, store.read).map(hex));
    assert.equal(calls.length, 3);
    for (const c of calls) assert.equal(new Set(c).size, c.length);
    assert.ok(calls.every((c) => c.length <= 2 * 10), 'O(log n) hashes');
  });

  it('need no read for an empty tree or a single leaf', async () => {
    const { reader, calls } = countingReader();
    assert.equal(hex(await treeHash(0, reader)), hex(emptyTreeHash()));
    assert.deepEqual(await inclusionProof(0, 1, reader), []);
    assert.deepEqual(await consistencyProof(7, 7, reader), []);
    assert.equal(calls.length, 0);
  });

  it('append a batch with one read and compute the new root before the hashes are persisted', async () => {
    const base = new MemoryHashStore();
    base.append(leaves.slice(0, 999));
    const next = leaves.slice(999, 1003);
    const calls: number[][] = [];
    const reader: HashReader = async (indexes) => {
      calls.push([...indexes]);
      return base.read(indexes);
    };
    // Leaf 999 = 0b1111100111 completes three subtrees whose left siblings are stored; 1001 and 1003 pair within the batch.
    const made = await storedHashesForLeaves(999, next, reader);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.length, 3);
    assert.equal(made[0]?.index, storedHashCount(999));
    assert.equal(made.at(-1)?.index, storedHashCount(1003) - 1);
    assert.equal(hex(await treeHash(1003, withPendingHashes(reader, made))), hex(treeHashSync(1003, store.read)));
    const single = await storedHashesForLeaf(999, next[0] as Uint8Array, base.read);
    assert.deepEqual(single, made.slice(0, single.length));
  });

  it('scale to huge trees: a proof at size 2^52 is one read of O(log n) hashes', async () => {
    const calls: number[] = [];
    const synthetic: SyncHashReader = (indexes) => {
      calls.push(indexes.length);
      return indexes.map((i) => createHash('sha256').update(String(i)).digest());
    };
    const size = MAX_STORED_TREE_SIZE;
    assert.equal((await inclusionProof(size - 2, size, synthetic)).length, 52);
    assert.equal((await consistencyProof(size - 12345, size, synthetic)).length > 0, true);
    assert.equal(treeHashSync(size - 1, synthetic).length, 32);
    assert.ok(calls.every((n) => n <= 2 * 53));
  });

  it('report a reader that answers short or with a malformed hash as STORE_INCONSISTENT', async () => {
    await rejectsCode(treeHash(5, async (idx) => store.read(idx).slice(1)), 'STORE_INCONSISTENT');
    await rejectsCode(treeHash(5, async (idx) => idx.map(() => new Uint8Array(31))), 'STORE_INCONSISTENT');
    throwsCode(() => new MemoryHashStore().treeHash(1), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => treeHashSync(1, new MemoryHashStore().read), 'STORE_INCONSISTENT');
  });

  it('refuse impossible requests before reading', async () => {
    throwsCode(() => inclusionProofSync(5, 5, store.read), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => consistencyProofSync(0, 5, store.read), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => consistencyProofSync(6, 5, store.read), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => inclusionProofSync(-1, 5, store.read), 'INVALID_INDEX');
    throwsCode(() => inclusionProofSync(0.5, 5, store.read), 'INVALID_INDEX');
    throwsCode(() => treeHashSync(Number.NaN, store.read), 'INVALID_INDEX');
    throwsCode(() => treeHashSync(MAX_STORED_TREE_SIZE + 1, store.read), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => storedHashesForLeavesSync(0, [new Uint8Array(16)], store.read), 'MALFORMED_HASH');
  });
});

describe('C2SP tiles of a real 300-leaf log (Sunlight)', { skip: skipWithoutVectors }, () => {
  it('rebuild the checkpoint root and the level-8 tile hash from the leaf tiles', () => {
    const tile0 = readVectorBytes('tiles/sunlight-mirror-300/tile/0/000');
    const tile1 = readVectorBytes('tiles/sunlight-mirror-300/tile/0/001.p/44');
    const level8 = readVectorBytes('tiles/sunlight-mirror-300/tile/1/000.p/1');
    const checkpoint = readVectorBytes('tiles/sunlight-mirror-300/checkpoint').toString('utf8').split('\n');
    const hashes = Buffer.concat([tile0, tile1]);
    const store = new MemoryHashStore();
    store.append(Array.from({ length: hashes.length / 32 }, (_, i) => hashes.subarray(i * 32, i * 32 + 32)));
    assert.equal(store.size, 300);
    assert.equal(toB64(store.treeHash()), checkpoint[2]);
    assert.equal(hex(store.read([storedHashIndex(8, 0)])[0] as Uint8Array), hex(level8));
  });
});

describe('verifier input checks', () => {
  const h = new Uint8Array(32);
  it('refuse hashes that are not 32 bytes', () => {
    throwsCode(() => verifyInclusion(0, 1, new Uint8Array(31), [], h), 'MALFORMED_HASH');
    throwsCode(() => verifyInclusion(0, 2, h, [new Uint8Array(33)], h), 'MALFORMED_HASH');
    throwsCode(() => verifyInclusion(0, 1, h, [], new Uint8Array(0)), 'MALFORMED_HASH');
    throwsCode(() => verifyConsistency(1, 1, [], new Uint8Array(12), new Uint8Array(12)), 'MALFORMED_HASH');
  });

  it('refuse indexes that are not non-negative safe integers', () => {
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53, 2 ** 64]) {
      throwsCode(() => verifyInclusion(bad, 10, h, [], h), 'INVALID_INDEX');
      throwsCode(() => verifyInclusion(0, bad, h, [], h), 'INVALID_INDEX');
      throwsCode(() => verifyConsistency(bad, 10, [], h, h), 'INVALID_INDEX');
    }
  });

  it('refuse consistency from size 0, even 0 → 0, and from a larger size', () => {
    throwsCode(() => verifyConsistency(0, 0, [], h, h), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => verifyConsistency(0, 5, [], h, h), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => verifyConsistency(6, 5, [], h, h), 'INDEX_OUT_OF_RANGE');
  });

  it('accept equal sizes only with an empty proof and equal roots', () => {
    verifyConsistency(5, 5, [], h, h);
    throwsCode(() => verifyConsistency(5, 5, [h], h, h), 'INVALID_PROOF');
    throwsCode(() => verifyConsistency(5, 5, [], h, flipBit(h)), 'INVALID_PROOF');
  });
});

describe('parseLogIndex', () => {
  it('reads canonical decimals up to 2^53 − 1', () => {
    assert.equal(parseLogIndex('0'), 0);
    assert.equal(parseLogIndex('42'), 42);
    assert.equal(parseLogIndex('9007199254740991'), Number.MAX_SAFE_INTEGER);
  });

  it('refuses everything else as INVALID_INDEX', () => {
    for (const bad of ['', '01', '-1', '+1', '1e3', ' 1', '1 ', '1.0', '0x10', '９', '9007199254740992', '18446744073709551615', '1'.repeat(10_000)]) {
      throwsCode(() => parseLogIndex(bad), 'INVALID_INDEX');
    }
  });
});
