/**
 * The hub's routes for member nodes (authenticated with a member request token, design item 7):
 *   GET  /v1/disclosures                     open requests routed to the caller
 *   POST /v1/disclosures/:requestId/steps    a signed step record (application/jose) → receipt
 * Agency tokens are refused here (403), and their attempt is recorded in the access audit. Every
 * caller is rate-limited per principal with the hub's limiter.
 */
import express, { Router, type Request, type Response } from 'express';
import { accessRecordOf, type AccessRecordInput, type Principal, type RateLimiter } from '../auth/index.js';
import { isWildintelError, type Clock, type Logger } from '../kernel/index.js';
import { DISCLOSURE_ERROR_STATUS, DisclosureError } from './errors.js';
import type { DisclosureService } from './service.js';

export interface DisclosureRouteDeps {
  readonly service: DisclosureService;
  readonly authenticate: (req: Request) => Promise<Principal>;
  readonly rateLimiter: RateLimiter;
  readonly recordAccess: (record: AccessRecordInput) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
}

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNTRUSTED_CHAIN', 'CERT_EXPIRED', 'CERT_REVOKED', 'BAD_CERTIFICATE']);

class RouteRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: string; message: string; details?: Record<string, unknown> },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

/** The caller, as a member; an agency token is recorded in the access audit and refused. */
async function memberOf(deps: DisclosureRouteDeps, req: Request, operation: string): Promise<string> {
  const principal = await deps.authenticate(req);
  const key = principal.kind === 'agency' ? principal.jti : principal.kind === 'member' ? `member:${principal.member}` : undefined;
  if (key === undefined) throw new RouteRefusal(401, { code: 'UNAUTHENTICATED', message: 'send authorization: Bearer <member request token>' });
  const decision = await deps.rateLimiter.take(key, deps.clock.now().getTime());
  if (!decision.allowed) throw new RouteRefusal(429, { code: 'RATE_LIMITED', message: `too many requests; retry in ${decision.retryAfterSeconds} s` }, { 'retry-after': String(decision.retryAfterSeconds) });
  if (principal.kind === 'agency') {
    await deps.recordAccess(accessRecordOf(principal, { at: deps.clock.now(), operation, fields: '', variables: {}, returned: 0, outcome: 'ERROR' }));
    throw new RouteRefusal(403, { code: 'FORBIDDEN', message: 'these routes are for member nodes; agencies use GraphQL (disclosureRequests, disclosureAnswers)' });
  }
  return (principal as { member: string }).member;
}

function send(res: Response, err: unknown, logger: Logger): void {
  if (err instanceof RouteRefusal) {
    res.set(err.headers).status(err.status).json({ error: err.body });
    return;
  }
  if (err instanceof DisclosureError) {
    logger.info({ code: err.code }, 'disclosure step refused');
    res.status(DISCLOSURE_ERROR_STATUS[err.code]).json({ error: err.toJSON() });
    return;
  }
  if (isWildintelError(err) && AUTH_CODES.has(err.code)) {
    res.status(401).json({ error: err.toJSON() });
    return;
  }
  if (isWildintelError(err) && err.code === 'ACCESS_AUDIT_UNAVAILABLE') {
    res.status(503).json({ error: err.toJSON() });
    return;
  }
  logger.error({ err }, 'disclosure route failed');
  res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
}

const readJose = express.text({ type: 'application/jose', limit: 256 * 1024 });

export function createDisclosureRoutes(deps: DisclosureRouteDeps): Router {
  const router = Router();
  router.get('/disclosures', async (req, res) => {
    try {
      const member = await memberOf(deps, req, 'GET /v1/disclosures');
      res.json({ requests: await deps.service.routedTo(member) });
    } catch (err) {
      send(res, err, deps.logger);
    }
  });
  router.post('/disclosures/:requestId/steps', readJose, async (req, res) => {
    try {
      const member = await memberOf(deps, req, 'POST /v1/disclosures/:requestId/steps');
      if (!req.is('application/jose') || typeof req.body !== 'string') {
        throw new DisclosureError('INVALID_DISCLOSURE', 'send the signed step record as the body with Content-Type: application/jose', { details: { field: 'body' } });
      }
      res.status(201).json(await deps.service.recordMemberStep(member, String(req.params['requestId']), req.body.trim()));
    } catch (err) {
      send(res, err, deps.logger);
    }
  });
  return router;
}
