import { WildintelError } from '../kernel/index.js';

/**
 * Codes of the public report intake and the review page. Every refusal of a public report has its
 * own code (and is counted by it in report_refusals); messages never quote what was sent.
 */
export type ReportErrorCode =
  /** The body is not JSON, or over the size limit's parse (details: field). */
  | 'INVALID_REPORT'
  /** The whole request is over the body limit (photos count, base64). */
  | 'REPORT_TOO_LARGE'
  /** A photo is over REPORTS_MAX_PHOTO_MB, over NODE_MAX_IMAGE_PIXELS, unreadable or too flat to hash (details: field, reason). */
  | 'INVALID_PHOTO'
  /** No proof of work, or one that does not verify (details: reason). */
  | 'POW_INVALID'
  /** This proof of work was used already. */
  | 'POW_REPLAYED'
  /** Too many reports from this network this hour. */
  | 'RATE_LIMITED'
  /** An open report names the same listing (canonical URL or id). */
  | 'DUPLICATE_LISTING'
  /** A photo is within PDQ distance of a photo of an open report. */
  | 'DUPLICATE_IMAGE'
  /** The review queue holds REPORTS_MAX_OPEN reports. */
  | 'QUEUE_FULL'
  /** Photos of kept reports take REPORTS_MAX_STORED_MB. */
  | 'STORAGE_FULL'
  /** No report has that receipt code (or it is malformed). */
  | 'UNKNOWN_RECEIPT'
  /** The previous receipt named in a follow-up is unknown. */
  | 'UNKNOWN_PREVIOUS_RECEIPT'
  /** No session, an expired one, or a wrong name or password. */
  | 'UNAUTHENTICATED'
  /** The CSRF token or the Origin of a state-changing review request is missing or wrong. */
  | 'CSRF_REJECTED'
  /** A decision is malformed (details: field). */
  | 'INVALID_DECISION'
  /** No report by that id. */
  | 'UNKNOWN_REPORT'
  /** The report was decided already (details: state), or this reviewer decided on it already. */
  | 'REPORT_DECIDED'
  /** The confirmed report's observations were refused by the node's own checks (details: reason); nothing recorded. */
  | 'PUBLISH_REFUSED'
  /** A reviewer account request is malformed, or the name is taken (details: field). */
  | 'INVALID_REVIEWER'
  /** Managing reviewers is for the node operator (the node's socket). */
  | 'OPERATOR_ONLY';

export class ReportError extends WildintelError<ReportErrorCode> {}

export const REPORT_ERROR_STATUS: Readonly<Record<ReportErrorCode, number>> = {
  INVALID_REPORT: 400,
  REPORT_TOO_LARGE: 413,
  INVALID_PHOTO: 400,
  POW_INVALID: 400,
  POW_REPLAYED: 409,
  RATE_LIMITED: 429,
  DUPLICATE_LISTING: 409,
  DUPLICATE_IMAGE: 409,
  QUEUE_FULL: 503,
  STORAGE_FULL: 503,
  UNKNOWN_RECEIPT: 404,
  UNKNOWN_PREVIOUS_RECEIPT: 400,
  UNAUTHENTICATED: 401,
  CSRF_REJECTED: 403,
  INVALID_DECISION: 400,
  UNKNOWN_REPORT: 404,
  REPORT_DECIDED: 409,
  PUBLISH_REFUSED: 422,
  INVALID_REVIEWER: 400,
  OPERATOR_ONLY: 403,
};
