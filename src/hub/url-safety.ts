import type { NextFunction, Request, Response } from 'express';
import { findUnsafeText } from '../kernel/index.js';
import { sendGraphQLError } from './graphql-edge.js';

/**
 * Every route's path and query string, decoded, must be text the database can carry: a
 * percent-encoded NUL (`/v1/batches/shopmart/%00`), an encoded lone surrogate or broken UTF-8
 * (`%ED%A0%80`), or broken percent-encoding is refused here with 400 MALFORMED_REQUEST, once,
 * before any route reads it. /graphql answers in GraphQL's shape.
 */
export function refuseUnsafeUrl(req: Request, res: Response, next: NextFunction): void {
  const problem = pathProblem(req.path) ?? queryProblem(req);
  if (problem === undefined) return next();
  const error = { code: 'MALFORMED_REQUEST', message: `the request URL ${problem}` };
  if (req.path === '/graphql' || req.path.startsWith('/graphql/')) return sendGraphQLError(req, res, 400, error);
  res.status(400).json({ error });
}

function pathProblem(path: string): string | undefined {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'path is not valid percent-encoded UTF-8';
    }
    const found = findUnsafeText(decoded);
    if (found !== undefined) return `path ${found.reason}`;
  }
  return undefined;
}

function queryProblem(req: Request): string | undefined {
  const raw = req.originalUrl.split('?')[1];
  if (raw === undefined) return undefined;
  for (const part of raw.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return 'query string is not valid percent-encoded UTF-8';
    }
  }
  const found = findUnsafeText(req.query);
  return found === undefined ? undefined : `query parameter ${found.path} ${found.reason}`;
}
