import { MAX_CHAIN_LENGTH } from '../pki/index.js';
import { ProvenanceError } from './errors.js';

/** The protected header of a signed batch, exactly (design.md item 2). */
export const BATCH_JWS_ALG = 'PS256';
export const BATCH_JWS_TYP = 'wildintel-batch+jws';
/** The issuer-signed JWT of a version 2 batch (design.md item 2b). */
export const BATCH_SD_JWT_TYP = 'wildintel-batch+sd-jwt';

export interface ParsedBatchJws {
  /** DER certificates from `x5c`, leaf first. */
  readonly x5c: readonly Uint8Array[];
  readonly payloadBytes: Uint8Array;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEADER_FIELDS = ['alg', 'typ', 'x5c'];
/** Certificates are a few KiB; 64 KiB of header is already generous. */
const MAX_HEADER_BYTES = 65_536;

/**
 * Strict parse of a batch in JWS Compact Serialization (RFC 7515 §7.1). Everything here is
 * attacker-controlled and unauthenticated: three parts, canonical unpadded base64url in each,
 * a header that is a JSON object with exactly `alg` = PS256, `typ` = wildintel-batch+jws and a
 * non-empty `x5c` of canonical base64 (RFC 7515 §4.1.6: standard, padded) DER. Other records a
 * member signs the same way (disclosure steps) pass their own `typ`.
 * @throws ProvenanceError `MALFORMED_JWS` with `details.reason`
 */
export function parseBatchJws(jws: unknown, maxBytes: number, typ: string = BATCH_JWS_TYP): ParsedBatchJws {
  if (typeof jws !== 'string') throw malformed('NOT_A_STRING', 'a compact JWS is a string');
  if (jws.length > maxBytes) throw malformed('TOO_LARGE', `the JWS exceeds ${maxBytes} bytes`);
  const parts = jws.split('.');
  if (parts.length !== 3) throw malformed('PARTS', 'a compact JWS has exactly three parts');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  if (headerPart.length > MAX_HEADER_BYTES) throw malformed('HEADER_TOO_LARGE', 'the protected header is too large');
  const header = decodeHeader(decodeBase64url(headerPart, 'header'), typ);
  const payloadBytes = decodeBase64url(payloadPart, 'payload');
  decodeBase64url(signaturePart, 'signature');
  return { x5c: readX5c(header.x5c), payloadBytes };
}

export function malformed(reason: string, message: string, cause?: unknown): ProvenanceError {
  return new ProvenanceError('MALFORMED_JWS', message, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

/** Canonical base64url only: the alphabet, no padding, and no stray bits in the last character. */
function decodeBase64url(part: string, name: string): Uint8Array {
  const bytes = Buffer.from(part, 'base64url');
  if (part.length === 0 || !BASE64URL.test(part) || bytes.toString('base64url') !== part) {
    throw malformed('BASE64URL', `the ${name} is not canonical non-empty base64url`);
  }
  return new Uint8Array(bytes);
}

function decodeHeader(bytes: Uint8Array, typ: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch (cause) {
    throw malformed('HEADER_JSON', 'the protected header is not UTF-8 JSON', cause);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw malformed('HEADER_JSON', 'the protected header is not a JSON object');
  }
  const keys = Object.keys(header).sort();
  if (keys.length !== HEADER_FIELDS.length || keys.some((key, i) => key !== HEADER_FIELDS[i])) {
    throw malformed('HEADER_FIELDS', 'the protected header must hold exactly alg, typ and x5c');
  }
  const fields = header as Record<string, unknown>;
  if (fields.alg !== BATCH_JWS_ALG) throw malformed('ALG', `alg must be ${BATCH_JWS_ALG}`);
  if (fields.typ !== typ) throw malformed('TYP', `typ must be ${typ}`);
  return fields;
}

function readX5c(x5c: unknown): Uint8Array[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN_LENGTH) {
    throw malformed('X5C', `x5c must be an array of 1 to ${MAX_CHAIN_LENGTH} certificates`);
  }
  return x5c.map((item: unknown) => {
    const bytes = typeof item === 'string' && BASE64.test(item) ? Buffer.from(item, 'base64') : undefined;
    if (typeof item !== 'string' || bytes === undefined || bytes.length === 0 || bytes.toString('base64') !== item) {
      throw malformed('X5C', 'x5c items must be canonical base64 DER');
    }
    return new Uint8Array(bytes);
  });
}
