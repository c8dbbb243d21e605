import { WildintelError } from '../kernel/index.js';

/**
 * What `evidence verify` finds besides the codes it shares with the auditor (`CHECKPOINT_SIGNATURE`,
 * `MALFORMED_ENTRY`, `INCONSISTENT_PROOF`, `BATCH_HASH_MISMATCH`, `BATCH_INVALID`) and with the
 * disclosure records (`REQUEST_SIGNATURE`, `ANSWER_TAMPERED`, `AGENCY_KEY_MISMATCH`, …).
 */
export type EvidenceErrorCode =
  /** Not a package of this format (details in the message: the first field that is wrong). */
  | 'EVIDENCE_MALFORMED'
  /** No request of this case for the caller's agency (export), or a record of another case (verify). */
  | 'CASE_MISMATCH'
  /** A record is not the one its log entry commits to (its bytes changed). */
  | 'RECORD_HASH_MISMATCH'
  /** A sighting listed that no verified batch carries, or carries differently. */
  | 'SIGHTING_UNBACKED'
  /** A decrypted answer that is not what the ciphertext holds, or not for this request and member. */
  | 'ANSWER_MISMATCH'
  /** The summary is not the one the package's content makes (edited). */
  | 'SUMMARY_MISMATCH';

export class EvidenceError extends WildintelError<EvidenceErrorCode> {}
