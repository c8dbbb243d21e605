import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** Federation policy for keys this code creates or certifies (PS256 with RSA-3072). */
export const RSA_MODULUS_BITS = 3072;

export interface RsaKeyPair {
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`), what `jose.importPKCS8` expects. */
  readonly privateKeyPem: string;
  readonly forgePrivateKey: forge.pki.rsa.PrivateKey;
  readonly forgePublicKey: forge.pki.rsa.PublicKey;
}

/** OpenSSL keygen (about 0.4 s for 3072 bits) rather than forge's much slower pure-JS path. */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, ...forgeKeys(privateKey) };
}

/** Throws for anything that is not an unencrypted RSA private key in PEM. */
export function forgeKeys(privateKeyPem: string): Omit<RsaKeyPair, 'privateKeyPem'> {
  const forgePrivateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  return { forgePrivateKey, forgePublicKey: forge.pki.setRsaPublicKey(forgePrivateKey.n, forgePrivateKey.e) };
}

/**
 * A positive 128-bit serial (CA/B BR §7.1: at least 64 random bits). The top bit is forced on, so
 * the DER INTEGER is always 17 bytes (00 + 16) and the hex is always 32 characters, minimally encoded.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) | 0x80;
  return `00${bytes.toString('hex')}`;
}

/** True when the private key PEM and the certificate's public key are the same key pair. */
export function keyMatchesPublicKey(privateKeyPem: string, publicKey: KeyObject): boolean {
  const derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return derived.equals(publicKey.export({ type: 'spki', format: 'der' }));
}
