/**
 * Disclosure requests on the node's platform API:
 *   GET  /v1/requests[?state=pending]    what was routed here (the platform's legal team tooling; API key)
 *   POST /v1/requests/:id/approve        {note?, by?}           operator only (the node's Unix socket)
 *   POST /v1/requests/:id/decline        {reason, note?, by?}   operator only
 * A platform API key may read requests but never decide one: decisions are the operator's, made
 * with `wildintel node requests approve|decline` on the node's host.
 */
import express, { Router } from 'express';
import type { DecisionResult, NodeDisclosureView } from './disclosure-decisions.js';
import { NodeError } from './errors.js';

export interface DisclosureRouteDeps {
  readonly list: (filter: { state?: string }) => Promise<NodeDisclosureView[]>;
  readonly approve: (requestId: string, input: Record<string, unknown>) => Promise<DecisionResult>;
  readonly decline: (requestId: string, input: Record<string, unknown>) => Promise<DecisionResult>;
  /** True on the operator's socket only. */
  readonly operator: boolean;
}

const STATES = new Set(['waiting', 'pending', 'answered', 'declined', 'invalid', 'expired']);

export function createNodeDisclosureRoutes(deps: DisclosureRouteDeps): Router {
  const router = Router();
  router.get('/v1/requests', (req, res, next) => {
    const state = typeof req.query['state'] === 'string' ? req.query['state'] : undefined;
    if (state !== undefined && !STATES.has(state)) return next(new NodeError('MALFORMED_REQUEST', `state must be one of ${[...STATES].join(', ')}`));
    deps.list(state === undefined ? {} : { state }).then((requests) => res.json({ requests }), next);
  });
  const decide = (action: 'approve' | 'decline'): express.RequestHandler => (req, res, next) => {
    if (!deps.operator) return next(new NodeError('OPERATOR_ONLY', 'only the node operator decides on disclosure requests: run wildintel node requests on the node'));
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    deps[action](String(req.params['id']), body).then((result) => res.json(result), next);
  };
  router.post('/v1/requests/:id/approve', express.json({ limit: '64kb' }), decide('approve'));
  router.post('/v1/requests/:id/decline', express.json({ limit: '64kb' }), decide('decline'));
  return router;
}
