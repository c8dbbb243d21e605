import { WildintelError } from '../kernel/index.js';

/** What an audit can find. Every failure names what did not hold, so an auditor can report it. */
export type AuditErrorCode =
  | 'HUB_UNREACHABLE'
  | 'CHECKPOINT_SIGNATURE'
  | 'LOG_SHRANK'
  | 'FORK_DETECTED'
  | 'INCONSISTENT_PROOF'
  | 'ENTRIES_UNAVAILABLE'
  | 'TILES_UNAVAILABLE'
  | 'MALFORMED_ENTRY'
  | 'ROOT_MISMATCH'
  | 'BATCH_UNAVAILABLE'
  | 'BATCH_HASH_MISMATCH'
  | 'BATCH_INVALID'
  | 'BATCH_AFTER_REVOCATION'
  /** A bundle labels a sighting (TLP, certificate chain, member, batch) otherwise than its signed batch. */
  | 'SIGHTING_MISMATCH'
  | 'INVALID_STATE';

export class AuditError extends WildintelError<AuditErrorCode> {}
