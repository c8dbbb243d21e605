import { WildintelError } from '../kernel/index.js';

/** Ingest's own refusals; signature and chain problems keep their provenance and PKI codes. */
export type IngestErrorCode = 'BATCH_TOO_LARGE' | 'BATCH_ID_CONFLICT' | 'UNKNOWN_MEMBER' | 'UNKNOWN_SIGHTING' | 'INVALID_INDICATOR' | 'KEYWORD_TOO_BROAD' | 'IDENTIFIER_IN_VALUE' | 'INVALID_BATCH_REF' | 'CERT_REVOKED' | 'OBSERVED_AT_OUT_OF_RANGE';

export class IngestError extends WildintelError<IngestErrorCode> {}

/** HTTP status for every refusal code a member can meet when publishing. */
export const REFUSAL_STATUS: Readonly<Record<string, number>> = {
  MALFORMED_JWS: 400,
  MALFORMED_SD_JWT: 400,
  MALFORMED_DISCLOSURE: 400,
  WEAK_SALT: 400,
  DUPLICATE_DIGEST: 400,
  DUPLICATE_DISCLOSURE: 400,
  UNREFERENCED_DISCLOSURE: 400,
  UNDISCLOSED_DIGEST: 400,
  INVALID_BATCH: 400,
  CLOCK_SKEW: 400,
  INVALID_INDICATOR: 422,
  KEYWORD_TOO_BROAD: 422,
  IDENTIFIER_IN_VALUE: 422,
  OBSERVED_AT_OUT_OF_RANGE: 422,
  UNKNOWN_SIGHTING: 422,
  BAD_SIGNATURE: 401,
  BAD_CERTIFICATE: 401,
  UNTRUSTED_CHAIN: 403,
  CERT_EXPIRED: 403,
  CERT_REVOKED: 403,
  MEMBER_MISMATCH: 403,
  UNKNOWN_MEMBER: 403,
  BATCH_ID_CONFLICT: 409,
  BATCH_TOO_LARGE: 413,
};
