/**
 * An independent SD-JWT verifier for the tests: the OpenWallet Foundation's @sd-jwt/core (RFC
 * 9901), with its own PS256 check (node:crypto RSA-PSS against the x5c leaf's key, not jose), so
 * what it accepts owes nothing to src/provenance.
 */
import { X509Certificate, constants, createHash, verify } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';

export function sha256Hasher(data: string | ArrayBuffer, alg: string): Uint8Array {
  if (alg !== 'sha-256') throw new Error(`unexpected _sd_alg ${alg}`);
  return new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : Buffer.from(data)).digest());
}

export function standardSdJwtVerifier(): SDJwtInstance<Record<string, unknown>> {
  return new SDJwtInstance({
    hasher: sha256Hasher,
    verifier: (data, signature) => {
      const header = JSON.parse(Buffer.from(data.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: string; x5c?: string[] };
      if (header.alg !== 'PS256' || header.x5c?.[0] === undefined) return false;
      const key = new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey;
      return verify('sha256', Buffer.from(data), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signature, 'base64url'));
    },
  });
}
