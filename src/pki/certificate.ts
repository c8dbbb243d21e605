import { X509Certificate, createHash } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';
import { derToPem, pemToDerCertificate } from './pem.js';
import { assertAscii, readCommonName } from './x509-name.js';

/** RFC 5280 §4.2.1.3 bits, named as forge and OpenSSL name them. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** What the rest of wildintel needs to know about a certificate; the wire form stays in `der`/`pem`. */
export interface ParsedCertificate {
  /** Lower-case hex of the serial number without leading zero bytes (how revocations name it). */
  readonly serialHex: string;
  readonly subjectCN: string | undefined;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** `undefined` when the certificate has no keyUsage extension (RFC 5280: any usage). */
  readonly keyUsage: readonly KeyUsage[] | undefined;
  /** Lower-case hex SHA-256 of the DER. */
  readonly fingerprintSha256: string;
  readonly der: Uint8Array;
  readonly pem: string;
}

/** Internal: what chain verification needs beyond the domain view. Not exported from the context. */
export interface InspectedCertificate {
  readonly info: ParsedCertificate;
  readonly x509: X509Certificate;
  readonly pathLenConstraint: number | undefined;
  readonly signatureAlgorithmOid: string;
  readonly rsaModulusBits: number;
  /** OIDs of critical extensions this code does not process; RFC 5280 §4.2 says refuse them. */
  readonly unhandledCriticalExtensions: readonly string[];
}

/** The shape forge gives parsed extensions; every field is read defensively. */
interface ForgeExtension {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly critical?: unknown;
  readonly [field: string]: unknown;
}

const HANDLED_EXTENSIONS = new Set([
  'basicConstraints',
  'keyUsage',
  'extKeyUsage',
  'subjectAltName',
  'subjectKeyIdentifier',
  'authorityKeyIdentifier',
]);
const DNS_NAME = 2;

export function certFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Parses a certificate given as PEM (exactly one block) or DER.
 * @throws PkiError `BAD_CERTIFICATE` for anything that is not a well-formed RSA X.509 certificate.
 */
export function parseCertificate(input: string | Uint8Array): ParsedCertificate {
  return inspectCertificate(input).info;
}

export function inspectCertificate(input: string | Uint8Array): InspectedCertificate {
  const der = typeof input === 'string' ? decodePem(input) : new Uint8Array(input);
  const cert = decodeForge(der);
  const x509 = decodeNode(der);
  const extensions = uniqueExtensions(cert.extensions as ForgeExtension[] | undefined);
  const basic = findExtension(extensions, 'basicConstraints');
  return {
    info: Object.freeze({
      serialHex: normalizeSerial(cert.serialNumber),
      subjectCN: commonName(cert),
      dnsNames: Object.freeze(dnsNames(findExtension(extensions, 'subjectAltName'))),
      notBefore: cert.validity.notBefore,
      notAfter: cert.validity.notAfter,
      isCa: basic?.cA === true,
      keyUsage: readKeyUsage(findExtension(extensions, 'keyUsage')),
      fingerprintSha256: certFingerprint(der),
      der,
      pem: derToPem(der),
    }),
    x509,
    pathLenConstraint: typeof basic?.pathLenConstraint === 'number' ? basic.pathLenConstraint : undefined,
    signatureAlgorithmOid: readSignatureAlgorithm(cert),
    rsaModulusBits: (cert.publicKey as forge.pki.rsa.PublicKey).n.bitLength(),
    unhandledCriticalExtensions: extensions
      .filter((e) => e.critical === true && !(typeof e.name === 'string' && HANDLED_EXTENSIONS.has(e.name)))
      .map((e) => String(e.id)),
  };
}

function bad(message: string, cause?: unknown): PkiError {
  return new PkiError('BAD_CERTIFICATE', message, cause === undefined ? {} : { cause });
}

function decodePem(text: string): Uint8Array {
  try {
    return pemToDerCertificate(text);
  } catch (cause) {
    throw bad('not a PEM certificate', cause);
  }
}

/** forge refuses trailing bytes and non-RSA keys; both are refusals for us (PS256 needs RSA). */
function decodeForge(der: Uint8Array): forge.pki.Certificate {
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
    return forge.pki.certificateFromAsn1(asn1, false);
  } catch (cause) {
    throw bad('not a DER X.509 certificate with an RSA key', cause);
  }
}

function decodeNode(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch (cause) {
    throw bad('OpenSSL cannot parse the certificate', cause);
  }
}

/** RFC 5280 §4.2: at most one instance of each extension, or readers may disagree on which counts. */
function uniqueExtensions(extensions: readonly ForgeExtension[] | undefined): readonly ForgeExtension[] {
  const ids = (extensions ?? []).map((e) => String(e.id));
  if (new Set(ids).size !== ids.length) throw bad('an extension appears twice');
  return extensions ?? [];
}

function findExtension(extensions: readonly ForgeExtension[], name: string): ForgeExtension | undefined {
  return extensions.find((e) => e.name === name);
}

function normalizeSerial(hex: string): string {
  const trimmed = hex.toLowerCase().replace(/^(?:00)+/, '');
  return trimmed === '' ? '00' : trimmed;
}

/** RFC 5280 requires the inner and outer signature algorithms to agree. */
function readSignatureAlgorithm(cert: forge.pki.Certificate): string {
  if (cert.signatureOid !== cert.siginfo.algorithmOid) throw bad('signature algorithm mismatch');
  return cert.signatureOid;
}

function commonName(cert: forge.pki.Certificate): string | undefined {
  try {
    return readCommonName(cert.subject.attributes);
  } catch (cause) {
    throw bad('unusable subject CN', cause);
  }
}

function dnsNames(san: ForgeExtension | undefined): string[] {
  try {
    return readDnsNames(san);
  } catch (cause) {
    throw bad('unusable subjectAltName', cause);
  }
}

function readDnsNames(san: ForgeExtension | undefined): string[] {
  const altNames = Array.isArray(san?.altNames) ? (san.altNames as ReadonlyArray<{ type?: unknown; value?: unknown }>) : [];
  return altNames.filter((n) => n.type === DNS_NAME).map((n) => assertAscii(typeof n.value === 'string' ? n.value : ''));
}

function readKeyUsage(extension: ForgeExtension | undefined): KeyUsage[] | undefined {
  if (extension === undefined) return undefined;
  return KEY_USAGES.filter((usage) => extension[usage] === true);
}
