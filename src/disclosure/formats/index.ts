/**
 * The disclosure formats alone: the records of each step and their signatures, the agency's keys
 * and the encryption of answers, with no database or HTTP layer. Auditors, the member node's
 * review commands and the agency's CLI use this, so they start without the hub's service stack
 * (TypeORM, Express); src/disclosure/index.ts exports it too, with the hub's side.
 */
export { DisclosureError, DISCLOSURE_ERROR_STATUS } from '../errors.js';
export { agencyKeySet, parseAgencyKeySet, keysSha256, encryptionKeyOf, signingKeyOf, generateAgencyKeys, publicJwkOf } from '../agency-keys.js';
export {
  REQUEST_TYP,
  STEP_TYP,
  DECLINE_REASONS,
  parseRequestPayload,
  parseMemberStep,
  parseRoutedRecord,
  parseRetrievedRecord,
  recordSha256,
  jwsPayload,
} from '../records.js';
export { signDisclosureRequest, verifyDisclosureRequest } from '../request.js';
export { signMemberStep, createMemberStepVerifier } from '../member-step.js';
export { encryptAnswer, decryptAnswer, openWithContentKey, assertAnswerJwe, plaintextJson, ANSWER_CTY, encryptToAgency, decryptWithAgencyKey, assertJweTo } from '../answer-crypto.js';
export { verifyHistory } from '../verify-records.js';
export type { DisclosureErrorCode } from '../errors.js';
export type { AgencyKeySet, PublicJwk } from '../agency-keys.js';
export type { DeclineReason, DisclosureRequestPayload, MemberStepPayload, MemberStep, RoutedRecord, RetrievedRecord } from '../records.js';
export type { MemberStepVerifier, VerifiedMemberStep } from '../member-step.js';
export type { AnswerPlaintext } from '../answer-crypto.js';
export type { LoggedRecord, VerifiedHistory, MemberOutcome } from '../verify-records.js';
