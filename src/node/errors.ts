import { WildintelError } from '../kernel/index.js';

/**
 * The member node's codes. Messages and details never carry a raw identifier, listing text or
 * image: they reach platform logs and the node's own.
 */
export type NodeErrorCode =
  /** An observation (details: index, field) is invalid; the whole request was refused and nothing queued. */
  | 'INVALID_OBSERVATION'
  /** A keyword observation (details: index, field, reason: the rule) is too broad to publish (src/guards); nothing queued. */
  | 'KEYWORD_TOO_BROAD'
  /** A retraction (details: index, field) is malformed. */
  | 'INVALID_RETRACTION'
  /** A retraction names nothing this member has published or queued (details: index). */
  | 'UNKNOWN_INDICATOR'
  /** A scan request has neither text nor image, or a bad one (details: field). */
  | 'INVALID_SCAN'
  /** An opinion request is malformed, or the hub refused it as such (details: field). */
  | 'INVALID_OPINION'
  /** No or an unknown platform API key. */
  | 'UNAUTHENTICATED'
  /** The request body is over NODE_MAX_BODY_MB. */
  | 'PAYLOAD_TOO_LARGE'
  /** The request body cannot be read (not JSON, broken multipart). */
  | 'MALFORMED_REQUEST'
  /** A key, certificate or key file the node needs is missing or unusable. */
  | 'NODE_MISCONFIGURED'
  /** The vault key does not open this node's vault (a different key file than the one it was made with). */
  | 'VAULT_KEY_MISMATCH'
  /** A vault record does not decrypt (tampered with, or another key). */
  | 'VAULT_CORRUPT'
  /** Something the hub served did not verify (details: check). */
  | 'HUB_MISBEHAVING'
  /** The hub could not be reached or answered with a failure; retried later. */
  | 'HUB_UNAVAILABLE'
  /** No disclosure request by that id was routed to this node. */
  | 'UNKNOWN_REQUEST'
  /** The request was decided already, or never verified (details: state). */
  | 'REQUEST_NOT_PENDING'
  /** The request expired: it can no longer be answered. */
  | 'REQUEST_EXPIRED'
  /** A decline reason outside the closed set, or a note that is too long (details: field). */
  | 'INVALID_DECISION'
  /** An outcome or outcome retraction (details: index, field) is malformed; nothing was recorded. */
  | 'INVALID_OUTCOME'
  /** An outcome retraction names no live outcome of this node (details: index). */
  | 'UNKNOWN_OUTCOME'
  /** Deciding on a request is for the node operator, through the node's socket (wildintel node requests). */
  | 'OPERATOR_ONLY'
  /** A referral the node cannot file as given (details: field). */
  | 'INVALID_REFERRAL'
  /** The hub refused the referral (details: hubCode, the hub's code: NO_COMPETENT_AGENCY, NO_AGENCY_KEY, …). */
  | 'REFERRAL_REFUSED'
  /** No referral by that id filed by this member. */
  | 'UNKNOWN_REFERRAL';

export class NodeError extends WildintelError<NodeErrorCode> {}

/** HTTP status of each code a platform can meet. */
export const NODE_ERROR_STATUS: Readonly<Record<NodeErrorCode, number>> = {
  INVALID_OBSERVATION: 400,
  KEYWORD_TOO_BROAD: 400,
  INVALID_RETRACTION: 400,
  UNKNOWN_INDICATOR: 404,
  INVALID_SCAN: 400,
  INVALID_OPINION: 400,
  UNAUTHENTICATED: 401,
  PAYLOAD_TOO_LARGE: 413,
  MALFORMED_REQUEST: 400,
  NODE_MISCONFIGURED: 500,
  VAULT_KEY_MISMATCH: 500,
  VAULT_CORRUPT: 500,
  HUB_MISBEHAVING: 502,
  HUB_UNAVAILABLE: 503,
  UNKNOWN_REQUEST: 404,
  REQUEST_NOT_PENDING: 409,
  REQUEST_EXPIRED: 410,
  INVALID_DECISION: 400,
  INVALID_OUTCOME: 400,
  UNKNOWN_OUTCOME: 404,
  OPERATOR_ONLY: 403,
  INVALID_REFERRAL: 400,
  REFERRAL_REFUSED: 409,
  UNKNOWN_REFERRAL: 404,
};
