import forge from 'node-forge';
import { randomSerialHex } from './keys.js';
import { UTF8_STRING_TAG, isUtf8StringField } from './x509-name.js';

/**
 * Internal: the one place certificates are assembled. Exported to the CA code and to this context's
 * tests (which build deliberately wrong certificates with it), never from `index.ts`.
 */
export interface CertificateSpec {
  readonly subjectCN: string;
  readonly publicKey: forge.pki.rsa.PublicKey;
  /** `undefined` for a self-signed certificate; otherwise the issuer as parsed from PEM/DER. */
  readonly issuer: { readonly cert: forge.pki.Certificate } | undefined;
  readonly signingKey: forge.pki.rsa.PrivateKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** forge extension descriptors, e.g. `{ name: 'keyUsage', critical: true, digitalSignature: true }`. */
  readonly extensions: readonly object[];
}

/** Returns the PEM of a sha256WithRSAEncryption certificate with a fresh random serial. */
export function buildCertificate(spec: CertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = randomSerialHex();
  cert.publicKey = spec.publicKey;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  // UTF8String, as RFC 5280 §4.1.2.4 asks of new certificates.
  cert.setSubject([{ type: '2.5.4.3', value: spec.subjectCN, valueTagClass: UTF8_STRING_TAG }]);
  cert.setIssuer(spec.issuer === undefined ? cert.subject.attributes : parsedNameForReuse(spec.issuer.cert));
  cert.setExtensions([...spec.extensions]);
  cert.sign(spec.signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/**
 * forge leaves parsed UTF8String values as raw UTF-8 bytes but UTF-8-encodes them again when it
 * writes a name, so a non-ASCII issuer CN would no longer match the CA's subject byte for byte.
 */
function parsedNameForReuse(cert: forge.pki.Certificate): forge.pki.CertificateField[] {
  return cert.subject.attributes.map((attribute) =>
    isUtf8StringField(attribute) && typeof attribute.value === 'string'
      ? { ...attribute, value: forge.util.decodeUtf8(attribute.value) }
      : attribute,
  );
}

/** The issuer's SKI as forge wants it for the leaf's AKI (binary string), derived if the extension is absent. */
export function subjectKeyIdentifier(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: unknown } | undefined;
  return typeof ext?.subjectKeyIdentifier === 'string'
    ? forge.util.hexToBytes(ext.subjectKeyIdentifier)
    : cert.generateSubjectKeyIdentifier().getBytes();
}

/** X.509 times have second precision; truncating avoids a notBefore that rounds into the future. */
export function toWholeSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
