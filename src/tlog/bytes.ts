/**
 * Strict codecs shared by this module (not part of its public surface).
 *
 * Node's `Buffer.from(text, 'base64')` skips characters it does not know and
 * accepts missing padding, so two different strings could name the same bytes.
 * Everything verified here is decoded strictly and canonically instead: the
 * bytes must re-encode to exactly the text that was given.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** Standard base64 (RFC 4648 §4) with padding; `undefined` unless canonical. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

/** base64url (RFC 4648 §5) without padding; `undefined` unless canonical. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A non-negative integer that a JavaScript number holds exactly (≤ 2^53 − 1). */
export function isSafeIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A canonical ASCII decimal (no sign, no leading zeros, no spaces) that is a safe
 * integer; `undefined` otherwise. At most 16 digits are looked at, so a hostile
 * string of a million digits costs nothing.
 */
export function parseCanonicalDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 → string, `undefined` on any invalid sequence (a byte-order mark is kept as text). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True when a string holds an unpaired UTF-16 surrogate, i.e. it has no UTF-8 encoding. */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return true;
    }
  }
  return false;
}
