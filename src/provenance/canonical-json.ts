import canonicalize from 'canonicalize';
import { ProvenanceError } from './errors.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Deeper than any payload we sign; also ends cycles before the stack does. */
const MAX_DEPTH = 64;

/**
 * RFC 8785 (JCS) text of `value`: sorted keys (UTF-16 code units), ES6 number formatting, minimal
 * escaping. Only JSON data is accepted: plain objects, arrays, strings without lone surrogates,
 * finite numbers, booleans and null. Object properties whose value is `undefined` are omitted (as
 * `JSON.stringify` does, so an unset optional field is simply absent); `undefined` anywhere else,
 * NaN, ±Infinity, bigint, functions, symbols, class instances (Date, Map, Buffer …) and cycles are
 * refused rather than silently coerced, because whatever is signed must read back identically.
 * @throws ProvenanceError `UNENCODABLE_VALUE`
 * @example canonicalJson({ b: [1e30, 4.5], a: 'x' }) === '{"a":"x","b":[1e+30,4.5]}'
 */
export function canonicalJson(value: unknown): string {
  assertEncodable(value, '$', 0);
  const text = encode(value);
  if (text === undefined) throw unencodable('$', 'nothing to encode');
  return text;
}

/** UTF-8 bytes of {@link canonicalJson}: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/**
 * Parses bytes that must already be canonical JSON, e.g. a signed payload or a log entry.
 * Refuses invalid UTF-8, a byte-order mark, invalid JSON and any other spelling of the same
 * value (whitespace, key order, escapes, number forms, duplicate keys).
 * @throws ProvenanceError `NOT_CANONICAL`
 */
export function parseCanonicalJson(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  const value = parseJson(text);
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch (cause) {
    throw notCanonical('the JSON cannot be canonicalized', cause);
  }
  if (canonical !== text) throw notCanonical('the JSON is not in RFC 8785 canonical form');
  return value;
}

function unencodable(path: string, reason: string, cause?: unknown): ProvenanceError {
  return new ProvenanceError('UNENCODABLE_VALUE', `cannot canonicalize ${path}: ${reason}`, {
    details: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function notCanonical(message: string, cause?: unknown): ProvenanceError {
  return new ProvenanceError('NOT_CANONICAL', message, cause === undefined ? {} : { cause });
}

/** The library's own refusals (e.g. lone surrogates) keep the typed error. */
function encode(value: unknown): string | undefined {
  try {
    return canonicalize(value);
  } catch (cause) {
    throw unencodable('$', cause instanceof Error ? cause.message : 'rejected', cause);
  }
}

function assertEncodable(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw unencodable(path, `nested deeper than ${MAX_DEPTH} (or cyclic)`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') return assertWellFormed(value, path);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unencodable(path, `${value} is not a JSON number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (item === undefined) throw unencodable(`${path}[${index}]`, 'undefined in an array');
      assertEncodable(item, `${path}[${index}]`, depth + 1);
    });
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      assertWellFormed(key, path);
      if (item !== undefined) assertEncodable(item, `${path}.${key}`, depth + 1);
    }
    return;
  }
  throw unencodable(path, value === undefined ? 'undefined' : `a ${describe(value)} is not JSON data`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? name : 'object';
}

/** RFC 8785 §3.2.2.2 needs well-formed UTF-16; a lone surrogate has no UTF-8 form. */
function assertWellFormed(text: string, path: string): void {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw unencodable(path, 'lone surrogate in a string');
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, so it fails the comparison instead of vanishing.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw notCanonical('the bytes are not UTF-8', cause);
  }
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw notCanonical('the bytes are not JSON', cause);
  }
}
