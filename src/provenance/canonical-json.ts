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
  try {
    return encodeValue(value, 0);
  } catch (err) {
    if (err instanceof EncodeFailure) throw unencodable(`$${err.segments.reverse().join('')}`, err.reason);
    throw err;
  }
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

/** Why a value cannot be encoded; each enclosing array or object adds its segment of the path as it unwinds. */
class EncodeFailure {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

/**
 * One pass that both checks and writes the JCS text (it runs over every signed payload the hub
 * receives): strings and numbers are written by `JSON.stringify`, which for well-formed strings
 * and finite numbers is exactly RFC 8785 §3.2.2.2–3; object keys are sorted by UTF-16 code units
 * (§3.2.3), which is what `Array.prototype.sort` does by default.
 */
function encodeValue(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new EncodeFailure(`nested deeper than ${MAX_DEPTH} (or cyclic)`);
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw new EncodeFailure('lone surrogate in a string');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new EncodeFailure(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArray(value, depth);
      if (isPlainObject(value)) return encodeObject(value, depth);
  }
  throw new EncodeFailure(value === undefined ? 'undefined' : `a ${describe(value)} is not JSON data`);
}

function encodeArray(items: readonly unknown[], depth: number): string {
  let text = '[';
  for (let index = 0; index < items.length; index += 1) {
    try {
      const item = items[index];
      if (item === undefined) throw new EncodeFailure('undefined in an array');
      text += (index === 0 ? '' : ',') + encodeValue(item, depth + 1);
    } catch (err) {
      if (err instanceof EncodeFailure) err.segments.push(`[${index}]`);
      throw err;
    }
  }
  return `${text}]`;
}

function encodeObject(object: Record<string, unknown>, depth: number): string {
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (hasLoneSurrogate(key)) throw new EncodeFailure('lone surrogate in a key');
    if (item === undefined) continue;
    try {
      text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${encodeValue(item, depth + 1)}`;
    } catch (err) {
      if (err instanceof EncodeFailure) err.segments.push(`.${key}`);
      throw err;
    }
  }
  return `${text}}`;
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

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** RFC 8785 §3.2.2.2 needs well-formed UTF-16; a lone surrogate has no UTF-8 form. */
function hasLoneSurrogate(text: string): boolean {
  return SURROGATE.test(text) && LONE_SURROGATE.test(text);
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
