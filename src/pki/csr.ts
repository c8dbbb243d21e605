import forge from 'node-forge';
import { PkiError } from './errors.js';
import { RSA_MODULUS_BITS, generateRsaKeyPair } from './keys.js';
import { assertMemberSlug, memberDnsName } from './member-slug.js';
import { UTF8_STRING_TAG, readCommonName } from './x509-name.js';

export interface MemberKeyAndCsr {
  /** PKCS#8 PEM; the member node keeps it (mode 0600) and signs batches with it (PS256). */
  readonly keyPem: string;
  readonly csrPem: string;
}

/** What the CA takes from a CSR: only the slug and the key. Everything else it decides itself. */
export interface MemberCsr {
  readonly slug: string;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

const DNS_NAME = 2;

/**
 * A fresh RSA-3072 key and a CSR naming the member in its CN, with the DNS SAN
 * `<slug>.members.wildintel` requested.
 * @throws PkiError `INVALID_MEMBER_SLUG`
 */
export function createMemberKeyAndCsr(options: { member: string }): MemberKeyAndCsr {
  assertMemberSlug(options.member);
  const keys = generateRsaKeyPair();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.forgePublicKey;
  csr.setSubject([{ type: '2.5.4.3', value: options.member, valueTagClass: UTF8_STRING_TAG }]);
  csr.setAttributes([
    {
      name: 'extensionRequest',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: DNS_NAME, value: memberDnsName(options.member) }] }],
    },
  ]);
  csr.sign(keys.forgePrivateKey, forge.md.sha256.create());
  return { keyPem: keys.privateKeyPem, csrPem: forge.pki.certificationRequestToPem(csr) };
}

/**
 * Parses a CSR (attacker-controlled until its signature checks out) and returns slug and key.
 * @throws PkiError `INVALID_CSR` | `INVALID_MEMBER_SLUG`
 */
export function readMemberCsr(csrPem: string): MemberCsr {
  const csr = decodeCsr(csrPem);
  if (!verifies(csr)) throw invalid('the CSR signature does not verify');
  const publicKey = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (publicKey === null || publicKey.n.bitLength() < RSA_MODULUS_BITS) {
    throw invalid(`the CSR key must be RSA with at least ${RSA_MODULUS_BITS} bits`);
  }
  const slug = csrCommonName(csr);
  assertMemberSlug(slug);
  assertRequestedNames(csr, slug);
  return { slug, publicKey };
}

function invalid(message: string, cause?: unknown): PkiError {
  return new PkiError('INVALID_CSR', message, cause === undefined ? {} : { cause });
}

function decodeCsr(csrPem: string): forge.pki.CertificateSigningRequest {
  try {
    return forge.pki.certificationRequestFromPem(csrPem, true);
  } catch (cause) {
    throw invalid('not a PEM PKCS#10 request with an RSA key', cause);
  }
}

function verifies(csr: forge.pki.CertificateSigningRequest): boolean {
  try {
    return csr.verify();
  } catch {
    return false;
  }
}

function csrCommonName(csr: forge.pki.CertificateSigningRequest): string | undefined {
  try {
    return readCommonName(csr.subject.attributes);
  } catch (cause) {
    throw invalid('unusable subject CN', cause);
  }
}

/**
 * The CA never copies requested extensions, but a request for names other than the member's own
 * is a sign of a mix-up (wrong CSR for this member), so it is refused rather than silently narrowed.
 */
function assertRequestedNames(csr: forge.pki.CertificateSigningRequest, slug: string): void {
  const requested = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: unknown } | null;
  const extensions = Array.isArray(requested?.extensions) ? (requested.extensions as Array<{ name?: unknown; altNames?: unknown }>) : [];
  for (const extension of extensions.filter((e) => e.name === 'subjectAltName')) {
    const names = Array.isArray(extension.altNames) ? (extension.altNames as Array<{ type?: unknown; value?: unknown }>) : [];
    if (names.some((n) => n.type !== DNS_NAME || n.value !== memberDnsName(slug))) {
      throw invalid(`the CSR requests names other than ${memberDnsName(slug)}`);
    }
  }
}
