/** The node's side of referrals to agencies (issue #22; the formats and the hub's side are in src/referrals). */
export { createNodeReferralService } from './referral-service.js';
export type { NodeReferralService, NodeReferralDeps, NodeReferralView, FiledCase } from './referral-service.js';
export { createNodeReferralRoutes } from './referral-routes.js';
