/**
 * Lawful re-identification requests (docs/disclosure.md): the records of each step and their
 * signatures, the agency's keys, the encryption of answers to the agency, and the hub's side
 * (filing, routing, member steps, reading). The member node's side lives in src/node and uses
 * the formats from here.
 */
export { DisclosureError, DISCLOSURE_ERROR_STATUS } from './errors.js';
export type { DisclosureErrorCode } from './errors.js';
export { agencyKeySet, parseAgencyKeySet, keysSha256, encryptionKeyOf, signingKeyOf, generateAgencyKeys, publicJwkOf } from './agency-keys.js';
export type { AgencyKeySet, PublicJwk } from './agency-keys.js';
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
} from './records.js';
export type { DeclineReason, DisclosureRequestPayload, MemberStepPayload, MemberStep, RoutedRecord, RetrievedRecord } from './records.js';
export { signDisclosureRequest, verifyDisclosureRequest } from './request.js';
export { signMemberStep, createMemberStepVerifier } from './member-step.js';
export type { MemberStepVerifier, VerifiedMemberStep } from './member-step.js';
export { encryptAnswer, decryptAnswer, openWithContentKey, assertAnswerJwe, plaintextJson, ANSWER_CTY, encryptToAgency, decryptWithAgencyKey, assertJweTo } from './answer-crypto.js';
export { currentAgencyKeys } from './agency-key-store.js';
export type { AnswerPlaintext } from './answer-crypto.js';
export { createDisclosureService } from './service.js';
export type { DisclosureService, DisclosureServiceDeps } from './service.js';
export type { AgencyKeyRegistration } from './agency-key-store.js';
export type { Filer, FiledRequest, SellerLookup } from './filing.js';
export type { RoutedRequest, StepReceipt } from './member-steps.js';
export type { RequestView, StepView, AnswerView, RequestFilter } from './views.js';
export { cursorOf, MAX_REQUEST_PAGE } from './views.js';
export { createDisclosureRoutes } from './member-routes.js';
export type { DisclosureRouteDeps } from './member-routes.js';
export { verifyHistory } from './verify-records.js';
export type { LoggedRecord, VerifiedHistory, MemberOutcome } from './verify-records.js';
