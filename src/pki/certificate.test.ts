import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PkiError, certFingerprint, derToPem, parseCertificate, pemToDerCertificates } from './index.js';

/** A certificate made by OpenSSL, so parsing is checked against a second implementation. */
function opensslCertificate(args: string[]): string {
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-nodes', '-keyout', '/dev/null', '-days', '30', '-set_serial', '1', ...args],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const rsaPem = opensslCertificate([
  '-newkey', 'rsa:2048',
  '-subj', '/O=Example/CN=acme-shop',
  '-addext', 'subjectAltName=DNS:acme-shop.members.wildintel,DNS:alt.example,email:x@example.org',
  '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
  '-addext', 'basicConstraints=critical,CA:FALSE',
]);
const ecPem = opensslCertificate(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-subj', '/CN=ec']);

function isBadCertificate(error: unknown): boolean {
  assert.ok(error instanceof PkiError);
  assert.equal(error.code, 'BAD_CERTIFICATE');
  return true;
}

describe('parseCertificate', () => {
  const cert = parseCertificate(rsaPem);

  it('reads the fields wildintel uses', () => {
    assert.equal(cert.serialHex, '01');
    assert.equal(cert.subjectCN, 'acme-shop');
    assert.deepEqual(cert.dnsNames, ['acme-shop.members.wildintel', 'alt.example']);
    assert.equal(cert.isCa, false);
    assert.deepEqual(cert.keyUsage, ['digitalSignature', 'keyEncipherment']);
    const x509 = new X509Certificate(rsaPem);
    assert.equal(cert.notBefore.getTime(), new Date(x509.validFrom).getTime());
    assert.equal(cert.notAfter.getTime(), new Date(x509.validTo).getTime());
  });

  it('gives the same result for PEM and DER, and round-trips the PEM', () => {
    const fromDer = parseCertificate(cert.der);
    assert.deepEqual({ ...fromDer }, { ...cert });
    assert.equal(cert.pem, derToPem(cert.der));
    assert.equal(new X509Certificate(cert.pem).fingerprint256, new X509Certificate(rsaPem).fingerprint256);
  });

  it('fingerprints the DER with SHA-256 in lower-case hex', () => {
    const expected = new X509Certificate(rsaPem).fingerprint256.replaceAll(':', '').toLowerCase();
    assert.equal(cert.fingerprintSha256, expected);
    assert.equal(certFingerprint(cert.der), expected);
  });

  it('copies its input, so later changes to the caller buffer do not leak in', () => {
    const bytes = new Uint8Array(cert.der);
    const parsed = parseCertificate(bytes);
    bytes.fill(0);
    assert.equal(certFingerprint(parsed.der), cert.fingerprintSha256);
  });

  describe('when the input is not a single usable certificate', () => {
    it('rejects two PEM blocks with BAD_CERTIFICATE', () => {
      assert.throws(() => parseCertificate(`${rsaPem}${rsaPem}`), isBadCertificate);
    });

    it('rejects a non-RSA certificate with BAD_CERTIFICATE (PS256 needs RSA)', () => {
      assert.throws(() => parseCertificate(ecPem), isBadCertificate);
    });

    it('rejects garbage, truncated DER and trailing bytes with BAD_CERTIFICATE', () => {
      assert.throws(() => parseCertificate('not a certificate'), isBadCertificate);
      assert.throws(() => parseCertificate(cert.der.subarray(0, 100)), isBadCertificate);
      assert.throws(() => parseCertificate(new Uint8Array([...cert.der, 0])), isBadCertificate);
    });
  });
});

describe('pemToDerCertificates', () => {
  it('splits a bundle in order', () => {
    const ders = pemToDerCertificates(`${rsaPem}\n${ecPem}`);
    assert.equal(ders.length, 2);
    assert.equal(certFingerprint(ders[0] ?? new Uint8Array()), parseCertificate(rsaPem).fingerprintSha256);
  });

  it('refuses other PEM blocks, such as a private key', () => {
    assert.throws(() => pemToDerCertificates('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), TypeError);
  });
});
