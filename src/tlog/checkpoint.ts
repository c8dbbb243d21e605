import { decodeBase64, encodeBase64, parseCanonicalDecimal, isSafeIndex } from './bytes.js';
import { TlogError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import { MAX_NOTE_BYTES, openNote, parseVerifierKey, signNote } from './note.js';
import type { NoteSigner, NoteVerifier } from './note.js';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *
 *     <origin>\n<tree size, ASCII decimal, no leading zeros>\n<base64 root hash>\n[<extension line>\n…]
 *
 * signed as a C2SP signed-note with the log's Ed25519 key. Sizes above 2^53 − 1
 * are refused (a JavaScript number would round them).
 */

export interface Checkpoint {
  /** Names the log; the hub's is its key name. */
  readonly origin: string;
  readonly size: number;
  /** The RFC 9162 root hash of the first `size` entries (32 bytes). */
  readonly root: Uint8Array;
  /** Opaque extension lines, each non-empty; usually none. */
  readonly extensions: readonly string[];
}

/** What a log states in a checkpoint; `extensions` defaults to none. */
export type CheckpointFields = Omit<Checkpoint, 'extensions'> & { readonly extensions?: readonly string[] };

function malformed(message: string, details: Record<string, unknown> = {}): TlogError {
  return new TlogError('MALFORMED_CHECKPOINT', message, { details });
}

function checkLine(line: string, what: string): void {
  if (typeof line !== 'string' || line.length === 0) throw malformed(`${what} must be a non-empty line`);
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) < 0x20) throw malformed(`${what} holds a control character`);
  }
}

/** The exact checkpoint body bytes (as a string) for `checkpoint`. */
export function formatCheckpoint(checkpoint: CheckpointFields): string {
  const { origin, size, root, extensions = [] } = checkpoint;
  checkLine(origin, 'origin');
  if (!isSafeIndex(size)) throw malformed('size must be a non-negative safe integer');
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) throw malformed(`root must be ${HASH_SIZE} bytes`);
  extensions.forEach((line, i) => checkLine(line, `extension line ${i}`));
  return [origin, String(size), encodeBase64(root), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Parses a checkpoint body strictly: at least three newline-terminated non-empty
 * lines, a canonical decimal size, a canonical base64 32-byte root.
 * Throws `MALFORMED_CHECKPOINT`.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('checkpoint must end with a newline');
  if (text.length > MAX_NOTE_BYTES) throw malformed(`checkpoint exceeds ${MAX_NOTE_BYTES} characters`);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw malformed('checkpoint needs origin, size and root lines');
  }
  checkLine(origin, 'origin');
  extensions.forEach((line, i) => checkLine(line, `extension line ${i}`));
  const size = parseCanonicalDecimal(sizeLine);
  if (size === undefined) throw malformed('size must be a canonical decimal no larger than 2^53 - 1');
  const root = decodeBase64(rootLine);
  if (root === undefined || root.length !== HASH_SIZE) throw malformed(`root must be the canonical base64 of ${HASH_SIZE} bytes`);
  return { origin, size, root, extensions };
}

/** The signed note text of `checkpoint`, signed by the log's key. */
export function signCheckpoint(checkpoint: CheckpointFields, signer: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), [signer]);
}

/**
 * Verifies a signed checkpoint against the log's verifier key (Ed25519, type
 * 0x01) and parses it. Other signature lines (witness cosignatures, other keys)
 * are ignored. When `expectedOrigin` is given the origin must equal it; the key
 * name need not equal the origin (sum.golang.org signs "go.sum database tree").
 *
 * Throws the note errors (`MALFORMED_KEY`, `MALFORMED_NOTE`, `BAD_NOTE_SIGNATURE`,
 * `UNVERIFIED_NOTE`), then `MALFORMED_CHECKPOINT` or `ORIGIN_MISMATCH`.
 *
 * @example const { size, root } = openCheckpoint(await res.text(), hubVerifierKey, 'hub.example.org/log')
 */
export function openCheckpoint(noteText: string | Uint8Array, verifierKey: string | NoteVerifier, expectedOrigin?: string): Checkpoint {
  const verifier = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  if (verifier.type !== 'ed25519') {
    throw new TlogError('MALFORMED_KEY', 'a log verifier key must be an Ed25519 (type 0x01) key');
  }
  const note = openNote(noteText, [verifier]);
  const checkpoint = parseCheckpoint(note.text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new TlogError('ORIGIN_MISMATCH', 'checkpoint is for another log', {
      details: { origin: checkpoint.origin.slice(0, 200), expected: expectedOrigin },
    });
  }
  return checkpoint;
}
