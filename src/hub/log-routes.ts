import { Router, type Request, type Response } from 'express';
import type { ReadRouting } from '../db/index.js';
import { isWildintelError, type Logger } from '../kernel/index.js';
import { encodeBase64, parseLogIndex, TlogError, type TransparencyLog } from '../tlog/index.js';
import { createTileRoutes } from './tile-routes.js';

/** design.md "Endpoints of the hub": at most this many entries per request. */
export const MAX_ENTRIES_PER_REQUEST = 1000;

/**
 * The public log endpoints: no token, exactly the JSON shapes of the design, so that anyone
 * with the verifier key can monitor the log, and the same log as C2SP tiles under /tile.
 * Bad parameters are 400 with a JSON code. With a read replica, the checkpoint is a fresh read
 * (never older than one served before the request) and the rest reads the replica whenever it
 * has the sizes asked for (read-routing.ts).
 */
export function createLogRoutes(reads: ReadRouting, log: TransparencyLog, logger: Logger): Router {
  const router = Router();
  router.get('/checkpoint', handle(logger, async (_req, res) => {
    const { note } = await log.latestCheckpoint(await reads.fresh());
    res.type('text/plain; charset=utf-8').set('cache-control', 'no-store').send(note);
  }));
  router.get('/entries', handle(logger, async (req, res) => {
    const start = param(req, 'start');
    const end = param(req, 'end');
    if (end <= start) throw outOfRange('end must be greater than start');
    if (end - start > MAX_ENTRIES_PER_REQUEST) throw outOfRange(`at most ${MAX_ENTRIES_PER_REQUEST} entries per request`);
    const entries = await reads.ofLog((db) => log.entries(db, start, end));
    res.json({ start, entries: entries.map(encodeBase64) });
  }));
  router.get('/proof/inclusion', handle(logger, async (req, res) => {
    const index = param(req, 'index');
    const size = param(req, 'size');
    if (index >= size) throw outOfRange('index must be less than size');
    res.json({ index, size, proof: (await reads.ofLog((db) => log.inclusionProof(db, index, size))).map(encodeBase64) });
  }));
  router.get('/proof/consistency', handle(logger, async (req, res) => {
    const from = param(req, 'from');
    const to = param(req, 'to');
    if (from < 1 || from > to) throw outOfRange('from must be at least 1 and at most to');
    res.json({ from, to, proof: (await reads.ofLog((db) => log.consistencyProof(db, from, to))).map(encodeBase64) });
  }));
  router.use('/tile', createTileRoutes(reads, log, logger));
  return router;
}

function param(req: Request, name: string): number {
  const value = req.query[name];
  if (typeof value !== 'string') throw new TlogError('INVALID_INDEX', `query parameter ${name} is required, once`, { details: { field: name } });
  return parseLogIndex(value, name);
}

function outOfRange(message: string): TlogError {
  return new TlogError('INDEX_OUT_OF_RANGE', message);
}

function handle(logger: Logger, fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response): void => {
    fn(req, res).catch((err: unknown) => {
      if (isWildintelError(err) && (err.code === 'INVALID_INDEX' || err.code === 'INDEX_OUT_OF_RANGE')) {
        res.status(400).json({ error: err.toJSON() });
        return;
      }
      logger.error({ err }, 'log endpoint failed');
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
    });
  };
}
