import { WildintelError } from '../kernel/index.js';

/**
 * Closed set of provenance codes (canonical JSON, batch signing and verification). Chain problems
 * keep their PKI codes (`UNTRUSTED_CHAIN`, `CERT_EXPIRED`, `CERT_REVOKED`, `BAD_CERTIFICATE`) and
 * arrive as `PkiError`.
 */
export type ProvenanceErrorCode =
  | 'UNENCODABLE_VALUE'
  | 'NOT_CANONICAL'
  | 'INVALID_BATCH'
  | 'MALFORMED_JWS'
  | 'BAD_SIGNATURE'
  | 'MEMBER_MISMATCH'
  | 'KEY_MISMATCH'
  | 'CLOCK_SKEW'
  | 'UNAUTHENTICATED'
  // Version 2 batches (SD-JWT, RFC 9901): src/provenance/sd-jwt.ts.
  | 'MALFORMED_SD_JWT'
  | 'MALFORMED_DISCLOSURE'
  | 'WEAK_SALT'
  | 'DUPLICATE_DIGEST'
  | 'DUPLICATE_DISCLOSURE'
  | 'UNREFERENCED_DISCLOSURE'
  | 'UNDISCLOSED_DIGEST';

export class ProvenanceError extends WildintelError<ProvenanceErrorCode> {}
