import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MemoryHashStore,
  TILE_WIDTH,
  TlogError,
  consistencyProof,
  consistencyProofSync,
  createTileHashReader,
  encodeEntryBundle,
  encodeTile,
  entryBundlePath,
  inclusionProof,
  inclusionProofSync,
  leafHash,
  parseEntryBundle,
  parseTile,
  parseTilePath,
  splitStoredHashIndex,
  storedHashCount,
  storedHashIndex,
  tileHashIndexes,
  tilePath,
  tileWidth,
  tilesOfTree,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Tile,
  type TileFetcher,
  type TlogErrorCode,
} from './index.js';
import { b64, readVectorBytes, readVectorJson, skipWithoutVectors, toB64 } from './test-vectors.js';

async function rejectsCode(promise: Promise<unknown>, code: TlogErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof TlogError && err.code === code, `expected ${code}`);
}

function throwsCode(fn: () => unknown, code: TlogErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof TlogError && err.code === code, `expected ${code}`);
}

/** A log of `n` leaves in memory, and a fetcher that cuts tiles from it as the hub does from tlog_hashes. */
function memoryLog(n: number): { store: MemoryHashStore; fetch: TileFetcher; fetched: Tile[] } {
  const store = new MemoryHashStore();
  store.append(Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry-${i}`))));
  const fetched: Tile[] = [];
  const fetch: TileFetcher = async (tiles) => {
    fetched.push(...tiles);
    return tiles.map((tile) => encodeTile(store.read(tileHashIndexes(tile))));
  };
  return { store, fetch, fetched };
}

describe('tile paths', () => {
  it('encode the index in groups of three digits, all but the last prefixed with x (the spec example)', () => {
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
    assert.equal(tilePath({ level: 1, index: 0, width: 17 }), 'tile/1/000.p/17');
    assert.equal(tilePath({ level: 2, index: 1000, width: 256 }), 'tile/2/x001/000');
    assert.equal(entryBundlePath({ index: 5, width: 44 }), 'tile/entries/005.p/44');
  });

  it('parse back to the same tile', () => {
    for (const tile of [{ level: 0, index: 0, width: 256 }, { level: 0, index: 1234067, width: 3 }, { level: 63, index: 999, width: 255 }, { level: 5, index: 2 ** 53 - 1, width: 1 }]) {
      assert.deepEqual(parseTilePath(tilePath(tile).slice('tile/'.length)), { kind: 'hashes', tile });
    }
    assert.deepEqual(parseTilePath('entries/x001/234.p/7'), { kind: 'entries', tile: { level: 0, index: 1234, width: 7 } });
  });

  it('refuse every other spelling with MALFORMED_TILE', () => {
    const bad = ['', '0', '0/', '0/1', '0/0000', '0/x000/001', '0/001/002', '0/x001', '00/000', '64/000', '-1/000', '0/000.p/0', '0/000.p/256', '0/000.p/01', '0/000.p', '0/000.p/', 'entries/000.p/300', 'entry/000', '0/x001/x002/x003/x004/x005/x006/007', '0/x9007/x199/x254/x740/992', '0/.p/5', '0/x001.p/234', '0/000/.p/4', `0/${'x000/'.repeat(40)}000`];
    for (const path of bad) throwsCode(() => parseTilePath(path), 'MALFORMED_TILE');
  });
});

describe('the tiles of a tree', () => {
  it('of 70,000 leaves: 273 full and one 112-wide level-0 tile, one full and one 17-wide level-1 tile, one 1-wide level-2 tile (the spec example)', () => {
    const tiles = tilesOfTree(70_000);
    const at = (level: number) => tiles.filter((t) => t.level === level);
    assert.equal(at(0).filter((t) => t.width === TILE_WIDTH).length, 273);
    assert.deepEqual(at(0).filter((t) => t.width !== TILE_WIDTH), [{ level: 0, index: 273, width: 112 }]);
    assert.deepEqual(at(1), [{ level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }]);
    assert.deepEqual(at(2), [{ level: 2, index: 0, width: 1 }]);
    assert.equal(tiles.length, 277);
  });

  it('of 256 leaves: one full level-0 tile and a level-1 tile of width 1; none for the empty tree', () => {
    assert.deepEqual(tilesOfTree(256), [{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
    assert.deepEqual(tilesOfTree(0), []);
    assert.equal(tileWidth(255, 1, 0), 0);
    assert.equal(tileWidth(70_000, 0, 274), 0);
  });
});

describe('splitStoredHashIndex', () => {
  it('inverts storedHashIndex at every stored index of a 5,000-leaf tree and near 2^52', () => {
    for (let index = 0; index < storedHashCount(5000); index++) {
      const { level, index: n } = splitStoredHashIndex(index);
      assert.equal(storedHashIndex(level, n), index);
    }
    for (const [level, n] of [[0, 2 ** 52 - 1], [52, 0], [20, 2 ** 31 + 5], [7, 123_456_789]] as const) {
      assert.deepEqual(splitStoredHashIndex(storedHashIndex(level, n)), { level, index: n });
    }
    throwsCode(() => splitStoredHashIndex(-1), 'INVALID_INDEX');
    throwsCode(() => splitStoredHashIndex(2 ** 53), 'INVALID_INDEX');
  });
});

describe('roots and proofs computed from tiles', () => {
  it('equal those of the stored hashes for every tree size up to 700 and around each tile boundary up to 4,100 (authenticated against each root)', async () => {
    const { store, fetch } = memoryLog(4100);
    const sizes = Array.from({ length: 4100 }, (_, i) => i + 1).filter((size) => size <= 700 || size % 256 <= 2 || size % 256 >= 254);
    for (const size of sizes) {
      const root = store.treeHash(size);
      const reader = createTileHashReader({ size, root, fetchTiles: fetch });
      assert.equal(toB64(await treeHash(size, reader)), toB64(root), `root of ${size}`);
      for (const index of new Set([0, size - 1, (size * 7919) % size])) {
        assert.deepEqual((await inclusionProof(index, size, reader)).map(toB64), inclusionProofSync(index, size, store.read).map(toB64), `inclusion ${index} in ${size}`);
      }
      for (const from of new Set([1, size - 1 || 1, Math.ceil(size / 3)])) {
        assert.deepEqual((await consistencyProof(from, size, reader)).map(toB64), consistencyProofSync(from, size, store.read).map(toB64), `consistency ${from} → ${size}`);
      }
    }
  });

  it('equal them at level-1 and level-2 tile boundaries of a 70,000-leaf tree', async () => {
    const { store, fetch, fetched } = memoryLog(70_000);
    for (const size of [65_535, 65_536, 65_537, 65_792, 69_999, 70_000]) {
      const root = store.treeHash(size);
      const reader = createTileHashReader({ size, root, fetchTiles: fetch });
      assert.equal(toB64(await treeHash(size, reader)), toB64(root));
      for (const index of [0, 255, 256, 65_535, size - 1].filter((i) => i < size)) {
        const proof = await inclusionProof(index, size, reader);
        assert.deepEqual(proof.map(toB64), inclusionProofSync(index, size, store.read).map(toB64));
        verifyInclusion(index, size, store.read([storedHashIndex(0, index)])[0]!, proof, root);
      }
      const proof = await consistencyProof(1000, size, reader);
      verifyConsistency(1000, size, proof, store.treeHash(1000), root);
    }
    // A proof reads a handful of tiles, never the whole tree.
    fetched.length = 0;
    await inclusionProof(12_345, 70_000, createTileHashReader({ size: 70_000, root: store.treeHash(70_000), fetchTiles: fetch }));
    assert.ok(fetched.length <= 8, `${fetched.length} tiles for one proof`);
  });

  it('match the repository’s generated RFC 9162 vectors (trees of 1..40)', { skip: skipWithoutVectors }, async () => {
    const vectors = readVectorJson<{ leaves: string[]; roots: string[]; inclusion: Array<{ index: number; size: number; proof: string[] }>; consistency: Array<{ size1: number; size2: number; proof: string[] }> }>('generated/merkle-1to40.json');
    const store = new MemoryHashStore();
    store.append(vectors.leaves.map((l) => leafHash(Buffer.from(l))));
    const fetch: TileFetcher = async (tiles) => tiles.map((tile) => encodeTile(store.read(tileHashIndexes(tile))));
    const reader = (size: number) => createTileHashReader({ size, root: b64(vectors.roots[size]!), fetchTiles: fetch });
    for (let size = 1; size <= 40; size++) assert.equal(toB64(await treeHash(size, reader(size))), vectors.roots[size]);
    for (const v of vectors.inclusion) assert.deepEqual((await inclusionProof(v.index, v.size, reader(v.size))).map(toB64), v.proof);
    for (const v of vectors.consistency) assert.deepEqual((await consistencyProof(v.size1, v.size2, reader(v.size2))).map(toB64), v.proof);
  });
});

describe('a real C2SP tile set (Sunlight, 300 leaves)', { skip: skipWithoutVectors }, () => {
  const files: Record<string, string> = { '0/0/256': 'tile/0/000', '0/1/44': 'tile/0/001.p/44', '1/0/1': 'tile/1/000.p/1' };
  const fetch: TileFetcher = async (tiles) => tiles.map((t) => readVectorBytes(`tiles/sunlight-mirror-300/${files[`${t.level}/${t.index}/${t.width}`] ?? 'missing'}`));

  it('hashes to its checkpoint root, and gives proofs that verify against it', async () => {
    const [, size, root] = readVectorBytes('tiles/sunlight-mirror-300/checkpoint').toString('utf8').split('\n');
    assert.equal(Number(size), 300);
    assert.equal(tilePath({ level: 0, index: 1, width: 44 }), `tile/${'0/001.p/44'}`);
    const reader = createTileHashReader({ size: 300, root: b64(root!), fetchTiles: fetch });
    assert.equal(toB64(await treeHash(300, reader)), root);
    const leaves = parseTile(readVectorBytes('tiles/sunlight-mirror-300/tile/0/001.p/44'), 44);
    for (const index of [0, 255, 256, 299]) {
      const leaf = index < 256 ? parseTile(readVectorBytes('tiles/sunlight-mirror-300/tile/0/000'), 256)[index]! : leaves[index - 256]!;
      verifyInclusion(index, 300, leaf, await inclusionProof(index, 300, reader), b64(root!));
    }
  });
});

describe('tile authentication', () => {
  /** Flips a bit of hash `position` of tile (level, index). */
  const tampered = (fetch: TileFetcher, level: number, index: number, position = 1): TileFetcher => async (tiles) =>
    (await fetch(tiles)).map((bytes, i) => {
      if (tiles[i]!.level !== level || tiles[i]!.index !== index) return bytes;
      const copy = Uint8Array.from(bytes);
      copy[position * 32 + 8] = copy[position * 32 + 8]! ^ 1;
      return copy;
    });

  it('refuses a full tile that does not hash to its entry in the tile above (INCONSISTENT_TILE)', async () => {
    const { store, fetch } = memoryLog(1000);
    const reader = createTileHashReader({ size: 1000, root: store.treeHash(1000), fetchTiles: tampered(fetch, 0, 1) });
    await rejectsCode(inclusionProof(300, 1000, reader), 'INCONSISTENT_TILE');
    // Tiles the read does not touch are not fetched, so a proof elsewhere still works.
    await inclusionProof(999, 1000, reader);
  });

  it('refuses right-edge tiles that do not hash to the signed root', async () => {
    const { store, fetch } = memoryLog(1000);
    await rejectsCode(treeHash(1000, createTileHashReader({ size: 1000, root: store.treeHash(1000), fetchTiles: tampered(fetch, 0, 3) })), 'INCONSISTENT_TILE');
    await rejectsCode(treeHash(1000, createTileHashReader({ size: 1000, root: store.treeHash(999), fetchTiles: fetch })), 'INCONSISTENT_TILE');
  });

  it('without a root, a wrong tile gives a proof the verifier refuses', async () => {
    const { store, fetch } = memoryLog(1000);
    // Leaf 300's proof starts with the hash of leaves [0, 256): position 0 of tile 1/000.
    const proof = await inclusionProof(300, 1000, createTileHashReader({ size: 1000, fetchTiles: tampered(fetch, 1, 0, 0) }));
    throwsCode(() => verifyInclusion(300, 1000, store.read([storedHashIndex(0, 300)])[0]!, proof, store.treeHash(1000)), 'INVALID_PROOF');
  });

  it('refuses tiles of the wrong length and hashes outside the tree', async () => {
    const { store, fetch } = memoryLog(600);
    const short: TileFetcher = async (tiles) => (await fetch(tiles)).map((b) => b.slice(0, b.length - 1));
    await rejectsCode(treeHash(600, createTileHashReader({ size: 600, fetchTiles: short })), 'MALFORMED_TILE');
    await rejectsCode(createTileHashReader({ size: 600, root: store.treeHash(600), fetchTiles: fetch })([storedHashCount(600)]), 'INDEX_OUT_OF_RANGE');
    throwsCode(() => parseTile(new Uint8Array(64), 3), 'MALFORMED_TILE');
  });
});

describe('entry bundles', () => {
  it('carry each entry as a big-endian uint16 length and its bytes, up to 65,535 bytes', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(0xffff).fill(7)];
    const bundle = encodeEntryBundle(entries);
    assert.deepEqual([...bundle.subarray(0, 7)], [0, 0, 0, 3, 1, 2, 3]);
    assert.deepEqual([...bundle.subarray(7, 9)], [0xff, 0xff]);
    assert.deepEqual(parseEntryBundle(bundle, 3), entries);
  });

  it('refuse an entry over 65,535 bytes (ENTRY_TOO_LARGE) and malformed bundles (MALFORMED_TILE)', () => {
    throwsCode(() => encodeEntryBundle([new Uint8Array(0x10000)]), 'ENTRY_TOO_LARGE');
    const bundle = encodeEntryBundle([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    throwsCode(() => parseEntryBundle(bundle, 3), 'MALFORMED_TILE');
    throwsCode(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1), 2), 'MALFORMED_TILE');
    throwsCode(() => parseEntryBundle(Uint8Array.of(...bundle, 0), 2), 'MALFORMED_TILE');
  });
});
