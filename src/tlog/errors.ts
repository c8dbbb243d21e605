import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of codes the transparency-log core throws. They travel unchanged
 * into HTTP bodies of the public `/log/*` endpoints and into auditor reports.
 *
 * - `INVALID_INDEX`: an index or size is not a non-negative safe integer (or, as
 *   text, not a canonical decimal): malformed input, HTTP 400.
 * - `INDEX_OUT_OF_RANGE`: well-formed numbers in an impossible relation
 *   (index ≥ size, from > to, from = 0, a size beyond what the store can address).
 * - `MALFORMED_HASH`: a hash handed to a verifier is not 32 bytes.
 * - `INVALID_PROOF`: a proof has the wrong length or does not lead to the root.
 * - `STORE_INCONSISTENT`: a hash reader answered with the wrong number of hashes,
 *   a hash that is not 32 bytes, or no hash for an index it should hold.
 * - `MALFORMED_KEY`: a verifier or signer key string cannot be used.
 * - `MALFORMED_NOTE`: a signed note breaks the C2SP signed-note grammar or limits.
 * - `BAD_NOTE_SIGNATURE`: a signature by a known key does not verify.
 * - `UNVERIFIED_NOTE`: the note parsed but carries no signature by a known key.
 * - `MALFORMED_CHECKPOINT`: the note text is not a C2SP tlog-checkpoint body.
 * - `ORIGIN_MISMATCH`: the checkpoint names another log than the one expected.
 * - `MALFORMED_ENTRY`: log entry bytes or fields break the entry format.
 * - `MALFORMED_TILE`: a C2SP tile path, hash tile or entry bundle breaks the tlog-tiles format.
 * - `INCONSISTENT_TILE`: tiles that parse but do not hash to the signed root they must support.
 * - `ENTRY_TOO_LARGE`: an entry longer than an entry bundle's uint16 length can carry.
 */
export type TlogErrorCode =
  | 'INVALID_INDEX'
  | 'INDEX_OUT_OF_RANGE'
  | 'MALFORMED_HASH'
  | 'INVALID_PROOF'
  | 'STORE_INCONSISTENT'
  | 'MALFORMED_KEY'
  | 'MALFORMED_NOTE'
  | 'BAD_NOTE_SIGNATURE'
  | 'UNVERIFIED_NOTE'
  | 'MALFORMED_CHECKPOINT'
  | 'ORIGIN_MISMATCH'
  | 'MALFORMED_ENTRY'
  | 'MALFORMED_TILE'
  | 'INCONSISTENT_TILE'
  | 'ENTRY_TOO_LARGE';

export class TlogError extends WildintelError<TlogErrorCode> {}
