import { createPrivateKey, createPublicKey } from 'node:crypto';
import { compactVerify, CompactSign } from 'jose';
import { canonicalBytes, parseCanonicalJson } from '../provenance/index.js';
import { publicJwkOf, signingKeyOf, type AgencyKeySet } from './agency-keys.js';
import { DisclosureError, invalid } from './errors.js';
import { parseRequestPayload, REQUEST_TYP, type DisclosureRequestPayload } from './records.js';

const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Signs a request with the agency's own signing key (never the hub's): the hub can relay and log
 * it, but cannot make one up. Header `{"alg","kid","typ":"wildintel-disclosure-request+jws"}`,
 * payload the RFC 8785 bytes of the request.
 */
export async function signDisclosureRequest(payload: DisclosureRequestPayload, signingKeyPem: string): Promise<string> {
  const checked = parseRequestPayload(payload);
  const jwk = await publicJwkOf(signingKeyPem, 'sig');
  return new CompactSign(canonicalBytes(checked)).setProtectedHeader({ alg: jwk.alg, typ: REQUEST_TYP, kid: jwk.kid }).sign(createPrivateKey(signingKeyPem));
}

function badSignature(message: string, cause?: unknown): DisclosureError {
  return new DisclosureError('REQUEST_SIGNATURE', message, cause === undefined ? {} : { cause });
}

function header(jws: string): { alg: string; kid: string } {
  if (typeof jws !== 'string' || jws.length > MAX_REQUEST_BYTES) throw invalid('request', `must be a compact JWS of at most ${MAX_REQUEST_BYTES} bytes`);
  const parts = jws.split('.');
  if (parts.length !== 3) throw invalid('request', 'must be a compact JWS (three parts)');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
  } catch {
    throw invalid('request', 'has no JSON protected header');
  }
  const h = value as Record<string, unknown>;
  const keys = Object.keys(h ?? {}).sort().join(',');
  if (keys !== 'alg,kid,typ' || h['typ'] !== REQUEST_TYP || typeof h['kid'] !== 'string' || typeof h['alg'] !== 'string') {
    throw invalid('request', `must have the protected header {alg, kid, typ: ${REQUEST_TYP}} exactly`);
  }
  return { alg: h['alg'], kid: h['kid'] };
}

/**
 * Verifies a request against the agency's registered keys: header, the registered signing key by
 * kid and alg, the signature, canonical payload, and its form.
 * @throws DisclosureError `INVALID_DISCLOSURE` | `REQUEST_SIGNATURE`
 */
export async function verifyDisclosureRequest(jws: string, keys: AgencyKeySet): Promise<DisclosureRequestPayload> {
  const { alg, kid } = header(jws);
  const signing = signingKeyOf(keys);
  if (kid !== signing.kid || alg !== signing.alg) throw badSignature(`the request is signed by key ${kid.slice(0, 16)}…, not the agency's registered signing key ${signing.kid.slice(0, 16)}…`);
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(jws, createPublicKey({ key: { kty: signing.kty, crv: signing.crv, x: signing.x, ...(signing.y ? { y: signing.y } : {}) }, format: 'jwk' }), { algorithms: [signing.alg] }));
  } catch (cause) {
    throw badSignature("the request's signature does not verify with the agency's signing key", cause);
  }
  let value: unknown;
  try {
    value = parseCanonicalJson(payloadBytes);
  } catch {
    throw invalid('request', 'payload is not RFC 8785 canonical JSON');
  }
  return parseRequestPayload(value);
}
