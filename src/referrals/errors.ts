import { WildintelError } from '../kernel/index.js';

/** The referral room's codes (docs/agency-api.md "Referrals" lists them with what to do). */
export type ReferralErrorCode =
  /** A referral, evidence file, competence or step input is malformed (details: field). */
  | 'INVALID_REFERRAL'
  /** The member's record does not verify (signature, chain, revoked or expired certificate, another member's certificate). */
  | 'REFERRAL_SIGNATURE'
  /** A well-signed record that names another member than the caller. */
  | 'REFERRAL_MISMATCH'
  /** A referral id filed already with other bytes. */
  | 'REFERRAL_REPLAYED'
  /** No agency by that slug (a named referral), or none whose competence covers the commodity and place. */
  | 'NO_COMPETENT_AGENCY'
  /** The agency registered no encryption key, so evidence cannot be encrypted to it. */
  | 'NO_AGENCY_KEY'
  /** No such referral routed to the caller's agency (or filed by the caller's member). */
  | 'NOT_FOUND'
  /** The step does not follow from the referral's state (details: state). */
  | 'STEP_NOT_ALLOWED';

export class ReferralError extends WildintelError<ReferralErrorCode> {}

export const REFERRAL_ERROR_STATUS: Readonly<Record<ReferralErrorCode, number>> = {
  INVALID_REFERRAL: 400,
  REFERRAL_SIGNATURE: 400,
  REFERRAL_MISMATCH: 403,
  REFERRAL_REPLAYED: 409,
  NO_COMPETENT_AGENCY: 409,
  NO_AGENCY_KEY: 409,
  NOT_FOUND: 404,
  STEP_NOT_ALLOWED: 409,
};

export function invalid(field: string, message: string): ReferralError {
  return new ReferralError('INVALID_REFERRAL', `${field} ${message}`, { details: { field } });
}
