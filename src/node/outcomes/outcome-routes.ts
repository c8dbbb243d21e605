/**
 * Outcomes on the node's platform API (platform API key, or the operator's socket):
 *   POST /v1/outcomes               {"outcomes": [{indicatorId | identifier | text, action, actedAt, reference?}]}
 *   POST /v1/outcomes/retractions   {"retractions": [{outcomeId | reference, reason}]}
 *   GET  /v1/outcomes[?reference=…&indicatorId=…&listing=…]   (listing: a raw listing id or URL, or its lp1.… pseudonym)
 * A bad item refuses the whole request with its index and field, and nothing is queued.
 */
import express, { Router } from 'express';
import { controlCharacterReason } from '../../kernel/index.js';
import { MAX_RAW_LISTING_LENGTH } from '../../indicators/index.js';
import { NodeError } from '../errors.js';
import type { OutcomeService } from './outcome-service.js';

/** As outcome-request.ts bounds a recorded reference. */
const MAX_REFERENCE_LENGTH = 200;
const INDICATOR_ID = /^[A-Za-z0-9_-]{43}$/;

export function createNodeOutcomeRoutes(service: OutcomeService, maxBodyBytes: number): Router {
  const router = Router();
  const json = express.json({ limit: maxBodyBytes });
  router.post('/v1/outcomes', json, (req, res, next) => {
    service.record(req.body).then((outcomes) => res.json({ outcomes }), next);
  });
  router.post('/v1/outcomes/retractions', json, (req, res, next) => {
    service.retract(req.body).then((retractions) => res.json({ retractions }), next);
  });
  router.get('/v1/outcomes', (req, res, next) => {
    const reference = req.query['reference'];
    const indicatorId = req.query['indicatorId'];
    const listing = req.query['listing'];
    if ([reference, indicatorId, listing].some((v) => v !== undefined && typeof v !== 'string')) {
      return next(new NodeError('MALFORMED_REQUEST', 'reference, indicatorId and listing are single query parameters'));
    }
    // Refused here, before any query: Postgres text holds no NUL, and a bound keeps a look-up cheap.
    for (const [field, value, max] of [['reference', reference, MAX_REFERENCE_LENGTH], ['listing', listing, MAX_RAW_LISTING_LENGTH]] as const) {
      if (typeof value !== 'string') continue;
      const unsafe = value.length > max ? `is longer than ${max} characters` : controlCharacterReason(value, 'line');
      if (unsafe !== undefined) return next(new NodeError('MALFORMED_REQUEST', `${field} ${unsafe}`, { details: { field } }));
    }
    if (typeof indicatorId === 'string' && !INDICATOR_ID.test(indicatorId)) return next(new NodeError('MALFORMED_REQUEST', 'indicatorId must be an indicator id (43 base64url characters)', { details: { field: 'indicatorId' } }));
    const filter = { ...(typeof reference === 'string' ? { reference } : {}), ...(typeof indicatorId === 'string' ? { indicatorId } : {}), ...(typeof listing === 'string' ? { listing } : {}) };
    service.list(filter).then((outcomes) => res.json({ outcomes }), next);
  });
  return router;
}
