import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import forge from 'node-forge';
import { buildCertificate, subjectKeyIdentifier } from './build-certificate.js';
import { PkiError, createChainVerifier, createMemberKeyAndCsr, createRootCa, parseCertificate, signMemberCsr, verifyChain } from './index.js';
import type { CaMaterial, PkiErrorCode, RevocationLookup } from './index.js';
import { forgeKeys } from './keys.js';
import { extendedKeyUsageExtension, MEMBER_SIGNING_EKU } from './member-eku.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const never: RevocationLookup = () => undefined;

// Three RSA-3072 keys for the whole file; every other certificate reuses them.
const rootA = createRootCa({ commonName: 'wildintel Root A', validityYears: 10, now: T0 });
const rootB = createRootCa({ commonName: 'wildintel Root B', validityYears: 10, now: T0 });
const member = createMemberKeyAndCsr({ member: 'shopmart' });
const der = (pem: string): Uint8Array => parseCertificate(pem).der;
const fingerprint = (pem: string): string => parseCertificate(pem).fingerprintSha256;

const leafA = signMemberCsr({ csrPem: member.csrPem, ca: rootA, now: T0 });
const leafB = signMemberCsr({ csrPem: member.csrPem, ca: rootB, now: T0 });
const shortLeaf = signMemberCsr({ csrPem: member.csrPem, ca: rootA, now: T0, validityDays: 1 });

const LEAF_EXTENSIONS = [
  { name: 'basicConstraints', critical: true, cA: false },
  { name: 'keyUsage', critical: true, digitalSignature: true },
  extendedKeyUsageExtension([MEMBER_SIGNING_EKU]),
  { name: 'subjectAltName', altNames: [{ type: 2, value: 'shopmart.members.wildintel' }] },
];

/** Builds a certificate with the file's keys; `issuer` undefined means self-signed. */
function craft(options: {
  cn?: string;
  subjectKeyPem: string;
  issuer?: CaMaterial;
  extensions?: object[];
  notBefore?: Date;
  notAfter?: Date;
}): string {
  const issuerCert = options.issuer === undefined ? undefined : forge.pki.certificateFromPem(options.issuer.certPem);
  const aki = issuerCert === undefined ? [] : [{ name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifier(issuerCert) }];
  return buildCertificate({
    subjectCN: options.cn ?? 'shopmart',
    publicKey: forgeKeys(options.subjectKeyPem).forgePublicKey,
    issuer: issuerCert === undefined ? undefined : { cert: issuerCert },
    signingKey: forgeKeys(options.issuer?.keyPem ?? options.subjectKeyPem).forgePrivateKey,
    notBefore: options.notBefore ?? at(-60_000),
    notAfter: options.notAfter ?? at(30 * DAY),
    extensions: [...(options.extensions ?? LEAF_EXTENSIONS), { name: 'subjectKeyIdentifier' }, ...aki],
  });
}

const caExtensions = (pathLenConstraint?: number): object[] => [
  { name: 'basicConstraints', critical: true, cA: true, ...(pathLenConstraint === undefined ? {} : { pathLenConstraint }) },
  { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
];

// An intermediate under root A that holds root B's key (keys are reused, names differ).
const intermediate = { certPem: craft({ cn: 'wildintel Intermediate', subjectKeyPem: rootB.keyPem, issuer: rootA, extensions: caExtensions() }), keyPem: rootB.keyPem };
const leafViaIntermediate = craft({ subjectKeyPem: member.keyPem, issuer: intermediate });

function isPkiError(code: PkiErrorCode, details?: Record<string, unknown>): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PkiError, `expected PkiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const [key, value] of Object.entries(details ?? {})) assert.equal(error.details?.[key], value);
    return true;
  };
}

function check(chain: string[], options: { at?: Date; isRevoked?: RevocationLookup; roots?: string[] } = {}) {
  return verifyChain({
    chain: chain.map(der),
    roots: (options.roots ?? [rootA.certPem]).map(der),
    at: options.at ?? at(DAY),
    isRevoked: options.isRevoked ?? never,
  });
}

describe('verifyChain', () => {
  describe('when the chain is sound', () => {
    it('accepts a leaf alone and returns the path up to the root', () => {
      const verified = check([leafA]);
      assert.equal(verified.leaf.subjectCN, 'shopmart');
      assert.deepEqual(verified.path.map((c) => c.fingerprintSha256), [fingerprint(leafA), fingerprint(rootA.certPem)]);
      assert.equal(verified.anchorFingerprintSha256, fingerprint(rootA.certPem));
      assert.equal(verified.leafPublicKey.asymmetricKeyType, 'rsa');
    });

    it('accepts a chain that includes the root', () => {
      assert.equal(check([leafA, rootA.certPem]).path.length, 2);
    });

    it('accepts a chain through an intermediate, with or without the root', () => {
      assert.equal(check([leafViaIntermediate, intermediate.certPem]).path.length, 3);
      assert.equal(check([leafViaIntermediate, intermediate.certPem, rootA.certPem]).path.length, 3);
    });

    it('accepts whichever of several roots issued the chain', () => {
      assert.equal(check([leafB], { roots: [rootA.certPem, rootB.certPem] }).anchorFingerprintSha256, fingerprint(rootB.certPem));
    });
  });

  describe('when the chain does not reach a trusted root', () => {
    it('rejects a chain from another CA with UNTRUSTED_CHAIN', () => {
      assert.throws(() => check([leafB]), isPkiError('UNTRUSTED_CHAIN'));
      assert.throws(() => check([leafB, rootB.certPem]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects a self-signed leaf that is not a root with UNTRUSTED_CHAIN', () => {
      const selfSigned = craft({ subjectKeyPem: member.keyPem });
      assert.equal(new X509Certificate(selfSigned).verify(new X509Certificate(selfSigned).publicKey), true);
      assert.throws(() => check([selfSigned]), isPkiError('UNTRUSTED_CHAIN'));
      assert.throws(() => check([selfSigned, selfSigned]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects a leaf whose intermediate is missing with UNTRUSTED_CHAIN', () => {
      assert.throws(() => check([leafViaIntermediate]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects certificates after the trust anchor with UNTRUSTED_CHAIN', () => {
      assert.throws(() => check([leafA, rootA.certPem, rootB.certPem]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects a chain in the wrong order with UNTRUSTED_CHAIN', () => {
      assert.throws(() => check([intermediate.certPem, leafViaIntermediate]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects an issuer that is not a CA with UNTRUSTED_CHAIN', () => {
      const notCa = { certPem: craft({ cn: 'not a CA', subjectKeyPem: rootB.keyPem, issuer: rootA, extensions: [] }), keyPem: rootB.keyPem };
      const leaf = craft({ subjectKeyPem: member.keyPem, issuer: notCa });
      assert.throws(() => check([leaf, notCa.certPem]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects a leaf used as an issuer with UNTRUSTED_CHAIN', () => {
      const leaf = craft({ cn: 'other-member', subjectKeyPem: rootB.keyPem, issuer: { certPem: leafA, keyPem: member.keyPem } });
      assert.throws(() => check([leaf, leafA]), isPkiError('UNTRUSTED_CHAIN'));
    });

    it('rejects a chain longer than an intermediate pathLenConstraint allows with UNTRUSTED_CHAIN', () => {
      const capped = { certPem: craft({ cn: 'capped', subjectKeyPem: rootB.keyPem, issuer: rootA, extensions: caExtensions(0) }), keyPem: rootB.keyPem };
      const below = { certPem: craft({ cn: 'below', subjectKeyPem: member.keyPem, issuer: capped, extensions: caExtensions() }), keyPem: member.keyPem };
      const leaf = craft({ subjectKeyPem: member.keyPem, issuer: below });
      assert.throws(() => check([leaf, below.certPem, capped.certPem]), isPkiError('UNTRUSTED_CHAIN'));
      assert.equal(check([craft({ subjectKeyPem: member.keyPem, issuer: capped }), capped.certPem]).path.length, 3);
    });

    it('rejects an empty or overlong chain with UNTRUSTED_CHAIN', () => {
      assert.throws(() => check([]), isPkiError('UNTRUSTED_CHAIN'));
      assert.throws(() => check(Array.from({ length: 6 }, () => leafA)), isPkiError('UNTRUSTED_CHAIN'));
    });
  });

  describe('when a certificate is unfit for its place', () => {
    it('rejects a CA certificate as the signing certificate with BAD_CERTIFICATE', () => {
      assert.throws(() => check([rootA.certPem]), isPkiError('BAD_CERTIFICATE'));
      assert.throws(() => check([intermediate.certPem]), isPkiError('BAD_CERTIFICATE'));
    });

    it('rejects a leaf without the digitalSignature key usage with BAD_CERTIFICATE', () => {
      const encipherOnly = craft({
        subjectKeyPem: member.keyPem,
        issuer: rootA,
        extensions: [{ name: 'basicConstraints', critical: true, cA: false }, { name: 'keyUsage', critical: true, keyEncipherment: true }],
      });
      const noKeyUsage = craft({ subjectKeyPem: member.keyPem, issuer: rootA, extensions: [] });
      assert.throws(() => check([encipherOnly]), isPkiError('BAD_CERTIFICATE'));
      assert.throws(() => check([noKeyUsage]), isPkiError('BAD_CERTIFICATE'));
    });

    it('rejects an unknown critical extension with BAD_CERTIFICATE (RFC 5280 §4.2)', () => {
      const odd = { id: '1.3.6.1.4.1.55555.1', critical: true, value: '\u0005\u0000' };
      const leaf = craft({ subjectKeyPem: member.keyPem, issuer: rootA, extensions: [...LEAF_EXTENSIONS, odd] });
      assert.throws(() => check([leaf]), isPkiError('BAD_CERTIFICATE'));
    });

    it('rejects a certificate with the same extension twice with BAD_CERTIFICATE (RFC 5280 §4.2)', () => {
      const twice = [...LEAF_EXTENSIONS, { name: 'keyUsage', critical: false, keyCertSign: true }];
      const leaf = craft({ subjectKeyPem: member.keyPem, issuer: rootA, extensions: twice });
      assert.throws(() => check([leaf]), isPkiError('BAD_CERTIFICATE'));
    });

    it('rejects bytes that are not a certificate with BAD_CERTIFICATE', () => {
      const roots = [der(rootA.certPem)];
      const garbage = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
      const trailing = new Uint8Array([...der(leafA), 0x00]);
      for (const chain of [[garbage], [trailing]]) {
        assert.throws(() => verifyChain({ chain, roots, at: at(DAY), isRevoked: never }), isPkiError('BAD_CERTIFICATE'));
      }
    });
  });

  describe('when a certificate is not valid at the time checked', () => {
    it('rejects an expired leaf with CERT_EXPIRED', () => {
      assert.throws(() => check([shortLeaf], { at: at(2 * DAY) }), isPkiError('CERT_EXPIRED', { reason: 'EXPIRED' }));
    });

    it('rejects a leaf that is not yet valid with CERT_EXPIRED', () => {
      assert.throws(() => check([leafA], { at: at(-3_600_000) }), isPkiError('CERT_EXPIRED', { reason: 'NOT_YET_VALID' }));
    });

    it('accepts both ends of the validity period (RFC 5280: inclusive)', () => {
      const { notBefore, notAfter } = parseCertificate(shortLeaf);
      assert.equal(check([shortLeaf], { at: notBefore }).leaf.serialHex, parseCertificate(shortLeaf).serialHex);
      assert.equal(check([shortLeaf], { at: notAfter }).leaf.serialHex, parseCertificate(shortLeaf).serialHex);
      assert.throws(() => check([shortLeaf], { at: new Date(notAfter.getTime() + 1) }), isPkiError('CERT_EXPIRED'));
    });

    it('rejects a valid leaf under an expired root with CERT_EXPIRED', () => {
      const longLeaf = craft({ subjectKeyPem: member.keyPem, issuer: rootA, notAfter: at(20 * 365 * DAY) });
      const rootSerial = parseCertificate(rootA.certPem).serialHex;
      assert.throws(() => check([longLeaf], { at: at(11 * 365 * DAY) }), isPkiError('CERT_EXPIRED', { serialHex: rootSerial }));
    });
  });

  describe('when a certificate is revoked', () => {
    const leaf = parseCertificate(leafA);
    const revokedAt = (when: Date): RevocationLookup => (serial, issuer) =>
      serial === leaf.serialHex && issuer === fingerprint(rootA.certPem) ? when : undefined;

    it('rejects it if revoked before the time checked with CERT_REVOKED', () => {
      assert.throws(() => check([leafA], { at: at(DAY), isRevoked: revokedAt(at(DAY / 2)) }), isPkiError('CERT_REVOKED'));
    });

    it('rejects it if revoked at exactly the time checked with CERT_REVOKED', () => {
      assert.throws(() => check([leafA], { at: at(DAY), isRevoked: revokedAt(at(DAY)) }), isPkiError('CERT_REVOKED'));
    });

    it('accepts it if revoked only after the time checked', () => {
      assert.equal(check([leafA], { at: at(DAY), isRevoked: revokedAt(at(2 * DAY)) }).leaf.serialHex, leaf.serialHex);
    });

    it('fails closed on an unreadable revocation time', () => {
      assert.throws(() => check([leafA], { isRevoked: revokedAt(new Date(Number.NaN)) }), isPkiError('CERT_REVOKED'));
    });

    it('rejects a chain whose intermediate is revoked with CERT_REVOKED', () => {
      const inter = parseCertificate(intermediate.certPem);
      const isRevoked: RevocationLookup = (serial, issuer) =>
        serial === inter.serialHex && issuer === fingerprint(rootA.certPem) ? T0 : undefined;
      assert.throws(() => check([leafViaIntermediate, intermediate.certPem], { isRevoked }), isPkiError('CERT_REVOKED'));
    });

    it('asks about every issued certificate with its issuer fingerprint, never about the root', () => {
      const asked: string[] = [];
      check([leafViaIntermediate, intermediate.certPem], { isRevoked: (serial, issuer) => void asked.push(`${serial}@${issuer}`) });
      assert.deepEqual(asked, [
        `${parseCertificate(leafViaIntermediate).serialHex}@${fingerprint(intermediate.certPem)}`,
        `${parseCertificate(intermediate.certPem).serialHex}@${fingerprint(rootA.certPem)}`,
      ]);
    });
  });

  describe('when the trust anchors are misconfigured', () => {
    it('refuses a non-CA root with INVALID_CA', () => {
      assert.throws(() => createChainVerifier({ roots: [der(leafA)] }), isPkiError('INVALID_CA'));
    });
  });
});

describe('createChainVerifier', () => {
  /** Counts signature checks made through node:crypto while `run` executes. */
  function countSignatureChecks(run: () => void): number {
    const original = X509Certificate.prototype.verify;
    let count = 0;
    X509Certificate.prototype.verify = function counted(this: X509Certificate, key) {
      count += 1;
      return original.call(this, key);
    };
    try {
      run();
    } finally {
      X509Certificate.prototype.verify = original;
    }
    return count;
  }

  it('checks signatures up the chain once per distinct chain', () => {
    const verifier = createChainVerifier({ roots: [der(rootA.certPem)] });
    const chain = [der(leafViaIntermediate), der(intermediate.certPem)];
    assert.equal(countSignatureChecks(() => verifier.verify({ chain, at: at(DAY), isRevoked: never })), 2);
    assert.equal(countSignatureChecks(() => verifier.verify({ chain, at: at(2 * DAY), isRevoked: never })), 0);
  });

  it('forgets the least recently used chain beyond its capacity', () => {
    const verifier = createChainVerifier({ roots: [der(rootA.certPem)], cacheSize: 1 });
    const run = (pem: string) => () => void verifier.verify({ chain: [der(pem)], at: at(DAY / 2), isRevoked: never });
    assert.deepEqual([run(leafA), run(shortLeaf), run(shortLeaf), run(leafA)].map(countSignatureChecks), [1, 1, 0, 1]);
  });

  it('still enforces validity and revocation on a cached chain', () => {
    const verifier = createChainVerifier({ roots: [der(rootA.certPem)] });
    const chain = [der(shortLeaf)];
    const revoked = new Map<string, Date>();
    const isRevoked: RevocationLookup = (serial) => revoked.get(serial);
    verifier.verify({ chain, at: at(DAY / 2), isRevoked });
    assert.throws(() => verifier.verify({ chain, at: at(2 * DAY), isRevoked }), isPkiError('CERT_EXPIRED'));
    revoked.set(parseCertificate(shortLeaf).serialHex, at(DAY / 4));
    assert.throws(() => verifier.verify({ chain, at: at(DAY / 2), isRevoked }), isPkiError('CERT_REVOKED'));
    assert.equal(verifier.verify({ chain, at: at(DAY / 8), isRevoked }).leaf.subjectCN, 'shopmart');
  });

  it('does not cache a refusal into an acceptance', () => {
    const verifier = createChainVerifier({ roots: [der(rootA.certPem)] });
    assert.throws(() => verifier.verify({ chain: [der(leafB)], at: at(DAY), isRevoked: never }), isPkiError('UNTRUSTED_CHAIN'));
    assert.throws(() => verifier.verify({ chain: [der(leafB)], at: at(DAY), isRevoked: never }), isPkiError('UNTRUSTED_CHAIN'));
  });
});
