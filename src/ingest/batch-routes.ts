import express, { Router, type Request, type Response } from 'express';
import { isWildintelError, type Logger } from '../kernel/index.js';
import type { IngestService } from './accept-batch.js';
import { MAX_BATCH_BYTES } from './accept-batch.js';
import { REFUSAL_STATUS } from './errors.js';

/**
 * `POST /v1/batches`: the body is the compact JWS, `Content-Type: application/jose`.
 * 201 with the receipt for a new batch, 200 with the original receipt for a replay,
 * 4xx `{error: {code, message, details}}` for a refusal (not worth retrying),
 * 5xx for a failure on our side (worth retrying with the same bytes: ingest is idempotent).
 */
export function createBatchRoutes(ingest: IngestService, logger: Logger): Router {
  const router = Router();
  router.post(
    '/batches',
    // Read up to twice the limit so that an oversized batch gets its own code (BATCH_TOO_LARGE) rather than a bare 413.
    express.text({ type: 'application/jose', limit: MAX_BATCH_BYTES * 2 }),
    async (req: Request, res: Response) => {
      if (!req.is('application/jose') || typeof req.body !== 'string') {
        res.status(415).json({ error: { code: 'MALFORMED_JWS', message: 'send the compact JWS as the body with Content-Type: application/jose' } });
        return;
      }
      try {
        const receipt = await ingest.accept(req.body.trim());
        res.status(receipt.duplicate ? 200 : 201).json(receipt);
      } catch (err) {
        sendRefusal(res, err, logger);
      }
    },
  );
  return router;
}

export function sendRefusal(res: Response, err: unknown, logger: Logger): void {
  if (isWildintelError(err)) {
    const status = REFUSAL_STATUS[err.code];
    if (status !== undefined) {
      logger.info({ code: err.code }, 'batch refused');
      res.status(status).json({ error: err.toJSON() });
      return;
    }
  }
  logger.error({ err }, 'batch ingest failed');
  res.status(503).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'the batch could not be stored; retry later with the same bytes' } });
}
