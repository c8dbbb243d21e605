import { spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import forge from 'node-forge';
import { PkiError, createMemberKeyAndCsr, createRootCa, parseCertificate, signMemberCsr } from './index.js';
import type { PkiErrorCode } from './index.js';
import { forgeKeys } from './keys.js';
import { MEMBER_SIGNING_EKU } from './member-eku.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

// RSA-3072 keygen costs ~0.4 s, so the file makes its keys once.
const root = createRootCa({ commonName: 'Fédération wildintel Root', validityYears: 10, now: T0 });
const member = createMemberKeyAndCsr({ member: 'shopmart' });
const memberCertPem = signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0 });

const workDir = mkdtempSync(join(tmpdir(), 'wildintel-pki-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function isPkiError(code: PkiErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PkiError, `expected PkiError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

function openssl(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { cwd: workDir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A CSR built by hand, for requests the normal helper refuses to make. */
function handMadeCsr(options: { cn: string; keyPem?: string; dnsNames?: string[] }): string {
  const keys = forgeKeys(options.keyPem ?? member.keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.forgePublicKey;
  csr.setSubject([{ shortName: 'CN', value: options.cn }]);
  if (options.dnsNames !== undefined) {
    const altNames = options.dnsNames.map((value) => ({ type: 2, value }));
    csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  }
  csr.sign(keys.forgePrivateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

describe('createRootCa', () => {
  const cert = parseCertificate(root.certPem);

  it('makes a self-signed RSA-3072 CA with keyCertSign and cRLSign', () => {
    const x509 = new X509Certificate(root.certPem);
    assert.equal(cert.isCa, true);
    assert.deepEqual(cert.keyUsage, ['keyCertSign', 'cRLSign']);
    assert.equal(cert.subjectCN, 'Fédération wildintel Root');
    assert.equal(x509.verify(x509.publicKey), true);
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
    assert.match(root.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('uses a positive 128-bit serial and the requested lifetime', () => {
    assert.match(cert.serialHex, /^[89a-f][0-9a-f]{31}$/);
    assert.equal(cert.notAfter.toISOString(), '2036-03-01T12:00:00.000Z');
    assert.ok(cert.notBefore <= T0);
  });

  it('marks basicConstraints and keyUsage critical and carries an SKI', () => {
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: root.certPem, encoding: 'utf8' }).stdout;
    assert.match(text, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(text, /Subject Key Identifier/);
  });

  it('refuses an empty common name and a silly lifetime', () => {
    assert.throws(() => createRootCa({ commonName: '', validityYears: 10, now: T0 }), RangeError);
    assert.throws(() => createRootCa({ commonName: 'x', validityYears: 0, now: T0 }), RangeError);
  });
});

describe('createMemberKeyAndCsr', () => {
  it('makes a PKCS#8 key and a CSR with CN and the requested DNS SAN, verifiable by OpenSSL', () => {
    assert.match(member.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    const result = spawnSync('openssl', ['req', '-noout', '-verify', '-text'], { input: member.csrPem, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(`${result.stdout}${result.stderr}`, /verify OK/);
    assert.match(result.stdout, /Subject: CN = shopmart/);
    assert.match(result.stdout, /DNS:shopmart\.members\.wildintel/);
  });

  describe('when the slug is not a member slug', () => {
    for (const slug of ['Shopmart', 'a', '-shop', 'shop_mart', 'shop.mart', `a${'b'.repeat(63)}`]) {
      it(`rejects "${slug}" with INVALID_MEMBER_SLUG`, () => {
        assert.throws(() => createMemberKeyAndCsr({ member: slug }), isPkiError('INVALID_MEMBER_SLUG'));
      });
    }
  });
});

describe('signMemberCsr', () => {
  const cert = parseCertificate(memberCertPem);

  it('issues a certificate naming the member in CN and DNS SAN', () => {
    assert.equal(cert.subjectCN, 'shopmart');
    assert.deepEqual(cert.dnsNames, ['shopmart.members.wildintel']);
    assert.equal(cert.isCa, false);
    assert.deepEqual(cert.keyUsage, ['digitalSignature']);
  });

  it('limits validity to 397 days and backdates notBefore by five minutes', () => {
    assert.equal(cert.notAfter.getTime(), T0.getTime() + 397 * DAY);
    assert.equal(cert.notBefore.getTime(), T0.getTime() - 5 * 60_000);
  });

  it('chains to the root for node:crypto', () => {
    const leaf = new X509Certificate(memberCertPem);
    const ca = new X509Certificate(root.certPem);
    assert.equal(leaf.checkIssued(ca), true);
    assert.equal(leaf.verify(ca.publicKey), true);
  });

  it('is accepted by `openssl verify -x509_strict -CAfile root.pem member.pem`', () => {
    writeFileSync(join(workDir, 'root.pem'), root.certPem);
    writeFileSync(join(workDir, 'member.pem'), memberCertPem);
    const { status, output } = openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'member.pem']);
    assert.equal(status, 0, output);
    assert.match(output, /member\.pem: OK/);
  });

  it('has the extensions OpenSSL expects, critical where required', () => {
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: memberCertPem, encoding: 'utf8' }).stdout;
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /Key Usage: critical\s+Digital Signature/);
    assert.match(text, /Authority Key Identifier/);
    assert.match(text, /Subject Key Identifier/);
    assert.match(text, new RegExp(`X509v3 Extended Key Usage: \\s+${MEMBER_SIGNING_EKU.replace(/\./g, '\\.')}\\s`), 'member signing only, not a TLS certificate');
  });

  it('never outlives its CA', () => {
    const shortRoot = createRootCa({ commonName: 'Short-lived root', validityYears: 1, now: T0 });
    const late = signMemberCsr({ csrPem: member.csrPem, ca: shortRoot, now: new Date(T0.getTime() + 300 * DAY) });
    assert.equal(parseCertificate(late).notAfter.getTime(), parseCertificate(shortRoot.certPem).notAfter.getTime());
  });

  describe('when the CSR signature does not verify', () => {
    it('rejects it with INVALID_CSR', () => {
      const der = Buffer.from(member.csrPem.replace(/-----[^-]+-----|\n/g, ''), 'base64');
      const at = der.indexOf('shopmart');
      der.write('shopmarx', at, 'latin1');
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      assert.throws(() => signMemberCsr({ csrPem: tampered, ca: root, now: T0 }), isPkiError('INVALID_CSR'));
      assert.throws(() => signMemberCsr({ csrPem: tampered, ca: root, now: T0 }), /signature does not verify/);
    });
  });

  describe('when the input is not a CSR', () => {
    it('rejects it with INVALID_CSR', () => {
      assert.throws(() => signMemberCsr({ csrPem: root.certPem, ca: root, now: T0 }), isPkiError('INVALID_CSR'));
      assert.throws(() => signMemberCsr({ csrPem: 'hello', ca: root, now: T0 }), isPkiError('INVALID_CSR'));
    });
  });

  describe('when the CSR names something that is not a member slug', () => {
    it('rejects it with INVALID_MEMBER_SLUG', () => {
      const csrPem = handMadeCsr({ cn: 'Shop_Mart' });
      assert.throws(() => signMemberCsr({ csrPem, ca: root, now: T0 }), isPkiError('INVALID_MEMBER_SLUG'));
    });
  });

  describe('when the CSR requests names other than the member DNS name', () => {
    it('rejects it with INVALID_CSR', () => {
      const csrPem = handMadeCsr({ cn: 'shopmart', dnsNames: ['shopmart.members.wildintel', 'hub.wildintel'] });
      assert.throws(() => signMemberCsr({ csrPem, ca: root, now: T0 }), isPkiError('INVALID_CSR'));
    });
  });

  describe('when the CSR key is under 3072 bits', () => {
    it('rejects it with INVALID_CSR', () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      const csrPem = handMadeCsr({ cn: 'shopmart', keyPem: privateKey });
      assert.throws(() => signMemberCsr({ csrPem, ca: root, now: T0 }), isPkiError('INVALID_CSR'));
    });
  });

  describe('when the issuing certificate is not a usable CA', () => {
    it('rejects a member certificate as issuer with INVALID_CA', () => {
      const ca = { certPem: memberCertPem, keyPem: member.keyPem };
      assert.throws(() => signMemberCsr({ csrPem: member.csrPem, ca, now: T0 }), isPkiError('INVALID_CA'));
    });

    it('rejects a CA key that does not match the CA certificate with INVALID_CA', () => {
      const ca = { certPem: root.certPem, keyPem: member.keyPem };
      assert.throws(() => signMemberCsr({ csrPem: member.csrPem, ca, now: T0 }), isPkiError('INVALID_CA'));
    });

    it('rejects an expired CA with INVALID_CA', () => {
      const now = new Date(T0.getTime() + 11 * 365 * DAY);
      assert.throws(() => signMemberCsr({ csrPem: member.csrPem, ca: root, now }), isPkiError('INVALID_CA'));
    });
  });

  it('refuses a validity over 397 days', () => {
    assert.throws(() => signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0, validityDays: 398 }), RangeError);
  });
});
