import { Router, type NextFunction, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { ReadRouting } from '../db/index.js';

/**
 * Mounts read-only routes that take their connections at construction (the feed, a batch's JWS)
 * twice, on the primary and on the replica, and sends each GET to the side `reads.fresh()` picks
 * for it: the replica once it has replayed everything committed before the request, else the
 * primary. Other methods, and every request without a replica, go to the primary's routes.
 */
export function readRoutedRouter(reads: ReadRouting, routes: (db: DataSource) => Router): Router {
  const onPrimary = routes(reads.primary);
  if (reads.replica === undefined) return onPrimary;
  const onReplica = routes(reads.replica);
  const router = Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return onPrimary(req, res, next);
    reads.fresh().then(
      (db) => (db === reads.replica ? onReplica : onPrimary)(req, res, next),
      (err: unknown) => next(err),
    );
  });
  return router;
}
