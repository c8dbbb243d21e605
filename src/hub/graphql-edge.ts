import type { NextFunction, Request, Response } from 'express';
import { unsafeInputError } from '../graphql/index.js';

/** GraphQL over HTTP's own media type, and the one every client understands. */
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const APPLICATION_JSON = 'application/json';

/**
 * Answers a request refused before it reaches Apollo the way Apollo answers: a GraphQL response
 * `{"errors":[…]}` with a stable code, in the media type the client accepts
 * (`application/graphql-response+json` when it asks for it, else `application/json`).
 */
export function sendGraphQLError(req: Request, res: Response, status: number, error: { code: string; message: string; details?: Readonly<Record<string, unknown>> | undefined }): void {
  const type = req.accepts([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) === GRAPHQL_RESPONSE_JSON ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON;
  const extensions = { code: error.code, ...(error.details ? { details: error.details } : {}) };
  res.status(status).type(`${type}; charset=utf-8`).send(JSON.stringify({ errors: [{ message: error.message, extensions }] }));
}

/**
 * Variables, operation name and extensions with a NUL or a lone surrogate are refused here
 * (400 BAD_USER_INPUT), before authentication, execution or the access audit see them; the
 * query text itself is the parser's (it refuses both characters as a syntax error).
 */
export function refuseUnsafeGraphQLInput(req: Request, res: Response, next: NextFunction): void {
  const input = req.method === 'GET' ? fromQueryString(req.query) : req.body;
  const error = input !== null && typeof input === 'object' ? unsafeInputError(input as Record<string, unknown>) : undefined;
  if (error === undefined) return next();
  sendGraphQLError(req, res, 400, error.toJSON());
}

/** GET carries variables and extensions as JSON text; what does not parse is left to Apollo to refuse. */
function fromQueryString(query: Request['query']): Record<string, unknown> {
  const json = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  };
  return { variables: json(query['variables']), extensions: json(query['extensions']), operationName: query['operationName'] };
}

/** The body parser's refusals on /graphql, as GraphQL responses in the negotiated media type. */
export function graphqlBodyErrors(limit: string) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const e = err as { status?: number; type?: string };
    if (e.type === 'entity.too.large') return sendGraphQLError(req, res, 413, { code: 'PAYLOAD_TOO_LARGE', message: `the request body is over ${limit}` });
    if (e.type === 'entity.parse.failed') return sendGraphQLError(req, res, 400, { code: 'MALFORMED_REQUEST', message: 'the request body is not valid JSON' });
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return sendGraphQLError(req, res, 415, { code: 'MALFORMED_REQUEST', message: 'send the body as UTF-8 JSON' });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendGraphQLError(req, res, e.status, { code: 'BAD_REQUEST', message: 'the request could not be read' });
    next(err);
  };
}
