import {
  TILE_WIDTH,
  consistencyProof,
  createTileHashReader,
  entryBundlePath,
  inclusionProof,
  parseEntryBundle,
  storedHashIndex,
  tilePath,
  treeHash,
  type TileFetcher,
} from '../tlog/index.js';
import { AuditError } from './errors.js';
import { createHttpLogClient, type LogClient } from './log-client.js';

/**
 * The log read from its C2SP tiles alone (https://c2sp.org/tlog-tiles): the checkpoint at
 * `/log/checkpoint`, hash tiles and entry bundles under `/log/tile/`. Inclusion and consistency
 * proofs are computed here from the tiles, by the same functions the hub uses over its database,
 * so the hub's proof endpoints are never asked; a mirror or a CDN serving the tiles will do.
 * Nothing is trusted for being served: callers verify every proof against signed checkpoints,
 * and `treeHash` with a root authenticates every tile it reads against it.
 *
 * Widths follow the tree size each call names (the size of a verified checkpoint): the partial
 * tile of that size, else, if the server has dropped it as the spec allows, the full tile cut
 * short. A hash tile of a given width never changes, full or partial, so hash tiles are kept
 * (the last `cacheTiles` fetched).
 */
export interface TileLogClient extends LogClient {
  /** MTH of the first `size` entries from the hash tiles; with the signed `root`, `INCONSISTENT_TILE` unless they hash to it. */
  treeHash(size: number, root?: Uint8Array): Promise<Uint8Array>;
  leafHashes(start: number, end: number, size: number, root: Uint8Array): Promise<Uint8Array[]>;
}

export interface TileClientOptions {
  /** A token that may read batches (the JWS behind batch entries is not part of the tiles). */
  readonly token?: string;
  /** Hash tiles kept in memory (at most 8 KiB each). */
  readonly cacheTiles?: number;
  /** A server that has not answered a request by then counts as unreachable. */
  readonly timeoutMs?: number;
}

const HASH_BYTES = 32;

export function createTileLogClient(hubUrl: string, options: TileClientOptions = {}): TileLogClient {
  const base = `${hubUrl.replace(/\/$/, '')}/log`;
  const http = createHttpLogClient(hubUrl, options.token === undefined ? {} : { token: options.token });
  const cache = new Map<string, Uint8Array>();
  const maxCached = options.cacheTiles ?? 4096;
  // The largest tree size seen in a checkpoint from here: bundles below it are fetched full.
  let knownSize = 0;

  const get = async (path: string): Promise<Uint8Array | undefined> => {
    let res: Response;
    try {
      res = await fetch(`${base}/${path}`, { headers: { 'accept-encoding': 'gzip, identity' }, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    } catch (cause) {
      throw new AuditError('HUB_UNREACHABLE', `cannot reach ${base}: ${(cause as Error).message}`, { cause });
    }
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    if (!res.ok) throw new AuditError('HUB_UNREACHABLE', `/log/${path}: HTTP ${res.status}`, { details: { status: res.status } });
    return new Uint8Array(await res.arrayBuffer());
  };

  /**
   * The tile or bundle at `path(width)`, or, when the server no longer has that partial one, the
   * full one (and says which it got, so the caller cuts it to width).
   */
  const remember = (path: string, bytes: Uint8Array): void => {
    if (cache.size >= maxCached) cache.delete(cache.keys().next().value!);
    cache.set(path, bytes);
  };
  const fetchResource = async (path: (width: number) => string, width: number, keep: boolean): Promise<{ bytes: Uint8Array; width: number }> => {
    const full = cache.get(path(TILE_WIDTH));
    if (full !== undefined) return { bytes: full, width: TILE_WIDTH };
    const own = cache.get(path(width)) ?? (width === TILE_WIDTH ? undefined : await get(path(width)));
    if (own !== undefined) {
      if (keep) remember(path(width), own);
      return { bytes: own, width };
    }
    const bytes = await get(path(TILE_WIDTH));
    if (bytes === undefined) throw new AuditError('TILES_UNAVAILABLE', `the log does not serve /log/${path(width)}`, { details: { path: path(width) } });
    if (keep) remember(path(TILE_WIDTH), bytes);
    return { bytes, width: TILE_WIDTH };
  };

  const fetchTiles: TileFetcher = (tiles) =>
    Promise.all(
      tiles.map(async (tile) => {
        const got = await fetchResource((w) => tilePath({ ...tile, width: w }), tile.width, true);
        return got.width === tile.width ? got.bytes : got.bytes.subarray(0, tile.width * HASH_BYTES);
      }),
    );

  const bundle = async (index: number, width: number): Promise<Uint8Array[]> => {
    // Bundles are read once, in order, by a walk of the log: not kept.
    const got = await fetchResource((w) => entryBundlePath({ index, width: w }), width, false);
    return parseEntryBundle(got.bytes, got.width).slice(0, width);
  };

  const reader = (size: number, root?: Uint8Array) => createTileHashReader({ size, fetchTiles, ...(root === undefined ? {} : { root }) });

  const client: TileLogClient = {
    async checkpoint() {
      const note = await http.checkpoint();
      const size = Number(note.split('\n')[1]);
      if (Number.isSafeInteger(size) && size > knownSize) knownSize = size;
      return note;
    },
    async entries(start, end) {
      const pieces: Array<Promise<Uint8Array[]>> = [];
      for (let index = Math.floor(start / TILE_WIDTH); index * TILE_WIDTH < end; index++) {
        const first = index * TILE_WIDTH;
        // A bundle the tree has in full is fetched full (cacheable); the last one at the width `end` needs.
        const width = first + TILE_WIDTH <= Math.max(end, knownSize) ? TILE_WIDTH : end - first;
        // The bundles of one call are fetched at once (a page of the audit spans four or five).
        pieces.push(bundle(index, width).then((entries) => entries.slice(Math.max(0, start - first), end - first)));
      }
      return (await Promise.all(pieces)).flat();
    },
    inclusionProof: (index, size) => inclusionProof(index, size, reader(size)),
    consistencyProof: (from, to) => consistencyProof(from, to, reader(to)),
    treeHash: (size, root) => treeHash(size, reader(size, root)),
    async leafHashes(start, end, size, root) {
      const indexes = Array.from({ length: end - start }, (_, i) => storedHashIndex(0, start + i));
      return [...(await reader(size, root)(indexes))];
    },
  };
  if (http.batch !== undefined) client.batch = http.batch;
  return client;
}

