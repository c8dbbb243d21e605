import { WildintelError } from '../kernel/index.js';

/**
 * The disclosure context's codes (docs/disclosure.md lists them with what to do). Messages and
 * details never carry a raw identifier: the hub never has one, and a node's refusals reach its log.
 */
export type DisclosureErrorCode =
  /** A request or record is malformed (details: field). */
  | 'INVALID_DISCLOSURE'
  /** A key file is not a usable public key of the right kind. */
  | 'INVALID_AGENCY_KEY'
  /** The agency has registered no disclosure keys (wildintel agency key). */
  | 'NO_AGENCY_KEY'
  /** The request is not signed by the agency's registered signing key. */
  | 'REQUEST_SIGNATURE'
  /** The signed request names another agency, analyst, token or encryption key than the caller's. */
  | 'REQUEST_MISMATCH'
  /** A request id already filed with other bytes. */
  | 'DISCLOSURE_REPLAYED'
  /** No such seller, or not visible to the token; or no such request of this agency. */
  | 'NOT_FOUND'
  /** Only SELLER indicators name a person a member can look up. */
  | 'NOT_A_SELLER'
  /** A member step for a request the hub does not know. */
  | 'UNKNOWN_DISCLOSURE'
  /** A member step from a member the request was not routed to. */
  | 'NOT_ROUTED'
  /** The request expired: nothing more is recorded for it. */
  | 'DISCLOSURE_EXPIRED'
  /** A member record whose envelope, chain or signature does not verify (altered, or not the member's). */
  | 'ANSWER_TAMPERED'
  /** A well-signed member record that does not fit the request (another request, member, bad JWE or reason). */
  | 'ANSWER_INVALID'
  /** This exact member record was recorded already (details: leafIndex). */
  | 'ANSWER_REPLAYED'
  /** The member recorded this step already (or answered or declined) with another record. */
  | 'STEP_ALREADY_RECORDED'
  /** An answer does not decrypt with the key given. */
  | 'ANSWER_UNDECRYPTABLE'
  /** Auditing: a record the hub serves is not in the log where it says (or not at all). */
  | 'UNLOGGED_DISCLOSURE'
  /** Auditing: the log holds a disclosure step the hub does not account for. */
  | 'UNLISTED_DISCLOSURE'
  /** The agency keys a request was checked with are not the ones the log says were in force. */
  | 'AGENCY_KEY_MISMATCH';

export class DisclosureError extends WildintelError<DisclosureErrorCode> {}

/** HTTP status of each code on the hub's member routes and in the node's platform API. */
export const DISCLOSURE_ERROR_STATUS: Readonly<Record<DisclosureErrorCode, number>> = {
  INVALID_DISCLOSURE: 400,
  INVALID_AGENCY_KEY: 400,
  NO_AGENCY_KEY: 409,
  REQUEST_SIGNATURE: 400,
  REQUEST_MISMATCH: 400,
  DISCLOSURE_REPLAYED: 409,
  NOT_FOUND: 404,
  NOT_A_SELLER: 400,
  UNKNOWN_DISCLOSURE: 404,
  NOT_ROUTED: 403,
  DISCLOSURE_EXPIRED: 410,
  ANSWER_TAMPERED: 400,
  ANSWER_INVALID: 400,
  ANSWER_REPLAYED: 409,
  STEP_ALREADY_RECORDED: 409,
  ANSWER_UNDECRYPTABLE: 400,
  UNLOGGED_DISCLOSURE: 502,
  UNLISTED_DISCLOSURE: 502,
  AGENCY_KEY_MISMATCH: 502,
};

export function invalid(field: string, message: string): DisclosureError {
  return new DisclosureError('INVALID_DISCLOSURE', `${field} ${message}`, { details: { field } });
}
