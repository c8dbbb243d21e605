/**
 * The transparency log's pure core: RFC 9162 Merkle math over stored hashes, C2SP
 * signed notes and checkpoints, and the log entry format. No I/O, no clock.
 */
export { TlogError } from './errors.js';
/** The log's wire format carries hashes and entries in standard base64. */
export { encodeBase64 } from './bytes.js';
export type { TlogErrorCode } from './errors.js';

export { HASH_SIZE, leafHash, nodeHash, emptyTreeHash, verifyInclusion, verifyConsistency, parseLogIndex } from './merkle.js';

export {
  MAX_STORED_TREE_SIZE,
  storedHashIndex,
  storedHashCount,
  splitStoredHashIndex,
  storedHashesForLeaf,
  storedHashesForLeaves,
  storedHashesForLeavesSync,
  treeHash,
  treeHashSync,
  inclusionProof,
  inclusionProofSync,
  consistencyProof,
  consistencyProofSync,
  withPendingHashes,
  MemoryHashStore,
} from './stored-hashes.js';
export type { HashReader, SyncHashReader, StoredHash } from './stored-hashes.js';

export {
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_BYTES,
  isValidKeyName,
  parseVerifierKey,
  parseSignerKey,
  generateSignerKey,
  signNote,
  openNote,
} from './note.js';
export type { Note, NoteSignature, NoteSigner, NoteVerifier, NoteKeyType } from './note.js';

export { formatCheckpoint, parseCheckpoint, signCheckpoint, openCheckpoint } from './checkpoint.js';
export type { Checkpoint, CheckpointFields } from './checkpoint.js';

export { ENTRY_KINDS, ENTRY_TLPS, REVOCATION_REASONS, TOKEN_SCOPES, DISCLOSURE_STEPS, REFERRAL_STEPS, REFERRAL_RESULTS, MAX_ENTRY_BYTES, encodeEntry, parseEntry } from './entry.js';
export type {
  EntryKind,
  EntryTlp,
  RevocationReason,
  LogEntry,
  BatchEntry,
  MemberEntry,
  RevocationEntry,
  TokenEntry,
  OpinionEntry,
  AccessEntry,
  AgencyEntry,
  DisclosureEntry,
  WarninglistEntry,
  ReferralEntry,
  ReferralStep,
  ReferralResult,
  QuarantineEntry,
  DisclosureStep,
} from './entry.js';

export {
  TILE_HEIGHT,
  TILE_WIDTH,
  MAX_TILE_LEVEL,
  MAX_BUNDLED_ENTRY_BYTES,
  tileWidth,
  tilesOfTree,
  tilePath,
  entryBundlePath,
  parseTilePath,
  tileHashIndexes,
  encodeTile,
  parseTile,
  encodeEntryBundle,
  parseEntryBundle,
  createTileHashReader,
} from './tiles.js';
export type { Tile, TileResource, TileFetcher, TileHashReaderOptions } from './tiles.js';

export { createTransparencyLog } from './log-store.js';
export type { TransparencyLog, AppendResult, UnstampedEntry } from './log-store.js';
