/**
 * Referrals from members to agencies (issue #22): a member's signed case handed to the agencies
 * whose registered competence covers it (or the one it names), evidence encrypted to each
 * agency's key, every step logged by hash as a `referral` entry, an overdue rule, and the
 * member's side (signing one record per agency). The node's wiring lives in src/node/referrals.
 */
export { ReferralError, REFERRAL_ERROR_STATUS } from './errors.js';
export type { ReferralErrorCode } from './errors.js';
export { assertPlace, jurisdictionCovers } from './places.js';
export { isOverdue, overdueCutoff } from './overdue.js';
export type { OverdueFacts } from './overdue.js';
export { REFERRAL_TYP, EVIDENCE_CTY, URGENCIES, REFERRAL_RESULTS, REFERRAL_STEPS, draftShape, parseReferralPayload, parseEvidence, referralRecordSha256, MAX_EVIDENCE_JWE } from './records.js';
export type { ReferralPayload, EvidenceFile, EvidencePlaintext, Urgency, ReferralResult, ReferralStep, AgencyStepRecord } from './records.js';
export { encryptEvidence, decryptEvidence } from './evidence.js';
export { signReferrals, createReferralVerifier } from './member-referral.js';
export type { ReferralDraft, ReceivingAgency, SignedReferral, ReferralVerifier } from './member-referral.js';
export { parseCompetence } from './competence.js';
export type { Competence, ReceivingAgencyView } from './competence.js';
export { createReferralService } from './service.js';
export type { ReferralService, ReferralServiceDeps, ReferralAnnouncement } from './service.js';
export type { FiledReferral } from './filing.js';
export type { Actor, AgencyStep } from './steps.js';
export type { ReferralView, ReferralStepView, ReferralCounts, InboxFilter } from './views.js';
export { MAX_REFERRAL_PAGE } from './views.js';
