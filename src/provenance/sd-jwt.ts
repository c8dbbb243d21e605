import { base64url, sha256Base64url } from '../kernel/index.js';
import { canonicalBytes, type JsonValue } from './canonical-json.js';
import { ProvenanceError } from './errors.js';

/**
 * The part of RFC 9901 (SD-JWT) a signed batch of version 2 uses (design.md item 2b): every item
 * of the batch's disclosable arrays is an array-element digest `{"...": <digest>}` (§4.2.4.2), its
 * disclosure the base64url of `[salt, item]` (§4.2.2), the digest the base64url SHA-256 of the
 * disclosure's ASCII (§4.2.3); the compact form is `<issuer-jwt>~<disclosure>~…~` with no key
 * binding (§4). Pure: the salts come from the caller.
 *
 * Written here rather than taken from @sd-jwt/core, which the tests use as the independent
 * verifier: its issuer serializes the payload with JSON.stringify and appends `_sd_alg` last, so
 * the signed bytes cannot be the RFC 8785 bytes a batch must be (what is signed is what is hashed
 * and stored); and its verifier reports every failure as one untyped exception, where the hub must
 * refuse each kind of malformed batch with its own code and hold salts to 128 bits (which RFC 9901
 * §9.3 only recommends).
 */

/**
 * The payload arrays whose items are disclosed one by one, in the order their disclosures are
 * stored and presented. A new kind of item (say `outcomes`) becomes selectively disclosable by
 * naming its array here and checking its items in batch.ts (as `outcomes` was).
 */
export const DISCLOSED_ARRAYS = ['indicators', 'retractions', 'outcomes'] as const;
export type DisclosedArray = (typeof DISCLOSED_ARRAYS)[number];

/** `_sd_alg` (RFC 9901 §4.1.1): the only digest algorithm a batch uses. */
export const SD_ALG = 'sha-256';
/** RFC 9901 §9.3 recommends 128 bits of salt; the hub requires it. */
export const MIN_SALT_BYTES = 16;
/** Array-element placeholder key (§4.2.4.2) and the object digest list (§4.2.4.1): reserved names. */
export const ARRAY_DIGEST_KEY = '...';
const RESERVED_KEYS = new Set([ARRAY_DIGEST_KEY, '_sd', '_sd_alg']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** One decoder for every disclosure: making one per item costs more than decoding it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A SHA-256 digest in base64url: 32 bytes, 43 characters. */
export const DIGEST = /^[A-Za-z0-9_-]{43}$/;

export interface Disclosure {
  /** base64url of the JSON array `[salt, item]`: exactly what is hashed and presented. */
  readonly disclosure: string;
  readonly digest: string;
}

/** One item resolved from its disclosure. */
export interface DisclosedItem {
  readonly item: JsonValue;
  readonly disclosure: string;
}

/** Each disclosed array's items by position; `undefined` where the presentation withholds the item. */
export type ResolvedArrays = Record<DisclosedArray, Array<DisclosedItem | undefined>>;

/** The array-element disclosure of `item` under `salt` (at least 128 random bits). */
export function discloseItem(salt: Uint8Array, item: unknown): Disclosure {
  if (salt.length < MIN_SALT_BYTES) throw weakSalt();
  // JCS here is a choice, not a rule (any JSON spelling verifies): it refuses what JSON cannot
  // carry faithfully, like the payload does, and makes a disclosure a function of salt and item.
  const disclosure = base64url(canonicalBytes([base64url(salt), item]));
  return { disclosure, digest: disclosureDigest(disclosure) };
}

/** RFC 9901 §4.2.3: the digest is taken over the disclosure's base64url text, not its decoded bytes. */
export function disclosureDigest(disclosure: string): string {
  return sha256Base64url(disclosure);
}

/** Whether a signed batch is an SD-JWT (version 2); a compact JWS cannot hold a `~`. */
export function isSdJwt(signed: string): boolean {
  return signed.includes('~');
}

/** The media type of a signed batch: `application/jose` for a JWS, `application/sd-jwt` (RFC 9901 §11.2.1) for an SD-JWT. */
export function batchMediaType(signed: string): 'application/jose' | 'application/sd-jwt' {
  return isSdJwt(signed) ? 'application/sd-jwt' : 'application/jose';
}

/** The issuer-signed JWT of an SD-JWT (the whole of a version 1 JWS): what a log entry's `jwsSha256` commits to. */
export function issuerJwtOf(signed: string): string {
  const end = signed.indexOf('~');
  return end < 0 ? signed : signed.slice(0, end);
}

/** The compact SD-JWT of `jwt` with these disclosures and no key binding (RFC 9901 §4). */
export function presentSdJwt(jwt: string, disclosures: readonly string[]): string {
  return `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
}

/**
 * Splits a compact SD-JWT (attacker-controlled): the JWT, then disclosures, each followed by `~`.
 * Something after the last `~` would be a key binding JWT, which a batch never carries.
 * @throws ProvenanceError `MALFORMED_SD_JWT` | `MALFORMED_DISCLOSURE`
 */
export function splitSdJwt(text: string): { jwt: string; disclosures: string[] } {
  const parts = text.split('~');
  const keyBinding = parts.pop();
  if (parts.length === 0) throw malformedSdJwt('SEPARATOR', 'an SD-JWT is <issuer-jwt>~<disclosure>~…~');
  if (keyBinding !== '') throw malformedSdJwt('KEY_BINDING', 'a batch carries no key binding JWT: the SD-JWT must end with ~');
  const [jwt = '', ...disclosures] = parts;
  const empty = disclosures.findIndex((d) => d.length === 0);
  if (empty >= 0) throw malformedDisclosure(empty, 'a disclosure is empty (~~)');
  return { jwt, disclosures };
}

/**
 * Decodes one disclosure strictly: canonical base64url of a UTF-8 JSON array of exactly a salt
 * (canonical base64url of at least 128 bits) and a value. Whitespace inside the JSON is allowed,
 * as RFC 9901 §4.2.1 says any JSON encoding is: the digest is over the text as sent.
 * @throws ProvenanceError `MALFORMED_DISCLOSURE` | `WEAK_SALT`
 */
export function decodeDisclosure(disclosure: string, index: number): { salt: string; item: JsonValue } {
  const bytes = Buffer.from(disclosure, 'base64url');
  if (!BASE64URL.test(disclosure) || bytes.toString('base64url') !== disclosure) throw malformedDisclosure(index, 'not canonical base64url');
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch (cause) {
    throw malformedDisclosure(index, 'not UTF-8 JSON', cause);
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') throw malformedDisclosure(index, 'an array element disclosure is [salt, value]');
  const [salt, item] = value as [string, JsonValue];
  if (!BASE64URL.test(salt) || Buffer.from(salt, 'base64url').toString('base64url') !== salt || Buffer.from(salt, 'base64url').length < MIN_SALT_BYTES) throw weakSalt(index);
  const reserved = reservedKeyIn(item, '');
  if (reserved !== undefined) throw malformedDisclosure(index, `the item uses the reserved name ${reserved}`);
  return { salt, item };
}

/**
 * Matches disclosures to the digests of the signed arrays (RFC 9901 §7.1 steps 3–5): every digest
 * appears once, every disclosure once, and every disclosure matches a digest. A digest with no
 * disclosure is a withheld item (`undefined`); whether that is allowed is the caller's to decide.
 * @throws ProvenanceError `DUPLICATE_DIGEST` | `DUPLICATE_DISCLOSURE` | `UNREFERENCED_DISCLOSURE` | `MALFORMED_DISCLOSURE` | `WEAK_SALT`
 */
export function resolveDisclosures(digests: Record<DisclosedArray, readonly string[]>, disclosures: readonly string[]): ResolvedArrays {
  const places = new Map<string, { array: DisclosedArray; index: number }>();
  const resolved = {} as ResolvedArrays;
  for (const array of DISCLOSED_ARRAYS) {
    resolved[array] = digests[array].map(() => undefined);
    digests[array].forEach((digest, index) => {
      if (places.has(digest)) throw new ProvenanceError('DUPLICATE_DIGEST', `${array}[${index}] repeats a digest: each item has its own salt`, { details: { field: `${array}[${index}]` } });
      places.set(digest, { array, index });
    });
  }
  const seen = new Set<string>();
  disclosures.forEach((disclosure, index) => {
    const { item } = decodeDisclosure(disclosure, index);
    const digest = disclosureDigest(disclosure);
    if (seen.has(digest)) throw new ProvenanceError('DUPLICATE_DISCLOSURE', `disclosure ${index} is given twice`, { details: { index } });
    seen.add(digest);
    const place = places.get(digest);
    if (place === undefined) throw new ProvenanceError('UNREFERENCED_DISCLOSURE', `disclosure ${index} matches no digest of the signed payload`, { details: { index } });
    resolved[place.array][place.index] = { item, disclosure };
  });
  return resolved;
}

function reservedKeyIn(value: JsonValue, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of (value as readonly JsonValue[]).entries()) {
      const found = reservedKeyIn(v, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (RESERVED_KEYS.has(key)) return `${path}.${key}`;
    const found = reservedKeyIn(v, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function malformedSdJwt(reason: string, message: string): ProvenanceError {
  return new ProvenanceError('MALFORMED_SD_JWT', message, { details: { reason } });
}

function malformedDisclosure(index: number, message: string, cause?: unknown): ProvenanceError {
  return new ProvenanceError('MALFORMED_DISCLOSURE', `disclosure ${index}: ${message}`, { details: { index }, ...(cause === undefined ? {} : { cause }) });
}

function weakSalt(index?: number): ProvenanceError {
  const where = index === undefined ? '' : `disclosure ${index}: `;
  return new ProvenanceError('WEAK_SALT', `${where}the salt must be canonical base64url of at least ${MIN_SALT_BYTES * 8} bits`, { details: { minBits: MIN_SALT_BYTES * 8, ...(index === undefined ? {} : { index }) } });
}
