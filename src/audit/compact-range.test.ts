import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MemoryHashStore, leafHash } from '../tlog/index.js';
import { appendLeaf, appendLeaves, EMPTY_RANGE, rangeRoot } from './compact-range.js';

describe('compact range', () => {
  it('gives the same root as the stored-hash tree at every size 0..130', () => {
    const store = new MemoryHashStore();
    let range = EMPTY_RANGE;
    assert.deepEqual(Buffer.from(rangeRoot(range)), createHash("sha256").digest());
    for (let i = 0; i < 130; i++) {
      const leaf = leafHash(Buffer.from(`leaf-${i}`));
      store.append([leaf]);
      range = appendLeaf(range, leaf);
      assert.deepEqual(Buffer.from(rangeRoot(range)), Buffer.from(store.treeHash()), `size ${i + 1}`);
      assert.equal(range.hashes.length, [...(i + 1).toString(2)].filter((b) => b === '1').length);
    }
  });

  it('appends leaves in runs of any length to the same range as one at a time', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`leaf-${i}`)));
    let one = EMPTY_RANGE;
    let runs = EMPTY_RANGE;
    for (let at = 0, run = 1; at < leaves.length; at += run, run = (run % 37) + 1) {
      for (const leaf of leaves.slice(at, at + run)) one = appendLeaf(one, leaf);
      const before = runs;
      runs = appendLeaves(runs, leaves.slice(at, at + run));
      assert.equal(before.size, Math.min(at, leaves.length), 'the range appended to is left as it was');
      assert.deepEqual(runs.hashes.map((h) => Buffer.from(h)), one.hashes.map((h) => Buffer.from(h)), `size ${runs.size}`);
    }
    assert.equal(runs.size, 300);
  });
});
