import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { ReadRouting } from '../db/index.js';
import { isWildintelError, type Logger } from '../kernel/index.js';
import { TILE_WIDTH, parseTilePath, type TransparencyLog } from '../tlog/index.js';

const gzipAsync = promisify(gzip);

/** A full tile or bundle never changes: any cache may keep it for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A partial one is replaced by wider ones as the log grows (and may then be dropped, per the spec). */
export const PARTIAL = 'public, max-age=10';

/**
 * The log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), below /log: hash tiles at
 * `/log/tile/<L>/<N>[.p/<W>]` and entry bundles at `/log/tile/entries/<N>[.p/<W>]`, cut from the
 * stored hashes and entries; the checkpoint at `/log/checkpoint` (log-routes.ts) is the spec's.
 * Public like the other log endpoints. A tile the log does not have (yet) is 404; a path that is
 * not the spec's one spelling of a tile is 400 `MALFORMED_TILE`. Read from the replica when it
 * has the tile's size, else from the primary (read-routing.ts).
 */
export function createTileRoutes(reads: ReadRouting, log: TransparencyLog, logger: Logger): Router {
  const router = Router();
  router.get('/*path', async (req: Request, res: Response) => {
    try {
      const segments = (req.params as { path?: string[] }).path ?? [];
      const resource = parseTilePath(segments.join('/'));
      const { tile } = resource;
      const bytes = await reads.ofLog((db) => (resource.kind === 'entries' ? log.entryBundle(db, tile) : log.tile(db, tile)));
      res.set('cache-control', tile.width === TILE_WIDTH ? IMMUTABLE : PARTIAL).type('application/octet-stream');
      if (resource.kind === 'entries') {
        res.vary('accept-encoding');
        if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
          res.set('content-encoding', 'gzip').send(await gzipAsync(bytes));
          return;
        }
      }
      res.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      res.set('cache-control', 'no-store');
      if (isWildintelError(err) && err.code === 'MALFORMED_TILE') {
        res.status(400).json({ error: err.toJSON() });
        return;
      }
      if (isWildintelError(err) && (err.code === 'INDEX_OUT_OF_RANGE' || err.code === 'INVALID_INDEX')) {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: 'the log has no such tile (yet)' } });
        return;
      }
      logger.error({ err }, 'tile endpoint failed');
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
    }
  });
  return router;
}
