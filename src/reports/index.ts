/**
 * Public reports and volunteer review at the member node (issue #23): the public files reports
 * on /report (proof of work, rate limit by hashed network, caps, duplicate checks); reviewers
 * (moderator, volunteer) confirm, reject or ask for more on /review; confirmed reports become
 * observations through the node's one observation path. Wired by src/node/node.ts.
 */
import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { ReportDeps, ReportLimits } from './deps.js';
import { createReportIntake } from './intake.js';
import { registerReportMetrics } from './metrics.js';
import { createReportPow } from './pow.js';
import { createPrefixRateLimit } from './rate-limit.js';
import { createReviewDesk } from './review.js';
import { createPublicReportRoutes, createReviewerAdminRoutes } from './routes.js';
import { purgeReports, readReportNumbers, type ReportNumbers } from './stats.js';

export type { ReportDeps, ReportLimits, FederationMatches } from './deps.js';
export type { ReportNumbers } from './stats.js';
export { scoreReport } from './score.js';
export type { ScoreInputs, ScorePart, ReportScore } from './score.js';
export { canonicalListing } from './canonical.js';
export { networkPrefix } from './rate-limit.js';
export { addReviewer, listReviewers, removeReviewer, REVIEWER_ROLES } from './reviewers.js';
export type { ReviewerRole } from './reviewers.js';
export { ReportError, REPORT_ERROR_STATUS } from './errors.js';
export type { ReportErrorCode } from './errors.js';
export { nextState } from './review.js';

/** Login attempts per network and hour: enough for a team behind one address, not for guessing. */
const LOGINS_PER_PREFIX_PER_HOUR = 60;

export interface PublicReports {
  /** /report, /v1/reports…, /review…: mounted before the platform API's key check. */
  readonly publicRoutes: Router;
  /** /v1/reviewers: behind the key check; decides only on the operator's socket. */
  adminRoutes(operator: boolean): Router;
  numbers(): Promise<ReportNumbers>;
  registerMetrics(registry: Registry): void;
  /** Purges decided reports past retention; the node runs it on a timer. */
  purge(): Promise<number>;
}

export interface PublicReportOptions extends ReportLimits {
  /** The node's vault key: the proof-of-work HMAC key and the network-hash key are derived from it. */
  readonly secret: Uint8Array;
  readonly powDifficulty: number;
  readonly perPrefixPerHour: number;
}

export function createPublicReports(deps: ReportDeps, options: PublicReportOptions): PublicReports {
  const now = (): number => deps.clock.now().getTime();
  const pow = createReportPow({ secret: options.secret, difficulty: options.powDifficulty, ttlSeconds: 600, now });
  const rate = createPrefixRateLimit({ secret: options.secret, perHour: options.perPrefixPerHour, now });
  const intake = createReportIntake(deps, options, pow);
  const desk = createReviewDesk(deps);
  const loginRate = createPrefixRateLimit({ secret: options.secret, perHour: LOGINS_PER_PREFIX_PER_HOUR, now });
  const routeDeps = { db: deps.db, clock: deps.clock, random: deps.random, intake, pow, rate, loginRate, desk, maxPhotoBytes: options.maxPhotoBytes, sessionHours: options.sessionHours };
  return {
    publicRoutes: createPublicReportRoutes(routeDeps),
    adminRoutes: (operator) => createReviewerAdminRoutes(routeDeps, operator),
    numbers: () => readReportNumbers(deps.db, deps.clock.now()),
    registerMetrics: (registry) => registerReportMetrics(registry, deps),
    purge: () => purgeReports(deps.db, deps.clock.now(), options.retentionDays),
  };
}
