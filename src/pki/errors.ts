import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of PKI refusal codes. They travel unchanged into GraphQL
 * `extensions.code` and HTTP bodies, so a member can tell "my certificate
 * expired" from "you do not trust my CA".
 */
export type PkiErrorCode =
  | 'INVALID_CSR'
  | 'INVALID_MEMBER_SLUG'
  | 'INVALID_CA'
  | 'BAD_CERTIFICATE'
  | 'UNTRUSTED_CHAIN'
  | 'CERT_EXPIRED'
  | 'CERT_REVOKED'
  | 'KEY_FILE_EXISTS';

export class PkiError extends WildintelError<PkiErrorCode> {}
