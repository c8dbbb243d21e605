import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isWildintelError, type Logger } from '../kernel/index.js';
import type { IngestService } from './accept-batch.js';
import { MAX_BATCH_BYTES } from './accept-batch.js';
import { REFUSAL_STATUS } from './errors.js';

/**
 * `POST /v1/batches`: the body is the batch, a compact JWS (`Content-Type: application/jose`) or
 * an SD-JWT with every disclosure (`application/sd-jwt`, RFC 9901 §11.2.1; `application/jose` is
 * taken for it too).
 * 201 with the receipt for a new batch, 200 with the original receipt for a replay,
 * 4xx `{error: {code, message, details}}` for a refusal (not worth retrying),
 * 5xx for a failure on our side (worth retrying with the same bytes: ingest is idempotent).
 */
export function createBatchRoutes(ingest: IngestService, logger: Logger): Router {
  const router = Router();
  router.post(
    '/batches',
    readBody,
    async (req: Request, res: Response) => {
      if (!req.is(BATCH_TYPES) || typeof req.body !== 'string') {
        res.status(415).json({ error: { code: 'MALFORMED_JWS', message: 'send the batch as the body with Content-Type: application/jose (a JWS) or application/sd-jwt (an SD-JWT)' } });
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

// Read up to twice the limit so that an oversized batch is measured by the ingest service itself.
const BATCH_TYPES = ['application/jose', 'application/sd-jwt'];
const readJws = express.text({ type: BATCH_TYPES, limit: MAX_BATCH_BYTES * 2 });

/**
 * The body parser's own refusals get the ingest codes too: a body over twice the limit is
 * BATCH_TOO_LARGE like any other oversized batch (not the generic request-size error), and a body
 * that cannot be read as text (an unknown charset, a broken encoding) is MALFORMED_JWS.
 */
function readBody(req: Request, res: Response, next: NextFunction): void {
  readJws(req, res, (err?: unknown) => {
    if (err === undefined || err === null) return next();
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'BATCH_TOO_LARGE', message: `the batch is over ${MAX_BATCH_BYTES} bytes (8 MiB): split it`, details: { limit: MAX_BATCH_BYTES } } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'MALFORMED_JWS', message: 'the body could not be read: send the batch as UTF-8 text with Content-Type: application/jose or application/sd-jwt' } });
      return;
    }
    next(err);
  });
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
