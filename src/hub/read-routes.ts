import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { accessRecordOf, AuthError, grantFor, mayUse, READ_PATHS, type Grant, type Principal, type ReadPath } from '../auth/index.js';
import { readBatch, readFeed, type SignedBatch } from '../ingest/index.js';
import { isWildintelError, type Clock, type Logger } from '../kernel/index.js';
import { batchMediaType, type JsonValue } from '../provenance/index.js';
import { parseLogIndex } from '../tlog/index.js';
import { authenticateRequired, rateKey } from './authenticate.js';
import type { HubServices } from './services.js';

type Caller = Exclude<Principal, { kind: 'anonymous' }>;

/** What a read handler answers; the wrapper records it and sends it. */
export interface ReadAnswer {
  readonly status: number;
  readonly body: string | object;
  /** Content type for a string body. */
  readonly type?: string;
  /** How many things were handed over (the access record's `returned`). */
  readonly returned: number;
}

export interface ReadRoute {
  /** As the access audit names it, e.g. `GET /v1/feed`. */
  readonly operation: string;
  /** What it returns, for the entitlement decision and the path's scopes. */
  readonly path: ReadPath;
  /** The parameters the caller chose (hashed into the access record, never stored). */
  readonly variables: (req: Request) => JsonValue;
  readonly run: (req: Request, grant: Grant, caller: Caller) => Promise<ReadAnswer>;
}

export interface ReadRouteDeps {
  readonly db: DataSource;
  readonly services: HubServices;
  readonly clock: Clock;
  readonly logger: Logger;
}

const STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  UNTRUSTED_CHAIN: 401,
  CERT_EXPIRED: 401,
  CERT_REVOKED: 401,
  BAD_CERTIFICATE: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INVALID_INDEX: 400,
  INVALID_BATCH_REF: 400,
  ACCESS_AUDIT_UNAVAILABLE: 503,
};

/**
 * Every REST path that returns indicator data goes through here, in this order: authenticate →
 * the path's scopes (FORBIDDEN) → the per-principal rate limit (the same buckets as GraphQL) →
 * the read, under the caller's grant → the access record of an agency read, stored before the
 * answer leaves (withheld with 503 if it cannot be).
 */
export function readHandler(deps: ReadRouteDeps, route: ReadRoute) {
  return async (req: Request, res: Response): Promise<void> => {
    let caller: Caller | undefined;
    let answer: ReadAnswer;
    try {
      caller = await authenticateRequired(deps.services, req);
      await admit(deps, route, caller);
      answer = await route.run(req, grantFor(caller, route.path), caller);
    } catch (err) {
      answer = refusal(err, deps.logger);
      if (caller === undefined || isWildintelError(err) && err.code === 'RATE_LIMITED') return send(res, answer, err);
    }
    try {
      if (caller.kind === 'agency') {
        const outcome = answer.status < 400 ? 'OK' : 'ERROR';
        await deps.services.access.record(accessRecordOf(caller, { at: deps.clock.now(), operation: route.operation, fields: route.path, variables: route.variables(req), returned: answer.returned, outcome }));
      }
    } catch (err) {
      answer = refusal(err, deps.logger);
    }
    send(res, answer);
  };
}

async function admit(deps: ReadRouteDeps, route: ReadRoute, caller: Caller): Promise<void> {
  if (!mayUse(caller, route.path)) {
    throw new AuthError('FORBIDDEN', `${route.operation} needs a token with ${READ_PATHS[route.path].scopes.join(' or ')}`, { details: { requires: READ_PATHS[route.path].scopes } });
  }
  const decision = await deps.services.rateLimiter.take(rateKey(caller), deps.clock.now().getTime());
  if (!decision.allowed) {
    throw new AuthError('RATE_LIMITED', `too many requests; retry in ${decision.retryAfterSeconds} s`, { details: { retryAfterSeconds: decision.retryAfterSeconds } });
  }
}

function refusal(err: unknown, logger: Logger): ReadAnswer {
  if (isWildintelError(err)) {
    const status = STATUS[err.code] ?? 400;
    return { status, body: { error: err.toJSON() }, returned: 0 };
  }
  logger.error({ err }, 'read failed');
  return { status: 500, body: { error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } }, returned: 0 };
}

function send(res: Response, answer: ReadAnswer, err?: unknown): void {
  if (isWildintelError(err)) {
    const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    // Every 429 says when to come back: a client that honours Retry-After must never be left guessing.
    if (retry !== undefined || answer.status === 429) res.set('retry-after', String(retry ?? 1));
    if (err.code === 'UNAUTHENTICATED') res.set('www-authenticate', 'Bearer');
  }
  res.status(answer.status);
  if (typeof answer.body === 'string') res.type(answer.type ?? 'text/plain').send(answer.body);
  else res.json(answer.body);
}

const NOT_FOUND: ReadAnswer = { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such batch, or not visible to you' } }, returned: 0 };

function signedAnswer(signed: SignedBatch, returned: number): ReadAnswer {
  const body = 'jws' in signed ? signed.jws : signed.sdJwt;
  return { status: 200, body, type: batchMediaType(body), returned };
}

/** `GET /v1/batches/<member>/<batchId>` and `GET /v1/feed`. */
export function createContentRoutes(deps: ReadRouteDeps): Router {
  const router = Router();
  const { db } = deps;
  const log = deps.services.log;
  router.get(
    '/batches/:member/:batchId',
    readHandler(deps, {
      operation: 'GET /v1/batches',
      path: 'provenance',
      variables: (req) => ({ member: String(req.params['member']), batchId: String(req.params['batchId']) }),
      async run(req, grant) {
        const read = await readBatch({ db, log }, grant, String(req.params['member']), String(req.params['batchId']));
        // Not entitled and not found look the same, so the endpoint cannot be used to probe ids.
        if (read === null) return NOT_FOUND;
        const { content, ...provenance } = read;
        if (content.kind === 'whole') return signedAnswer(content.signed, 1);
        const returned = content.indicators.length + content.retractions.length + content.outcomes.length;
        // A version 2 batch comes as an SD-JWT with the disclosures the caller may see; a version 1 batch in part only as its items, unsigned.
        if (content.signed !== undefined) return signedAnswer(content.signed, returned);
        return { status: 200, body: { ...provenance, complete: false, indicators: content.indicators, retractions: content.retractions, outcomes: content.outcomes, withheld: content.withheld }, returned };
      },
    }),
  );
  router.get(
    '/feed',
    readHandler(deps, {
      operation: 'GET /v1/feed',
      path: 'provenance',
      variables: (req) => ({ after: typeof req.query['after'] === 'string' ? req.query['after'] : null }),
      async run(req, grant) {
        const after = req.query['after'] === undefined ? -1 : parseLogIndex(String(req.query['after']), 'after');
        const page = await readFeed({ db, log }, grant, after);
        const returned = page.items.filter((i) => i.jws !== undefined || i.sdJwt !== undefined || i.partial !== undefined || i.opinion !== undefined).length;
        return { status: 200, body: page, returned };
      },
    }),
  );
  return router;
}
