/**
 * The answer to a request, encrypted by the member node to the requesting agency's public key so
 * that the hub relays ciphertext it cannot read: JWE compact serialization (RFC 7516) with
 * `alg: ECDH-ES` (direct key agreement, RFC 7518 §4.6) and `enc: A256GCM`, through jose.
 *
 * Direct agreement also lets the holder prove what one answer says without giving up its key: the
 * content key of that one message (Concat KDF of the shared secret, RFC 7518 §4.6.2) opens that
 * ciphertext and nothing else, so an evidence package can carry it and be checked by anyone.
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { canonicalBytes, canonicalJson, parseCanonicalJson } from '../provenance/index.js';
import type { PublicJwk } from './agency-keys.js';
import { DisclosureError, invalid } from './errors.js';

export const ANSWER_CTY = 'wildintel-disclosure-answer+json';
const ALG = 'ECDH-ES';
const ENC = 'A256GCM';
const MAX_JWE_BYTES = 64 * 1024;

/** What the member discloses: the raw identifier its vault holds for the fingerprint, and when it saw it. */
export interface AnswerPlaintext {
  readonly v: 1;
  readonly requestId: string;
  readonly member: string;
  readonly fingerprint: string;
  readonly identifier: { readonly kind: string; readonly value: string };
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export function encryptAnswer(plaintext: AnswerPlaintext, to: PublicJwk): Promise<string> {
  return encryptToAgency(canonicalBytes(plaintext), to, ANSWER_CTY);
}

/**
 * Encrypts bytes to an agency's registered encryption key (ECDH-ES direct, A256GCM) with the
 * content type `cty`: disclosure answers and referral evidence alike, so the hub relays ciphertext
 * it cannot read.
 */
export async function encryptToAgency(plaintext: Uint8Array, to: PublicJwk, cty: string): Promise<string> {
  const key = createPublicKey({ key: { kty: to.kty, crv: to.crv, x: to.x, ...(to.y ? { y: to.y } : {}) }, format: 'jwk' });
  return new CompactEncrypt(plaintext).setProtectedHeader({ alg: ALG, enc: ENC, kid: to.kid, cty }).encrypt(key);
}

interface JweParts {
  readonly header: Record<string, unknown>;
  readonly protectedPart: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function parts(jwe: string, field = 'answer', maxBytes = MAX_JWE_BYTES): JweParts {
  if (typeof jwe !== 'string' || jwe.length > maxBytes) throw invalid(field, `must be a compact JWE of at most ${maxBytes} bytes`);
  const split = jwe.split('.');
  if (split.length !== 5) throw invalid(field, 'must be a compact JWE (five parts)');
  const [protectedPart, encryptedKey, iv, ciphertext, tag] = split as [string, string, string, string, string];
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(protectedPart, 'base64url').toString('utf8'));
  } catch {
    throw invalid(field, 'has no JSON protected header');
  }
  if (typeof header !== 'object' || header === null) throw invalid(field, 'has no JSON protected header');
  if (encryptedKey !== '') throw invalid(field, 'must use direct key agreement (ECDH-ES): no encrypted key');
  return { header: header as Record<string, unknown>, protectedPart, iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
}

/** What the hub checks of an answer it relays: the form only (it cannot read it). */
export function assertAnswerJwe(jwe: string, encryptionKid: string): void {
  assertJweTo(jwe, encryptionKid, ANSWER_CTY, { field: 'answer' });
}

/**
 * The form of a JWE encrypted to an agency key (what a relay that cannot read it can check): alg,
 * enc, cty, the key's kid, an ephemeral key, IV and tag lengths.
 * @throws DisclosureError `INVALID_DISCLOSURE` (details.field: `field`)
 */
export function assertJweTo(jwe: string, encryptionKid: string, cty: string, { field, maxBytes = MAX_JWE_BYTES }: { field: string; maxBytes?: number }): void {
  const { header, iv, tag } = parts(jwe, field, maxBytes);
  if (header['alg'] !== ALG || header['enc'] !== ENC || header['cty'] !== cty) throw invalid(field, `must be encrypted with alg ${ALG}, enc ${ENC}, cty ${cty}`);
  if (header['kid'] !== encryptionKid) throw invalid(field, "must be encrypted to the agency's registered encryption key (kid)");
  if (typeof header['epk'] !== 'object' || header['epk'] === null) throw invalid(field, 'has no ephemeral public key (epk)');
  if (iv.length !== 12 || tag.length !== 16) throw invalid(field, 'has an A256GCM IV or tag of the wrong length');
}

function parsePlaintext(bytes: Uint8Array): AnswerPlaintext {
  let value: unknown;
  try {
    value = parseCanonicalJson(bytes);
  } catch {
    throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'the decrypted answer is not RFC 8785 JSON');
  }
  const p = value as Partial<AnswerPlaintext> | null;
  if (p?.v !== 1 || typeof p.requestId !== 'string' || typeof p.member !== 'string' || typeof p.fingerprint !== 'string' || typeof p.identifier?.value !== 'string') {
    throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'the decrypted answer is not an answer record');
  }
  return p as AnswerPlaintext;
}

/** Concat KDF (NIST SP 800-56A §5.8.1, RFC 7518 §4.6.2) for one 256-bit key, as ECDH-ES direct derives the CEK. */
function concatKdf(sharedSecret: Buffer, header: Record<string, unknown>): Buffer {
  const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const field = (b: Buffer): Buffer => Buffer.concat([u32(b.length), b]);
  const party = (v: unknown): Buffer => (typeof v === 'string' ? Buffer.from(v, 'base64url') : Buffer.alloc(0));
  const otherInfo = Buffer.concat([field(Buffer.from(ENC)), field(party(header['apu'])), field(party(header['apv'])), u32(256)]);
  return createHash('sha256').update(Buffer.concat([u32(1), sharedSecret, otherInfo])).digest();
}

/**
 * Decrypts an answer with the agency's private encryption key (PKCS#8 PEM). Returns the answer and
 * the content key of this one message, which opens this ciphertext and no other.
 * @throws DisclosureError `ANSWER_UNDECRYPTABLE`
 */
export async function decryptAnswer(jwe: string, privateKeyPem: string): Promise<{ plaintext: AnswerPlaintext; contentKey: string }> {
  const { plaintext, contentKey } = await decryptWithAgencyKey(jwe, privateKeyPem);
  return { plaintext: parsePlaintext(plaintext), contentKey };
}

/**
 * Decrypts a JWE made by encryptToAgency with the agency's private encryption key (PKCS#8 PEM):
 * its bytes and the content key of this one message.
 * @throws DisclosureError `ANSWER_UNDECRYPTABLE`
 */
export async function decryptWithAgencyKey(jwe: string, privateKeyPem: string, maxBytes = MAX_JWE_BYTES): Promise<{ plaintext: Uint8Array; contentKey: string }> {
  const { header } = parts(jwe, 'answer', maxBytes);
  let privateKey;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (cause) {
    throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'the key file is not a PEM private key', { cause });
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, privateKey, { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] }));
  } catch (cause) {
    throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'the answer does not decrypt with this key: it was encrypted to another agency key', { cause });
  }
  const epk = createPublicKey({ key: header['epk'] as never, format: 'jwk' });
  const contentKey = concatKdf(diffieHellman({ privateKey, publicKey: epk }), header).toString('base64url');
  return { plaintext, contentKey };
}

/**
 * Opens an answer with the content key of that message (from an evidence package), without any
 * private key: AES-256-GCM over the ciphertext with the protected header as additional data.
 * @throws DisclosureError `ANSWER_UNDECRYPTABLE`
 */
export function openWithContentKey(jwe: string, contentKey: string): AnswerPlaintext {
  const { protectedPart, iv, ciphertext, tag } = parts(jwe);
  const key = Buffer.from(contentKey, 'base64url');
  if (key.length !== 32) throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'a content key is 32 bytes of base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(protectedPart, 'ascii'));
    decipher.setAuthTag(tag);
    return parsePlaintext(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (cause) {
    if (cause instanceof DisclosureError) throw cause;
    throw new DisclosureError('ANSWER_UNDECRYPTABLE', 'the content key does not open this answer (or the ciphertext was altered)', { cause });
  }
}

/** The canonical text of a plaintext, for comparing a claimed answer with a decrypted one. */
export const plaintextJson = (p: AnswerPlaintext): string => canonicalJson(p);
