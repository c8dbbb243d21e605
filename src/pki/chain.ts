import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { inspectCertificate } from './certificate.js';
import type { InspectedCertificate, ParsedCertificate } from './certificate.js';
import { PkiError } from './errors.js';
import { createLru } from './lru.js';
import { memberEkuProblem } from './member-eku.js';

/**
 * When (if ever) the certificate `serialHex` issued by the CA with SHA-256 fingerprint
 * `issuerFingerprint` was revoked. A certificate revoked at or before the time being checked is
 * refused (design.md item 2: "revoked at createdAt"). That is a first filter only: createdAt is
 * the signer's claim, and what decides is where the hub logged the batch (revocation-rule.ts).
 */
export type RevocationLookup = (serialHex: string, issuerFingerprint: string) => Date | undefined;

export interface VerifiedChain {
  readonly leaf: ParsedCertificate;
  /** Leaf first, ending with the trust anchor (also when the presenter left the root out). */
  readonly path: readonly ParsedCertificate[];
  readonly anchorFingerprintSha256: string;
  /** For checking the leaf's signature (a JWS) right after. */
  readonly leafPublicKey: KeyObject;
}

export interface ChainCheck {
  /** DER certificates, leaf first; may end with the root or stop just below it. */
  readonly chain: readonly Uint8Array[];
  readonly at: Date;
  readonly isRevoked: RevocationLookup;
}

export interface ChainVerifier {
  /** @throws PkiError `BAD_CERTIFICATE` | `UNTRUSTED_CHAIN` | `CERT_EXPIRED` | `CERT_REVOKED` */
  verify(check: ChainCheck): VerifiedChain;
}

/** Ample for root → intermediate → leaf; stops a hostile x5c from making us walk far. */
export const MAX_CHAIN_LENGTH = 5;
const ACCEPTED_SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
]);
const MIN_RSA_BITS = 2048;

interface TrustedPath {
  readonly certs: readonly InspectedCertificate[];
  readonly verified: VerifiedChain;
}

/**
 * A verifier bound to its trust anchors. Building the path (parsing, signatures up the chain, CA
 * constraints, anchoring) depends only on the chain bytes, so its result is cached by the SHA-256
 * of the concatenated DER; validity and revocation depend on `at` and on the revocation list, so
 * they are checked on every call.
 */
export function createChainVerifier(options: { roots: readonly Uint8Array[]; cacheSize?: number }): ChainVerifier {
  const roots = loadRoots(options.roots);
  const cache = createLru<TrustedPath>(options.cacheSize ?? 1024);
  return {
    verify(check) {
      assertValidDate(check.at);
      const chain = check.chain.map((der) => new Uint8Array(der));
      const key = chainKey(chain);
      const trusted = cache.get(key) ?? cache.set(key, buildTrustedPath(chain, roots));
      checkPathAt(trusted.certs, check.at, check.isRevoked);
      return trusted.verified;
    },
  };
}

/** One-shot form of {@link createChainVerifier} (no cache). */
export function verifyChain(options: ChainCheck & { roots: readonly Uint8Array[] }): VerifiedChain {
  return createChainVerifier({ roots: options.roots, cacheSize: 0 }).verify(options);
}

function untrusted(message: string, details?: Record<string, unknown>): PkiError {
  return new PkiError('UNTRUSTED_CHAIN', message, details === undefined ? {} : { details });
}

function badCertificate(message: string, cert: InspectedCertificate, reason?: string): PkiError {
  return new PkiError('BAD_CERTIFICATE', message, { details: { serialHex: cert.info.serialHex, ...(reason === undefined ? {} : { reason }) } });
}

function assertValidDate(at: Date): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError('`at` must be a valid Date');
}

/** Trust anchors are configuration: a broken one is a startup error, not a per-batch refusal. */
function loadRoots(ders: readonly Uint8Array[]): ReadonlyMap<string, InspectedCertificate> {
  const roots = new Map<string, InspectedCertificate>();
  for (const der of ders) {
    const root = inspectCertificate(der);
    if (!root.info.isCa || !root.x509.verify(root.x509.publicKey)) {
      throw new PkiError('INVALID_CA', 'a trust anchor must be a self-signed CA certificate');
    }
    roots.set(root.info.fingerprintSha256, root);
  }
  return roots;
}

/** Each DER item parsed to its last byte before being cached, so the concatenation splits one way only. */
function chainKey(chain: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const der of chain) hash.update(der);
  return hash.digest('hex');
}

function buildTrustedPath(chain: readonly Uint8Array[], roots: ReadonlyMap<string, InspectedCertificate>): TrustedPath {
  if (chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) {
    throw untrusted(`a chain has 1 to ${MAX_CHAIN_LENGTH} certificates`);
  }
  const presented = chain.map((der) => inspectCertificate(der));
  presented.forEach(assertAcceptable);
  const certs = linkToAnchor(presented, roots);
  assertLeafRole(certs);
  assertIssuerRoles(certs);
  return Object.freeze({ certs, verified: toVerifiedChain(certs) });
}

function toVerifiedChain(certs: readonly InspectedCertificate[]): VerifiedChain {
  const [leaf] = certs;
  const anchor = certs[certs.length - 1];
  if (leaf === undefined || anchor === undefined) throw untrusted('empty path');
  return Object.freeze({
    leaf: leaf.info,
    path: Object.freeze(certs.map((c) => c.info)),
    anchorFingerprintSha256: anchor.info.fingerprintSha256,
    leafPublicKey: leaf.x509.publicKey,
  });
}

/** Algorithm and key-size policy, and RFC 5280 §4.2: refuse critical extensions we do not process. */
function assertAcceptable(cert: InspectedCertificate): void {
  if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(cert.signatureAlgorithmOid)) {
    throw badCertificate(`signature algorithm ${cert.signatureAlgorithmOid} is not accepted`, cert);
  }
  if (cert.rsaModulusBits < MIN_RSA_BITS) throw badCertificate(`RSA keys under ${MIN_RSA_BITS} bits are refused`, cert);
  if (cert.unhandledCriticalExtensions.length > 0) {
    throw badCertificate(`unhandled critical extension ${cert.unhandledCriticalExtensions.join(', ')}`, cert);
  }
}

/**
 * Walks up the presented chain until a trust anchor: either a presented certificate is itself a root
 * (compared by DER fingerprint), or the last presented one was issued by a root. A self-signed
 * certificate that is not a configured root therefore never anchors anything.
 */
function linkToAnchor(
  presented: readonly InspectedCertificate[],
  roots: ReadonlyMap<string, InspectedCertificate>,
): InspectedCertificate[] {
  const path: InspectedCertificate[] = [];
  for (const [index, cert] of presented.entries()) {
    path.push(cert);
    if (roots.has(cert.info.fingerprintSha256)) {
      if (index !== presented.length - 1) throw untrusted('certificates follow the trust anchor');
      return path;
    }
    const next = presented[index + 1];
    if (next === undefined) return [...path, issuingRoot(cert, roots)];
    if (!issuedBy(cert, next)) throw untrusted('a certificate is not signed by the next one in the chain', { index });
  }
  throw untrusted('the chain does not reach a trusted root');
}

function issuingRoot(cert: InspectedCertificate, roots: ReadonlyMap<string, InspectedCertificate>): InspectedCertificate {
  for (const root of roots.values()) if (issuedBy(cert, root)) return root;
  throw untrusted('the chain does not end at a trusted root', { serialHex: cert.info.serialHex });
}

/** OpenSSL's name/AKI/keyUsage match, then the signature itself. */
function issuedBy(child: InspectedCertificate, issuer: InspectedCertificate): boolean {
  try {
    return child.x509.checkIssued(issuer.x509) && child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/** A member signs data, so its certificate must allow digitalSignature and must not be a CA. */
function assertLeafRole(certs: readonly InspectedCertificate[]): void {
  const [leaf] = certs;
  if (leaf === undefined) throw untrusted('empty path');
  if (leaf.info.isCa) throw badCertificate('a CA certificate cannot be the signing certificate', leaf);
  if (!leaf.info.keyUsage?.includes('digitalSignature')) {
    throw badCertificate('the signing certificate lacks the digitalSignature key usage', leaf);
  }
  const eku = memberEkuProblem(leaf.x509.keyUsage);
  if (eku === 'EKU_MISSING') throw badCertificate('the signing certificate lacks the wildintel member-signing extended key usage: have the federation CA issue a new one (wildintel ca sign)', leaf, eku);
  if (eku === 'EKU_TOO_BROAD') throw badCertificate('the signing certificate is also valid for TLS server authentication (or any purpose): a member certificate signs wildintel batches only', leaf, eku);
}

/** Every issuer above the leaf must be a CA allowed to sign certificates, within its pathLen (RFC 5280 §4.2.1.9). */
function assertIssuerRoles(certs: readonly InspectedCertificate[]): void {
  certs.forEach((issuer, index) => {
    if (index === 0) return;
    const intermediatesBelow = index - 1;
    if (!issuer.info.isCa) throw untrusted('an issuing certificate is not a CA', { index });
    if (issuer.info.keyUsage !== undefined && !issuer.info.keyUsage.includes('keyCertSign')) {
      throw untrusted('an issuing certificate lacks the keyCertSign key usage', { index });
    }
    if (issuer.pathLenConstraint !== undefined && intermediatesBelow > issuer.pathLenConstraint) {
      throw untrusted('the chain exceeds a pathLenConstraint', { index });
    }
  });
}

/** The time-dependent half, never cached: validity of every certificate and revocation of every issued one. */
function checkPathAt(certs: readonly InspectedCertificate[], at: Date, isRevoked: RevocationLookup): void {
  certs.forEach((cert, index) => {
    const issuer = certs[index + 1];
    if (issuer !== undefined) assertNotRevoked(cert.info, issuer.info.fingerprintSha256, at, isRevoked);
    assertValidAt(cert.info, at);
  });
}

function assertNotRevoked(cert: ParsedCertificate, issuerFingerprint: string, at: Date, isRevoked: RevocationLookup): void {
  const revokedAt = isRevoked(cert.serialHex, issuerFingerprint);
  if (revokedAt === undefined) return;
  // An unreadable revocation time fails closed.
  if (Number.isNaN(revokedAt.getTime()) || revokedAt.getTime() <= at.getTime()) {
    throw new PkiError('CERT_REVOKED', `certificate ${cert.serialHex} was revoked`, {
      details: { serialHex: cert.serialHex, revokedAt: Number.isNaN(revokedAt.getTime()) ? null : revokedAt.toISOString() },
    });
  }
}

/** RFC 5280 §4.1.2.5: both bounds inclusive. Not-yet-valid shares the code; `details.reason` tells them apart. */
function assertValidAt(cert: ParsedCertificate, at: Date): void {
  const reason = at < cert.notBefore ? 'NOT_YET_VALID' : at > cert.notAfter ? 'EXPIRED' : undefined;
  if (reason === undefined) return;
  throw new PkiError('CERT_EXPIRED', `certificate ${cert.serialHex} is not valid at ${at.toISOString()}`, {
    details: {
      reason,
      serialHex: cert.serialHex,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
    },
  });
}
