import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../kernel/index.js';
import type { Histogram } from 'prom-client';
import { routeOf, UNMATCHED_ROUTE } from './routes.js';

/**
 * One log line per request with its status and duration. The query string is
 * left out: it may carry identifiers an operator should not collect in logs.
 */
export function requestLog(logger: Logger, histogram: Histogram<'method' | 'route' | 'status'>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0] ?? req.path;
      const route = routeOf(req.method, path)?.path ?? UNMATCHED_ROUTE;
      histogram.observe({ method: req.method, route, status: String(res.statusCode) }, durationMs / 1000);
      logger.info(
        { requestId, method: req.method, route, path, status: res.statusCode, durationMs: Math.round(durationMs * 100) / 100 },
        'request',
      );
    });
    next();
  };
}
