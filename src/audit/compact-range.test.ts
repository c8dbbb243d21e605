import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MemoryHashStore, leafHash } from '../tlog/index.js';
import { appendLeaf, EMPTY_RANGE, rangeRoot } from './compact-range.js';

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
});
