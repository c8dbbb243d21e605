import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { systemRandom } from '../kernel/index.js';
import type { Random } from '../kernel/index.js';
import { decodeBase64, decodeUtf8, encodeBase64, hasLoneSurrogate } from './bytes.js';
import { TlogError } from './errors.js';

/**
 * C2SP signed-note (https://c2sp.org/signed-note): a UTF-8 text ending in a
 * newline, a blank line, then one or more lines `— <key name> base64(keyID ‖ sig)`.
 *
 * Verifier keys are `<name>+<8 hex key ID>+<base64(type ‖ public key)>` with
 * key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. Type 0x01 is
 * Ed25519 over the note text (logs); type 0x04 is the C2SP tlog-cosignature/v1
 * timestamped Ed25519 witness cosignature (verify only). Signer keys use Go's
 * sumdb/note form `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ 32-byte seed)>`.
 *
 * Everything here is read as attacker-controlled: key strings are split on their
 * first two `+` only (base64 may contain `+`), names are matched literally, and
 * the limits of Go's sumdb/note apply (at most 100 signature lines).
 */

export type NoteKeyType = 'ed25519' | 'cosignature/v1';

/** A key that can check signatures on notes. Build it with `parseVerifierKey`. */
export interface NoteVerifier {
  readonly name: string;
  /** The 32-bit key ID, as an unsigned number. */
  readonly keyId: number;
  readonly type: NoteKeyType;
  /** The canonical verifier key string. */
  readonly verifierKey: string;
  /** Checks `signature` (without its 4-byte key ID) over the note text bytes. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A key that signs notes (Ed25519, type 0x01). Build it with `parseSignerKey`. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The verifier key string others use to check this signer's notes. */
  readonly verifierKey: string;
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature field exactly as it appeared: base64(keyID ‖ signature). */
  readonly base64: string;
  /** For a tlog-cosignature/v1 line: the POSIX time the witness cosigned at. */
  readonly timestamp?: number;
}

/** A note whose signatures by known keys all verified. */
export interface Note {
  /** The signed text, including its final newline. */
  readonly text: string;
  /** Signatures by known keys, each verified, without duplicates. */
  readonly sigs: readonly NoteSignature[];
  /** Signature lines by keys the caller did not name, not verified, without duplicates. */
  readonly unverifiedSigs: readonly NoteSignature[];
}

/** Go's sumdb/note refuses notes with more signature lines than this. */
export const MAX_NOTE_SIGNATURES = 100;
/** Notes larger than this are refused before any parsing. */
export const MAX_NOTE_BYTES = 1 << 20;

const SIGNATURE_PREFIX = '\u2014 ';
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const KEY_TYPES: Readonly<Record<number, NoteKeyType>> = { 0x01: 'ed25519', 0x04: 'cosignature/v1' };
const TYPE_BYTES: Readonly<Record<NoteKeyType, number>> = { ed25519: 0x01, 'cosignature/v1': 0x04 };
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_HEX = /^[0-9a-f]{8}$/;
/** Unicode white space (JS `\s` plus U+0085, which Go's unicode.IsSpace also counts), `+`, ASCII controls. */
const FORBIDDEN_IN_NAME = /[\s\u0085+\u0000-\u001f\u007f]/u;
/** RFC 8410 PKCS#8 wrapper of a 32-byte Ed25519 seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function malformedKey(message: string): TlogError {
  return new TlogError('MALFORMED_KEY', message);
}

function malformedNote(message: string, details: Record<string, unknown> = {}): TlogError {
  return new TlogError('MALFORMED_NOTE', message, { details });
}

/** Key names are non-empty with no Unicode spaces and no `+` (signed-note §Format). */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !FORBIDDEN_IN_NAME.test(name) && !hasLoneSurrogate(name);
}

function keyIdOf(name: string, typedKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a)).update(typedKey).digest();
  return digest.readUInt32BE(0);
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** Splits `<name>+<key ID>+<key>` on its first two `+`, checking the name and the key ID's form. */
function splitKey(text: string, what: string): { name: string; keyId: number; key: Uint8Array } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw malformedKey(`${what} must be <name>+<key ID>+<base64 key>`);
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const key = decodeBase64(text.slice(second + 1));
  if (!isValidKeyName(name)) throw malformedKey(`${what} has an invalid key name`);
  if (!KEY_ID_HEX.test(idHex)) throw malformedKey(`${what} key ID must be 8 lower-case hex digits`);
  if (key === undefined || key.length === 0) throw malformedKey(`${what} key is not canonical base64`);
  return { name, keyId: Number.parseInt(idHex, 16), key };
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
  } catch (cause) {
    throw new TlogError('MALFORMED_KEY', 'not a usable Ed25519 public key', { cause });
  }
}

function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * The C2SP tlog-cosignature/v1 check: the signature is an 8-byte big-endian POSIX
 * time then Ed25519 over "cosignature/v1\ntime <t>\n" ‖ the note text. Returns the
 * time, or undefined when the signature does not verify.
 */
function verifyCosignature(publicKey: KeyObject, text: Uint8Array, signature: Uint8Array): number | undefined {
  if (signature.length !== 8 + ED25519_SIGNATURE_SIZE) return undefined;
  const time = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const header = Buffer.from(`cosignature/v1\ntime ${time.toString()}\n`, 'utf8');
  const ok = ed25519Verify(publicKey, Buffer.concat([header, text]), signature.subarray(8));
  return ok ? Number(time) : undefined;
}

/**
 * Parses a verifier key string (type 0x01 Ed25519 or 0x04 cosignature/v1).
 * Throws `MALFORMED_KEY` for any other form, type, length or a key ID that does
 * not match the key.
 * @example parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string' || vkey.length > 4096) throw malformedKey('verifier key must be a string of at most 4096 characters');
  const { name, keyId, key } = splitKey(vkey, 'verifier key');
  const type = KEY_TYPES[key[0] as number];
  if (type === undefined) throw malformedKey(`verifier key type 0x${(key[0] as number).toString(16).padStart(2, '0')} is not supported`);
  if (key.length !== 1 + ED25519_KEY_SIZE) throw malformedKey('verifier key must hold a 32-byte Ed25519 public key');
  if (keyIdOf(name, key) !== keyId) throw malformedKey('verifier key ID does not match the key');
  const publicKey = ed25519PublicKey(key.subarray(1));
  const check =
    type === 'ed25519'
      ? (text: Uint8Array, sig: Uint8Array) => ed25519Verify(publicKey, text, sig)
      : (text: Uint8Array, sig: Uint8Array) => verifyCosignature(publicKey, text, sig) !== undefined;
  return Object.freeze({ name, keyId, type, verifierKey: vkey, verify: check });
}

function signerFromSeed(name: string, seed: Uint8Array): { signer: NoteSigner; signerKey: string } {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(String(jwk.x), 'base64url');
  const typed = Buffer.concat([Uint8Array.of(TYPE_BYTES.ed25519), publicKey]);
  const keyId = keyIdOf(name, typed);
  const verifierKey = `${name}+${hex8(keyId)}+${encodeBase64(typed)}`;
  const signerKey = `${SIGNER_KEY_PREFIX}${name}+${hex8(keyId)}+${encodeBase64(Buffer.concat([Uint8Array.of(TYPE_BYTES.ed25519), seed]))}`;
  const signer = Object.freeze({ name, keyId, verifierKey, sign: (text: Uint8Array) => new Uint8Array(sign(null, text, privateKey)) });
  return { signer, signerKey };
}

/**
 * Parses a signer key `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>` (Go's
 * sumdb/note format). Throws `MALFORMED_KEY`; the message never echoes the key.
 */
export function parseSignerKey(skey: string): NoteSigner {
  if (typeof skey !== 'string' || !skey.startsWith(SIGNER_KEY_PREFIX) || skey.length > 4096) {
    throw malformedKey('signer key must start with PRIVATE+KEY+');
  }
  const { name, keyId, key } = splitKey(skey.slice(SIGNER_KEY_PREFIX.length), 'signer key');
  if (key[0] !== TYPE_BYTES.ed25519 || key.length !== 1 + ED25519_KEY_SIZE) {
    throw malformedKey('signer key must hold a type 0x01 Ed25519 seed of 32 bytes');
  }
  const { signer } = signerFromSeed(name, key.subarray(1));
  if (signer.keyId !== keyId) throw malformedKey('signer key ID does not match the key');
  return signer;
}

/**
 * A new Ed25519 note key: the signer key (secret; keep it out of logs) and the
 * verifier key (public; `wildintel hub keys` prints it).
 */
export function generateSignerKey(name: string, random: Pick<Random, 'bytes'> = systemRandom): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw malformedKey('key name must be non-empty, without spaces or +');
  const seed = random.bytes(ED25519_KEY_SIZE);
  if (seed.length !== ED25519_KEY_SIZE) throw new Error('random source returned a short seed');
  const { signer, signerKey } = signerFromSeed(name, seed);
  return { signerKey, verifierKey: signer.verifierKey };
}

/** Finds the first ASCII control character other than newline, or -1. */
function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 && unit !== 0x0a) return i;
  }
  return -1;
}

function checkNoteText(text: string): void {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) throw malformedNote('note text must end with a newline');
  if (controlCharacterAt(text) >= 0) throw malformedNote('note text holds a control character');
  if (hasLoneSurrogate(text)) throw malformedNote('note text is not valid Unicode');
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES) throw malformedNote(`note text exceeds ${MAX_NOTE_BYTES} bytes`);
}

/**
 * Signs `text` (which must end in a newline) with each signer, in order, and
 * returns the signed note.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text);
  if (signers.length === 0 || signers.length > MAX_NOTE_SIGNATURES) {
    throw malformedNote(`a note needs 1 to ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    if (!isValidKeyName(signer.name)) throw malformedKey('signer has an invalid key name');
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId >>> 0);
    return `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([id, signer.sign(message)]))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

function noteToString(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    if (input.length > MAX_NOTE_BYTES || Buffer.byteLength(input, 'utf8') > MAX_NOTE_BYTES) {
      throw malformedNote(`note exceeds ${MAX_NOTE_BYTES} bytes`);
    }
    if (hasLoneSurrogate(input)) throw malformedNote('note is not valid Unicode');
    return input;
  }
  if (!(input instanceof Uint8Array)) throw malformedNote('note must be a string or bytes');
  if (input.length > MAX_NOTE_BYTES) throw malformedNote(`note exceeds ${MAX_NOTE_BYTES} bytes`);
  const text = decodeUtf8(input);
  if (text === undefined) throw malformedNote('note is not valid UTF-8');
  return text;
}

interface SignatureLine {
  readonly line: string;
  readonly name: string;
  readonly keyId: number;
  readonly base64: string;
  readonly signature: Uint8Array;
}

function parseSignatureLine(line: string): SignatureLine {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformedNote('a signature line must start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const base64 = space < 0 ? '' : rest.slice(space + 1);
  const raw = decodeBase64(base64);
  if (!isValidKeyName(name) || base64 === '' || raw === undefined || raw.length < 5) {
    throw malformedNote('malformed signature line');
  }
  const keyId = Buffer.from(raw.buffer, raw.byteOffset, 4).readUInt32BE(0);
  return { line, name, keyId, base64, signature: raw.subarray(4) };
}

function verifierIndex(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const slot = `${v.name}\n${v.keyId}`;
    const other = known.get(slot);
    if (other !== undefined && other.verifierKey !== v.verifierKey) {
      throw malformedKey(`two verifier keys share name ${v.name} and key ID ${hex8(v.keyId)}`);
    }
    known.set(slot, v);
  }
  return known;
}

/** Splits a note at its last blank line into the text and its signature lines. */
function splitNote(note: string): { text: string; lines: string[] } {
  const at = controlCharacterAt(note);
  if (at >= 0) throw malformedNote('note holds a control character', { offset: at });
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformedNote('note has no signature block');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformedNote('signature block must be non-empty and end with a newline');
  const lines = block.slice(0, -1).split('\n', MAX_NOTE_SIGNATURES + 1);
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformedNote(`note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  return { text, lines };
}

/**
 * Parses a signed note and verifies every signature by a key in `verifiers`.
 * Lines by other keys are kept unverified (signed-note: "verifiers MUST ignore
 * signatures from unknown keys"); repeated lines are dropped.
 *
 * Throws `MALFORMED_NOTE`, `BAD_NOTE_SIGNATURE` (a known key's signature fails:
 * the whole note is refused) or `UNVERIFIED_NOTE` (no signature by a known key;
 * `details.unverified` lists the names and key IDs seen).
 */
export function openNote(input: string | Uint8Array, verifiers: readonly NoteVerifier[]): Note {
  const { text, lines } = splitNote(noteToString(input));
  const message = Buffer.from(text, 'utf8');
  const known = verifierIndex(verifiers);
  const sigs: NoteSignature[] = [];
  const unverifiedSigs: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const parsed of lines.map(parseSignatureLine)) {
    const verifier = known.get(`${parsed.name}\n${parsed.keyId}`);
    const seenKey = verifier === undefined ? `line\n${parsed.line}` : `key\n${parsed.name}\n${parsed.keyId}`;
    if (seen.has(seenKey)) continue;
    seen.add(seenKey);
    const base = { name: parsed.name, keyId: parsed.keyId, base64: parsed.base64 };
    if (verifier === undefined) {
      unverifiedSigs.push(base);
    } else if (!verifier.verify(message, parsed.signature)) {
      throw new TlogError('BAD_NOTE_SIGNATURE', `signature by ${parsed.name}+${hex8(parsed.keyId)} does not verify`, {
        details: { name: parsed.name, keyId: hex8(parsed.keyId) },
      });
    } else if (verifier.type === 'cosignature/v1') {
      const time = Buffer.from(parsed.signature.buffer, parsed.signature.byteOffset, 8).readBigUInt64BE(0);
      sigs.push({ ...base, timestamp: Number(time) });
    } else {
      sigs.push(base);
    }
  }
  if (sigs.length === 0) {
    throw new TlogError('UNVERIFIED_NOTE', 'note has no signature by a known key', {
      details: { unverified: unverifiedSigs.map((s) => `${s.name}+${hex8(s.keyId)}`) },
    });
  }
  return { text, sigs, unverifiedSigs };
}
