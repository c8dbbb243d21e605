/**
 * Seller fingerprints (design.md "Seller fingerprint"):
 *
 *   fp1.<keyId>.<base64url(HMAC-SHA256(K, kind ":" canonical(identifier)))>
 *
 * Every member must derive the same bytes from the same seller, so the
 * canonical forms below are part of the federation format. Pure: the key of
 * epoch `keyId` is passed in by the node, which alone holds it.
 */
import { createHmac } from 'node:crypto';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js';
import { InvalidIdentifierError, InvalidIndicatorError, InvalidPseudonymKeyError } from './errors.js';

export const SELLER_IDENTIFIER_KINDS = ['phone', 'email', 'account', 'chat', 'payment', 'url'] as const;
export type SellerIdentifierKind = (typeof SELLER_IDENTIFIER_KINDS)[number];

export interface SellerIdentifier {
  kind: SellerIdentifierKind;
  /** Raw personal data: never logged, never put in an error. */
  value: string;
}

export interface PseudonymKey {
  /** Epoch name of the federation pseudonym key; see KEY_ID. */
  keyId: string;
  /** At least 32 bytes (HMAC-SHA256's block of security). */
  key: Uint8Array;
}

export interface FingerprintOptions {
  /** ISO 3166-1 alpha-2 region for phone numbers written without a country code, e.g. `CN`. */
  defaultRegion?: CountryCode;
}

export interface SellerFingerprintParts {
  keyId: string;
  /** The 32-byte HMAC. */
  digest: Uint8Array;
}

/**
 * keyId grammar: 1–32 of lower-case ASCII letters, digits and `-`, starting with a
 * letter or digit (e.g. `2026-01`, `e1`). No `.`, so the fingerprint splits unambiguously.
 */
const KEY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** 43 base64url characters without padding = 32 bytes. */
const FINGERPRINT = /^fp1\.(?<keyId>[a-z0-9][a-z0-9-]{0,31})\.(?<encoded>[A-Za-z0-9_-]{43})$/;
const MIN_KEY_BYTES = 32;
/** Longer raw identifiers are not identifiers; bounds the work on attacker-sized input. */
const MAX_IDENTIFIER_LENGTH = 1024;
/** A pragmatic shape check, not RFC 5322: one `@`, no white space, a dotted domain. */
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/u;
const MAX_EMAIL_LENGTH = 254;

function parsePhone(value: string, defaultRegion: CountryCode | undefined): PhoneNumber {
  try {
    // extract: false — the whole value must be the number, not text around one.
    return parsePhoneNumberWithError(value, { defaultCountry: defaultRegion, extract: false });
  } catch (cause) {
    // The library's messages are codes such as NOT_A_NUMBER or INVALID_COUNTRY; they never echo the input.
    const code = cause instanceof Error ? cause.message : 'unparseable';
    throw new InvalidIdentifierError('value', `not a phone number (${code})`, { cause });
  }
}

function canonicalPhone(value: string, defaultRegion: CountryCode | undefined): string {
  const parsed = parsePhone(value, defaultRegion);
  // The default "min" metadata checks length and leading digits per country, not every
  // digit: a newly allocated number range must not be refused by stale metadata.
  if (!parsed.isValid()) throw new InvalidIdentifierError('value', 'not a valid phone number for its country');
  return parsed.number; // E.164, without any extension
}

function canonicalEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new InvalidIdentifierError('value', 'not an e-mail address');
  }
  return email;
}

/** What a reader cannot see: white space, controls, format characters (ZWSP, bidi marks), default-ignorables (Hangul fillers, variation selectors). */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

function canonicalOther(value: string): string {
  const canonical = value.normalize('NFKC').trim().toLowerCase();
  if (canonical === '') throw new InvalidIdentifierError('value', 'empty after trimming');
  // Checked, not stripped: the canonical form is fixed by the federation format. An account of
  // zero-width characters alone would give every seller who picked one the same pseudonym.
  if (canonical.replace(INVISIBLE, '') === '') throw new InvalidIdentifierError('value', 'made only of invisible characters');
  return canonical;
}

/**
 * The canonical form that is hashed: E.164 for phones, trimmed lower case for
 * e-mail, NFKC + trim + lower case otherwise. Throws INVALID_IDENTIFIER.
 */
export function canonicalIdentifier(identifier: SellerIdentifier, options: FingerprintOptions = {}): string {
  if (!(SELLER_IDENTIFIER_KINDS as readonly string[]).includes(identifier.kind)) {
    throw new InvalidIdentifierError('kind', `must be one of ${SELLER_IDENTIFIER_KINDS.join(', ')}`);
  }
  if (typeof identifier.value !== 'string' || identifier.value.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidIdentifierError('value', `must be a string of at most ${MAX_IDENTIFIER_LENGTH} characters`);
  }
  switch (identifier.kind) {
    case 'phone':
      return canonicalPhone(identifier.value, options.defaultRegion);
    case 'email':
      return canonicalEmail(identifier.value);
    default:
      return canonicalOther(identifier.value);
  }
}

export function assertPseudonymKey(key: PseudonymKey): void {
  if (!KEY_ID.test(key.keyId)) throw new InvalidPseudonymKeyError('keyId', 'must match [a-z0-9][a-z0-9-]{0,31}');
  if (!(key.key instanceof Uint8Array) || key.key.length < MIN_KEY_BYTES) {
    throw new InvalidPseudonymKeyError('key', `must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

/**
 * The seller's pseudonym under the federation key of epoch `key.keyId`.
 * @example computeSellerFingerprint({ kind: 'phone', value: '13800138000' }, key, { defaultRegion: 'CN' })
 *   // 'fp1.2026-01.<43 base64url chars>'
 */
export function computeSellerFingerprint(
  identifier: SellerIdentifier,
  key: PseudonymKey,
  options: FingerprintOptions = {},
): string {
  assertPseudonymKey(key);
  const message = `${identifier.kind}:${canonicalIdentifier(identifier, options)}`;
  const digest = createHmac('sha256', key.key).update(message, 'utf8').digest('base64url');
  return `fp1.${key.keyId}.${digest}`;
}

/**
 * Splits and checks a published fingerprint. Strict: the digest must be the
 * canonical unpadded base64url of exactly 32 bytes. Throws INVALID_INDICATOR on `value`.
 */
export function parseSellerFingerprint(value: string): SellerFingerprintParts {
  const { keyId, encoded } = FINGERPRINT.exec(value)?.groups ?? {};
  if (keyId === undefined || encoded === undefined) {
    throw new InvalidIndicatorError('value', 'must be fp1.<keyId>.<43 base64url characters>');
  }
  const digest = Buffer.from(encoded, 'base64url');
  // The last character carries 2 unused bits; only one spelling per digest is accepted.
  if (digest.length !== 32 || digest.toString('base64url') !== encoded) {
    throw new InvalidIndicatorError('value', 'fingerprint digest is not canonical base64url of 32 bytes');
  }
  return { keyId, digest: new Uint8Array(digest) };
}
