/**
 * Referrals on the node's platform API (platform API key, or the operator's socket):
 *   POST /v1/referrals        {agency?, sellers, indicators, summary, urgency, commodity, place, evidence?: [{name, mediaType, data}]}
 *   GET  /v1/referrals        this member's referrals and their state at the hub
 *   GET  /v1/referrals/:id
 */
import express, { Router } from 'express';
import type { NodeReferralService } from './referral-service.js';

export function createNodeReferralRoutes(service: NodeReferralService, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/v1/referrals', express.json({ limit: maxBodyBytes }), (req, res, next) => {
    service.file(req.body).then((filed) => res.json(filed), next);
  });
  router.get('/v1/referrals', (_req, res, next) => {
    service.list().then((referrals) => res.json({ referrals }), next);
  });
  router.get('/v1/referrals/:id', (req, res, next) => {
    service.show(String(req.params['id'])).then((referral) => res.json({ referral }), next);
  });
  return router;
}
