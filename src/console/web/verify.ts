/**
 * Provenance checks the console runs in the analyst's browser, so that trusting a result does not
 * mean trusting the hub that served it: a C2SP signed note (the checkpoint) verified with the
 * log's Ed25519 verifier key through WebCrypto, the checkpoint body parsed strictly, the batch's
 * log entry checked against the batch it names, the RFC 9162 root recomputed from the inclusion
 * proof (§2.1.3.2), and for a version 2 batch (an SD-JWT, RFC 9901) each disclosure shown matched
 * to a digest of the payload the entry commits to (§7.1): those items are part of what was logged.
 *
 * The hub's own src/tlog does the same with node:crypto's synchronous hashing and Buffer, which a
 * browser has not; WebCrypto hashes asynchronously, so the proof walk is written again here,
 * step for step, and src/console/verify.test.ts checks it against src/tlog on the log's test
 * vectors and on proofs from a real hub. Everything read is treated as attacker-controlled.
 * Uses only what browsers and Node 20 both have (crypto.subtle, TextEncoder, atob).
 */

export type VerifyErrorCode =
  | 'MALFORMED_KEY'
  | 'MALFORMED_NOTE'
  | 'BAD_NOTE_SIGNATURE'
  | 'UNVERIFIED_NOTE'
  | 'MALFORMED_CHECKPOINT'
  | 'MALFORMED_ENTRY'
  | 'ENTRY_MISMATCH'
  | 'INVALID_PROOF'
  | 'DISCLOSURE_MISMATCH'
  | 'WITHHELD_BATCH';

export class VerifyError extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Named through globalThis: the DOM and Node's type libraries spell these types differently. */
type Subtle = typeof globalThis.crypto.subtle;
type PublicKey = Awaited<ReturnType<Subtle['importKey']>>;
const subtle = (): Subtle => globalThis.crypto.subtle;
const utf8 = new TextEncoder();
const SIGNATURE_PREFIX = '\u2014 ';
const KEY_ID_HEX = /^[0-9a-f]{8}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** Standard base64, canonical only (the bytes must re-encode to the same text), else undefined. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return encodeBase64(bytes) === text ? bytes : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function base64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle().digest('SHA-256', all));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface LogVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly key: PublicKey;
}

/** `<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte Ed25519 key)>`, the id checked against the key. */
export async function parseVerifierKey(vkey: string): Promise<LogVerifier> {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0 || vkey.length > 4096) throw new VerifyError('MALFORMED_KEY', 'a verifier key is <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const typed = decodeBase64(vkey.slice(second + 1));
  if (name === '' || /[\s+]/u.test(name) || !KEY_ID_HEX.test(idHex)) throw new VerifyError('MALFORMED_KEY', 'the verifier key has a bad name or key id');
  if (typed === undefined || typed.length !== 33 || typed[0] !== 0x01) throw new VerifyError('MALFORMED_KEY', 'the verifier key must hold a type 0x01 Ed25519 key');
  const digest = await sha256(utf8.encode(name), Uint8Array.of(0x0a), typed);
  const keyId = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  if (keyId !== Number.parseInt(idHex, 16)) throw new VerifyError('MALFORMED_KEY', 'the key id does not match the key');
  const key = await subtle().importKey('raw', typed.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return { name, keyId, key };
}

/**
 * Opens a C2SP signed note: its text verified by the named key's Ed25519 signature. Lines by
 * other keys are ignored, as the spec says; a line by this key that fails refuses the note.
 */
export async function openNote(note: string, verifier: LogVerifier): Promise<string> {
  if (note.length > 1 << 20) throw new VerifyError('MALFORMED_NOTE', 'the note is too large');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new VerifyError('MALFORMED_NOTE', 'the note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified = false;
  for (const line of lines.slice(0, 100)) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new VerifyError('MALFORMED_NOTE', 'a signature line must start with an em dash');
    const [name, sig64, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const raw = sig64 === undefined ? undefined : decodeBase64(sig64);
    if (name === undefined || raw === undefined || raw.length < 5 || extra !== undefined) throw new VerifyError('MALFORMED_NOTE', 'malformed signature line');
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    if (name !== verifier.name || keyId !== verifier.keyId) continue;
    const ok = raw.length === 68 && (await subtle().verify({ name: 'Ed25519' }, verifier.key, raw.slice(4), utf8.encode(text)));
    if (!ok) throw new VerifyError('BAD_NOTE_SIGNATURE', `the signature by ${name} does not verify`);
    verified = true;
  }
  if (!verified) throw new VerifyError('UNVERIFIED_NOTE', `the note carries no signature by ${verifier.name}`);
  return text;
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

/** C2SP tlog-checkpoint body: origin, canonical decimal size, canonical base64 32-byte root. */
export function parseCheckpoint(text: string): Checkpoint {
  const [origin, size, root, ...rest] = text.slice(0, -1).split('\n');
  const rootBytes = root === undefined ? undefined : decodeBase64(root);
  if (!text.endsWith('\n') || !origin || size === undefined || !DECIMAL.test(size) || rootBytes?.length !== 32 || rest.some((l) => l === '')) {
    throw new VerifyError('MALFORMED_CHECKPOINT', 'the checkpoint is not origin, size and root lines');
  }
  return { origin, size: Number(size), root: rootBytes };
}

/** RFC 9162 §2.1.3.2: recomputes the root from leaf `index` of a tree of `size` and its proof. */
export async function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Promise<Uint8Array> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new VerifyError('INVALID_PROOF', `leaf ${index} is not in a tree of ${size}`);
  if (leafHash.length !== 32 || proof.some((p) => p.length !== 32)) throw new VerifyError('INVALID_PROOF', 'hashes must be 32 bytes');
  const node = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(0x01), left, right);
  const half = (n: number) => Math.floor(n / 2);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new VerifyError('INVALID_PROOF', 'the inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new VerifyError('INVALID_PROOF', 'the inclusion proof is too short');
  return r;
}

export interface ProvenanceInput {
  /** The checkpoint as a C2SP signed note. */
  checkpoint: string;
  /** The log's verifier key, as the analyst trusts it (not necessarily as the hub served it). */
  verifierKey: string;
  member: string;
  batchId: string;
  /**
   * The signed batch: a version 1 compact JWS exactly as the member signed it, or a version 2
   * SD-JWT with the disclosures the token may see; null when neither is given (a version 1 batch
   * the token may see only in part).
   */
  batch: string | null;
  leafIndex: number;
  /** base64 of the log entry bytes. */
  logEntry: string;
  /** base64 hashes. */
  inclusionProof: readonly string[];
}

export interface ProvenanceResult {
  origin: string;
  treeSize: number;
  rootHash: string;
  jwsSha256: string;
  /** Items shown and matched to the signed payload (all of a version 1 JWS's), and those withheld (digests only). */
  disclosed: number;
  withheld: number;
}

/**
 * The whole check behind the console's "verify" button: the checkpoint is signed by the log's
 * key; the entry is a `batch` entry naming this member and batch and committing to this JWS's
 * SHA-256 (an SD-JWT's issuer-signed JWT's); each disclosure shown is one of its signed digests;
 * and the entry is leaf `leafIndex` of the checkpoint's tree.
 */
export async function verifyBatchInclusion(input: ProvenanceInput): Promise<ProvenanceResult> {
  const verifier = await parseVerifierKey(input.verifierKey.trim());
  const checkpoint = parseCheckpoint(await openNote(input.checkpoint, verifier));
  if (input.batch === null) throw new VerifyError('WITHHELD_BATCH', 'the token may see only part of this version 1 batch, which is signed whole: there is nothing signed to check');
  const entryBytes = decodeBase64(input.logEntry);
  if (entryBytes === undefined || entryBytes.length > 65_536) throw new VerifyError('MALFORMED_ENTRY', 'the log entry is not base64');
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entryBytes)) as Record<string, unknown>;
  } catch {
    throw new VerifyError('MALFORMED_ENTRY', 'the log entry is not JSON');
  }
  const [jwt = '', ...disclosures] = input.batch.split('~');
  const jwsSha256 = base64url(await sha256(utf8.encode(jwt)));
  if (entry['kind'] !== 'batch' || entry['member'] !== input.member || entry['batchId'] !== input.batchId) {
    throw new VerifyError('ENTRY_MISMATCH', 'the log entry is not this batch’s entry');
  }
  if (entry['jwsSha256'] !== jwsSha256) throw new VerifyError('ENTRY_MISMATCH', 'the log entry commits to other batch bytes');
  const items = disclosures.length === 0 ? undefined : await matchDisclosures(jwt, disclosures);
  const proof = input.inclusionProof.map((h) => decodeBase64(h));
  if (proof.some((p) => p === undefined)) throw new VerifyError('INVALID_PROOF', 'a proof hash is not base64');
  const leaf = await sha256(Uint8Array.of(0x00), entryBytes);
  const root = await rootFromInclusionProof(input.leafIndex, checkpoint.size, leaf, proof as Uint8Array[]);
  if (!equal(root, checkpoint.root)) throw new VerifyError('INVALID_PROOF', 'the inclusion proof does not lead to the checkpoint’s root');
  const count = Number(entry['count']);
  return { origin: checkpoint.origin, treeSize: checkpoint.size, rootHash: encodeBase64(root), jwsSha256, disclosed: items?.disclosed ?? count, withheld: items?.withheld ?? 0 };
}

/**
 * RFC 9901 §7.1 on the disclosures of an SD-JWT (`<jwt>~<disclosure>~…~`, no key binding): each
 * hashes to an array element digest of the signed payload's `indicators` or `retractions`, no digest
 * or disclosure comes twice. The signature itself is the auditor's to check (wildintel audit check).
 */
async function matchDisclosures(jwt: string, parts: readonly string[]): Promise<{ disclosed: number; withheld: number }> {
  const disclosures = parts.slice(0, -1);
  if (parts.at(-1) !== '' || disclosures.some((d) => d === '')) throw new VerifyError('DISCLOSURE_MISMATCH', 'the SD-JWT is not <jwt>~<disclosure>~…~');
  let payload: { indicators?: unknown; retractions?: unknown };
  try {
    const body = jwt.split('.')[1] ?? '';
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64(body.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(body.length / 4) * 4, '=')))) as typeof payload;
  } catch {
    throw new VerifyError('DISCLOSURE_MISMATCH', 'the SD-JWT’s payload is not JSON');
  }
  const digests = [payload.indicators, payload.retractions ?? []].flatMap((list) => (Array.isArray(list) ? list.map((d: unknown) => (d as Record<string, unknown> | null)?.['...']) : [undefined]));
  if (digests.some((d) => typeof d !== 'string') || new Set(digests).size !== digests.length) throw new VerifyError('DISCLOSURE_MISMATCH', 'the signed payload’s items are not distinct array element digests');
  const signed = new Set(digests as string[]);
  const shown = new Set<string>();
  for (const d of disclosures) {
    const digest = base64url(await sha256(utf8.encode(d)));
    if (!signed.has(digest) || shown.has(digest)) throw new VerifyError('DISCLOSURE_MISMATCH', 'a disclosure is not one of the signed items, or comes twice');
    shown.add(digest);
  }
  return { disclosed: shown.size, withheld: signed.size - shown.size };
}
