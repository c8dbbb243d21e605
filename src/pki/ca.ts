import forge from 'node-forge';
import { buildCertificate, subjectKeyIdentifier, toWholeSecond } from './build-certificate.js';
import { inspectCertificate } from './certificate.js';
import { readMemberCsr } from './csr.js';
import { PkiError } from './errors.js';
import { forgeKeys, generateRsaKeyPair, keyMatchesPublicKey } from './keys.js';
import { memberDnsName } from './member-slug.js';
import { extendedKeyUsageExtension, MEMBER_SIGNING_EKU } from './member-eku.js';

export interface CaMaterial {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

/** CA/Browser Forum ceiling; short-lived member certificates keep revocation lists short. */
export const MAX_MEMBER_VALIDITY_DAYS = 397;
const DAY_MS = 86_400_000;
/** notBefore is backdated by the same 5 min the hub tolerates for batch clocks. */
const BACKDATE_MS = 5 * 60_000;

/**
 * A self-signed federation root: RSA-3072, basicConstraints cA (critical), keyUsage keyCertSign +
 * cRLSign (critical), SKI, random positive 128-bit serial, sha256WithRSAEncryption.
 */
export function createRootCa(options: { commonName: string; validityYears: number; now: Date }): CaMaterial {
  assertCommonName(options.commonName);
  if (!Number.isInteger(options.validityYears) || options.validityYears < 1 || options.validityYears > 30) {
    throw new RangeError('validityYears must be an integer from 1 to 30');
  }
  const keys = generateRsaKeyPair();
  const notAfter = toWholeSecond(options.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.validityYears);
  const certPem = buildCertificate({
    subjectCN: options.commonName,
    publicKey: keys.forgePublicKey,
    issuer: undefined,
    signingKey: keys.forgePrivateKey,
    notBefore: toWholeSecond(new Date(options.now.getTime() - BACKDATE_MS)),
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return { certPem, keyPem: keys.privateKeyPem };
}

/**
 * Issues a member certificate from a CSR: CN = slug, DNS SAN `<slug>.members.wildintel`,
 * keyUsage digitalSignature (critical), basicConstraints cA=false (critical), AKI/SKI, no EKU
 * (members sign JWS, they do not run TLS), validity `validityDays` capped by the CA's own notAfter.
 * @throws PkiError `INVALID_CSR` | `INVALID_MEMBER_SLUG` | `INVALID_CA`
 */
export function signMemberCsr(options: { csrPem: string; ca: CaMaterial; now: Date; validityDays?: number }): string {
  const validityDays = options.validityDays ?? MAX_MEMBER_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_MEMBER_VALIDITY_DAYS) {
    throw new RangeError(`validityDays must be an integer from 1 to ${MAX_MEMBER_VALIDITY_DAYS}`);
  }
  const request = readMemberCsr(options.csrPem);
  const issuer = loadIssuer(options.ca, options.now);
  const notAfter = new Date(Math.min(options.now.getTime() + validityDays * DAY_MS, issuer.cert.validity.notAfter.getTime()));
  return buildCertificate({
    subjectCN: request.slug,
    publicKey: request.publicKey,
    issuer: { cert: issuer.cert },
    signingKey: issuer.privateKey,
    notBefore: toWholeSecond(new Date(options.now.getTime() - BACKDATE_MS)),
    notAfter: toWholeSecond(notAfter),
    extensions: [
      { name: 'basicConstraints', critical: true, cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true },
      extendedKeyUsageExtension([MEMBER_SIGNING_EKU]),
      { name: 'subjectAltName', altNames: [{ type: 2, value: memberDnsName(request.slug) }] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifier(issuer.cert) },
    ],
  });
}

/** The CA must be a CA, allowed to sign certificates, valid now, and hold the matching key. */
function loadIssuer(ca: CaMaterial, now: Date): { cert: forge.pki.Certificate; privateKey: forge.pki.rsa.PrivateKey } {
  const inspected = inspectIssuerCert(ca.certPem);
  const { info } = inspected;
  if (!info.isCa || (info.keyUsage !== undefined && !info.keyUsage.includes('keyCertSign'))) {
    throw new PkiError('INVALID_CA', 'the issuing certificate is not a CA allowed to sign certificates');
  }
  if (now < info.notBefore || now > info.notAfter) throw new PkiError('INVALID_CA', 'the CA certificate is not valid now');
  if (!keyMatches(ca.keyPem, inspected.x509.publicKey)) throw new PkiError('INVALID_CA', 'the CA key does not match its certificate');
  return { cert: forge.pki.certificateFromPem(info.pem), privateKey: forgeKeys(ca.keyPem).forgePrivateKey };
}

function inspectIssuerCert(certPem: string): ReturnType<typeof inspectCertificate> {
  try {
    return inspectCertificate(certPem);
  } catch (cause) {
    throw new PkiError('INVALID_CA', 'the CA certificate cannot be read', { cause });
  }
}

function keyMatches(keyPem: string, publicKey: Parameters<typeof keyMatchesPublicKey>[1]): boolean {
  try {
    return keyMatchesPublicKey(keyPem, publicKey);
  } catch {
    return false;
  }
}

/** X.520 ub-common-name is 64; control characters in a trust anchor's name only cause trouble. */
function assertCommonName(commonName: string): void {
  if (commonName.length === 0 || commonName.length > 64 || /[\u0000-\u001f\u007f]/.test(commonName)) {
    throw new RangeError('commonName must be 1-64 characters without control characters');
  }
}
