import { parseCanonicalDecimal } from './bytes.js';
import { TlogError } from './errors.js';
import { HASH_SIZE, completeSubtrees, nodeHash, requireIndex } from './merkle.js';
import { splitStoredHashIndex, storedHashCount, storedHashIndex, type HashReader } from './stored-hashes.js';

/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the log's Merkle tree as static, cacheable
 * resources cut from the stored-hash array (stored-hashes.ts). Pure: no I/O.
 *
 * A tile is 256 consecutive hashes at tree level 8·L: tile (L, N) holds
 * MTH(D[(256N + i)·256^L : (256N + i + 1)·256^L]) for i < W, and is full when W = 256. Partial
 * tiles (1 ≤ W < 256) make up the right edge of a tree; a tree of size s has, at level L, a
 * partial tile of ⌊s / 256^L⌋ mod 256 hashes. Entry bundles hold the entries of a level-0 tile,
 * each as a big-endian uint16 length and its bytes.
 *
 * The tile reader below answers the `HashReader` contract from tiles, so roots, inclusion proofs
 * and consistency proofs are computed client-side by the very functions the hub uses over its
 * database (treeHash, inclusionProof, consistencyProof), as Go's sumdb `TileHashReader` does.
 */

/** Tile height: each tile spans 8 levels of the tree. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT). */
export const TILE_WIDTH = 256;
/** The spec's largest tile level. Our stored layout reaches 2^52 leaves, so levels above 6 are never served. */
export const MAX_TILE_LEVEL = 63;
/** An entry bundle stores each length as a uint16. */
export const MAX_BUNDLED_ENTRY_BYTES = 0xffff;

/** Tile N of level L, W hashes wide (W = 256 for a full tile). */
export interface Tile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** A resource under `<prefix>/tile/`: a hash tile or an entry bundle. */
export type TileResource = { readonly kind: 'hashes'; readonly tile: Tile } | { readonly kind: 'entries'; readonly tile: Tile };

function malformed(message: string, details: Record<string, unknown> = {}): TlogError {
  return new TlogError('MALFORMED_TILE', message, { details });
}

/**
 * How many hashes tile (level, index) holds in a tree of `size` leaves: 256 when full, 0 when
 * the tree has none of its hashes yet.
 */
export function tileWidth(size: number, level: number, index: number): number {
  requireIndex(size, 'size');
  const count = Math.floor(size / TILE_WIDTH ** level);
  return Math.max(0, Math.min(TILE_WIDTH, count - index * TILE_WIDTH));
}

/** The tiles of every level that a tree of `size` leaves is made of (full and partial), lowest level first. */
export function tilesOfTree(size: number): Tile[] {
  const tiles: Tile[] = [];
  for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    for (let index = 0; index * TILE_WIDTH < count; index++) tiles.push({ level, index, width: tileWidth(size, level, index) });
  }
  return tiles;
}

/** `N` as the spec's path elements: zero-padded groups of 3 digits, all but the last prefixed `x` (1234067 → x001/x234/067). */
function encodeTileIndex(index: number): string {
  const digits = String(requireIndex(index, 'tile index'));
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/.{3}/g) as string[];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function widthSuffix(width: number): string {
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** The path of a hash tile below the log's prefix, e.g. `tile/1/x001/234.p/17`. */
export function tilePath(tile: Tile): string {
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

/** The path of an entry bundle below the log's prefix, e.g. `tile/entries/005.p/44`. */
export function entryBundlePath(tile: Pick<Tile, 'index' | 'width'>): string {
  return `tile/entries/${encodeTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

/**
 * Parses what follows `<prefix>/tile/`: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`. Strict:
 * the spec's one spelling of every number (no extra leading zeros, no empty or extra elements),
 * W from 1 to 255, L from 0 to 63, N a safe integer; anything else is `MALFORMED_TILE`.
 */
export function parseTilePath(path: string): TileResource {
  if (typeof path !== 'string' || path.length > 128) throw malformed('a tile path is <L>/<N>[.p/<W>] or entries/<N>[.p/<W>]');
  const segments = path.split('/');
  const head = segments.shift() ?? '';
  let width = TILE_WIDTH;
  const beforeLast = segments.at(-2);
  if (beforeLast !== undefined && beforeLast.endsWith('.p')) {
    const w = parseCanonicalDecimal(segments.pop()!);
    if (w === undefined || w < 1 || w >= TILE_WIDTH) throw malformed('a partial tile width is a decimal from 1 to 255', { path });
    width = w;
    segments[segments.length - 1] = beforeLast.slice(0, -2);
  }
  const index = parseTileIndex(segments, path);
  if (head === 'entries') return { kind: 'entries', tile: { level: 0, index, width } };
  const level = parseCanonicalDecimal(head);
  if (level === undefined || level > MAX_TILE_LEVEL) throw malformed('a tile level is a decimal from 0 to 63', { path });
  return { kind: 'hashes', tile: { level, index, width } };
}

function parseTileIndex(elements: readonly string[], path: string): number {
  if (elements.length === 0 || elements.length > 6) throw malformed('a tile index is 1 to 6 path elements of 3 digits', { path });
  const last = elements.length - 1;
  let digits = '';
  for (const [i, element] of elements.entries()) {
    const match = (i < last ? /^x([0-9]{3})$/ : /^([0-9]{3})$/).exec(element);
    if (match === null) throw malformed('a tile index is 3-digit path elements, all but the last prefixed with x', { path });
    digits += match[1];
  }
  const index = Number(digits);
  // One spelling per index: 5 is 005, never x000/005.
  if (!Number.isSafeInteger(index) || encodeTileIndex(index).split('/').length !== elements.length) {
    throw malformed('a tile index has no leading x000 elements and is at most 2^53 - 1', { path });
  }
  return index;
}

/** The storage indexes (stored-hashes.ts) of a tile's hashes, in tile order. */
export function tileHashIndexes(tile: Tile): number[] {
  return Array.from({ length: tile.width }, (_, i) => storedHashIndex(TILE_HEIGHT * tile.level, tile.index * TILE_WIDTH + i));
}

/** A tile's bytes from its hashes: their concatenation. */
export function encodeTile(hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) throw new TlogError('STORE_INCONSISTENT', `tile hash ${i} is not ${HASH_SIZE} bytes`);
    out.set(hash, i * HASH_SIZE);
  });
  return out;
}

/** The hashes of a tile `width` wide: exactly width × 32 bytes, else `MALFORMED_TILE`. */
export function parseTile(bytes: Uint8Array, width: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array) || bytes.length !== width * HASH_SIZE) {
    throw malformed(`a tile ${width} hashes wide is ${width * HASH_SIZE} bytes, got ${bytes?.length}`, { width });
  }
  // Views, not copies: a tile's bytes are never written to after they are read.
  return Array.from({ length: width }, (_, i) => bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/**
 * An entry bundle: each entry as a big-endian uint16 length and its bytes. An entry of more
 * than 65,535 bytes cannot be bundled (`ENTRY_TOO_LARGE`); the log never writes one (MAX_ENTRY_BYTES).
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  entries.forEach((entry, i) => {
    if (entry.length > MAX_BUNDLED_ENTRY_BYTES) {
      throw new TlogError('ENTRY_TOO_LARGE', `entry ${i} of the bundle is ${entry.length} bytes; a bundle carries at most ${MAX_BUNDLED_ENTRY_BYTES}`, { details: { position: i, bytes: entry.length } });
    }
    total += 2 + entry.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const entry of entries) {
    out[at] = entry.length >>> 8;
    out[at + 1] = entry.length & 0xff;
    out.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return out;
}

/** The entries of a bundle `width` entries long: exactly that many, with no bytes left over. */
export function parseEntryBundle(bytes: Uint8Array, width: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw malformed('an entry bundle ends inside a length prefix');
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + length > bytes.length) throw malformed(`entry ${entries.length} of the bundle runs past its end`);
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (entries.length !== width) throw malformed(`the entry bundle holds ${entries.length} entries, ${width} expected`, { width });
  return entries;
}

/** Reads tiles (the bytes of each, in the order asked). Tiles of one call may be fetched in parallel. */
export type TileFetcher = (tiles: readonly Tile[]) => Promise<readonly Uint8Array[]>;

/** Where a stored hash lives: the smallest tile that holds it, and its run of hashes in that tile. */
function tileOfStoredHash(stored: number): { tile: Tile; start: number; end: number } {
  const { level, index } = splitStoredHashIndex(stored);
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  // A hash above a tile's bottom row is the Merkle hash of the 2^within bottom hashes below it.
  const span = 2 ** (level - tileLevel * TILE_HEIGHT);
  const tileIndex = Math.floor((index * span) / TILE_WIDTH);
  const start = index * span - tileIndex * TILE_WIDTH;
  return { tile: { level: tileLevel, index: tileIndex, width: start + span }, start, end: start + span };
}

/** Tile (level + k, index / 256^k) as a tree of `size` has it, or undefined when it has none of it. */
function tileAbove(tile: Tile, k: number, size: number): Tile | undefined {
  const level = tile.level + k;
  const index = Math.floor(tile.index / TILE_WIDTH ** k);
  const width = tileWidth(size, level, index);
  return width === 0 ? undefined : { level, index, width };
}

/** The Merkle hash of a run of 2^k bottom hashes of a tile. */
function runHash(hashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return hashes[start]!;
  const mid = start + (end - start) / 2;
  return nodeHash(runHash(hashes, start, mid), runHash(hashes, mid, end));
}

function hashFromTile(tile: Tile, hashes: readonly Uint8Array[], stored: number): Uint8Array {
  const at = tileOfStoredHash(stored);
  if (at.tile.level !== tile.level || at.tile.index !== tile.index || at.tile.width > tile.width) {
    throw new Error(`internal: stored hash ${stored} is not in ${tilePath(tile)}`);
  }
  return runHash(hashes, at.start, at.end);
}

const keyOf = (t: Tile): string => `${t.level}/${t.index}/${t.width}`;

/** Tiles in first-asked order, each once. */
class TilePlan {
  readonly tiles: Tile[] = [];
  readonly #positions = new Map<string, number>();
  has(tile: Tile): boolean {
    return this.#positions.has(keyOf(tile));
  }
  add(tile: Tile): number {
    const known = this.#positions.get(keyOf(tile));
    if (known !== undefined) return known;
    this.#positions.set(keyOf(tile), this.tiles.length);
    this.tiles.push(tile);
    return this.tiles.length - 1;
  }
  positionOf(tile: Tile): number {
    const position = this.#positions.get(keyOf(tile));
    if (position === undefined) throw new Error(`internal: ${tilePath(tile)} was not planned`);
    return position;
  }
}

export interface TileHashReaderOptions {
  /** The tree the hashes are read from: tiles are fetched at the widths this size has. */
  readonly size: number;
  /**
   * The root of that tree from a verified checkpoint. When given, every tile fetched is
   * authenticated before its hashes are used: the tiles of the right edge must hash to this root,
   * and each other tile to its entry in the tile above (`INCONSISTENT_TILE` otherwise). Without
   * it, the hashes are only as good as the proof verification that follows.
   */
  readonly root?: Uint8Array;
  readonly fetchTiles: TileFetcher;
}

/**
 * A `HashReader` over the tiles of a tree of `size` leaves: `treeHash`, `inclusionProof` and
 * `consistencyProof` (stored-hashes.ts) run on it unchanged. Each read fetches the tiles it needs
 * that no earlier read of this reader fetched, in one `fetchTiles` call. Authentication follows
 * Go sumdb's TileHashReader: the right edge against the root, then each tile against its parent.
 */
export function createTileHashReader(options: TileHashReaderOptions): HashReader {
  const { size, root, fetchTiles } = options;
  requireIndex(size, 'size');
  const limit = size === 0 ? 0 : storedHashCount(size);
  const edge = size === 0 ? [] : completeSubtrees({ lo: 0, hi: size }).map((s) => storedHashIndex(s.level, s.index));
  const edgeTiles = edge.map((stored) => tileAbove(tileOfStoredHash(stored).tile, 0, size)!);
  // Tiles fetched (and, with a root, authenticated) by earlier reads: a tree's tiles never change.
  const known = new Map<string, Uint8Array[]>();
  return async (indexes) => {
    // Where each hash lies, worked out once: the tile to read and the run of its hashes.
    const places = indexes.map((stored) => {
      if (!Number.isSafeInteger(stored) || stored < 0 || stored >= limit) {
        throw new TlogError('INDEX_OUT_OF_RANGE', `stored hash ${stored} is not in a tree of ${size} leaves`, { details: { index: stored, size } });
      }
      return tileOfStoredHash(stored);
    });
    const tiles = places.map((at) => tileAbove(at.tile, 0, size)!);
    const plan = new TilePlan();
    if (root !== undefined) {
      // The right edge first: once it hashes to the root, every tile above another is known good.
      for (const tile of edgeTiles) if (!known.has(keyOf(tile))) plan.add(tile);
      for (const tile of tiles) planParents(plan, known, tile, size);
    }
    for (const tile of tiles) if (!known.has(keyOf(tile))) plan.add(tile);
    const fetched = await readPlanned(fetchTiles, plan.tiles);
    const hashesOf = (tile: Tile): Uint8Array[] => known.get(keyOf(tile)) ?? fetched[plan.positionOf(tile)]!;
    if (root !== undefined && plan.tiles.length > 0) authenticate(plan.tiles, hashesOf, edge, edgeTiles, root, size);
    plan.tiles.forEach((tile, i) => known.set(keyOf(tile), fetched[i]!));
    return places.map((at, i) => runHash(hashesOf(tiles[i]!), at.start, at.end));
  };
}

/** Adds the tiles from `tile` up to one fetched earlier or planned (at worst one of the right edge), parents first. */
function planParents(plan: TilePlan, known: ReadonlyMap<string, unknown>, tile: Tile, size: number): void {
  const chain: Tile[] = [];
  for (let k = 0; ; k++) {
    const above = tileAbove(tile, k, size);
    if (above === undefined) throw new Error(`internal: no tile above ${tilePath(tile)} in a tree of ${size}`);
    if (plan.has(above) || known.has(keyOf(above))) break;
    chain.push(above);
  }
  for (const t of chain.reverse()) plan.add(t);
}

async function readPlanned(fetchTiles: TileFetcher, tiles: readonly Tile[]): Promise<Uint8Array[][]> {
  if (tiles.length === 0) return [];
  const data = await fetchTiles(tiles);
  if (!Array.isArray(data) || data.length !== tiles.length) throw malformed(`asked for ${tiles.length} tiles, got ${data?.length}`);
  return tiles.map((tile, i) => parseTile(data[i]!, tile.width));
}

/** Checks the newly fetched tiles (`fresh`): the right edge against the root, every other one against its parent. */
function authenticate(fresh: readonly Tile[], hashesOf: (tile: Tile) => Uint8Array[], edge: readonly number[], edgeTiles: readonly Tile[], root: Uint8Array, size: number): void {
  const freshKeys = new Set(fresh.map(keyOf));
  const edgeKeys = new Set(edgeTiles.map(keyOf));
  if (edgeTiles.some((t) => freshKeys.has(keyOf(t)))) {
    let computed = hashFromTile(edgeTiles.at(-1)!, hashesOf(edgeTiles.at(-1)!), edge.at(-1)!);
    for (let i = edge.length - 2; i >= 0; i--) computed = nodeHash(hashFromTile(edgeTiles[i]!, hashesOf(edgeTiles[i]!), edge[i]!), computed);
    if (!sameBytes(computed, root)) throw new TlogError('INCONSISTENT_TILE', `the tiles of a tree of ${size} leaves do not hash to its signed root`, { details: { size } });
  }
  for (const tile of fresh) {
    if (edgeKeys.has(keyOf(tile))) continue;
    // Only full tiles lie below another tile; each is the child hash recorded in its parent.
    const parent = tileAbove(tile, 1, size)!;
    const expected = hashFromTile(parent, hashesOf(parent), storedHashIndex(TILE_HEIGHT * parent.level, tile.index));
    if (tile.width !== TILE_WIDTH || !sameBytes(runHash(hashesOf(tile), 0, TILE_WIDTH), expected)) {
      throw new TlogError('INCONSISTENT_TILE', `${tilePath(tile)} does not hash to its entry in ${tilePath(parent)}`, { details: { tile: tilePath(tile) } });
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
