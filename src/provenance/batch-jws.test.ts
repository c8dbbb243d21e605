import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompactSign, compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import type { CompactJWSHeaderParameters } from 'jose';
import { fixedClock } from '../kernel/index.js';
import { PkiError, createMemberKeyAndCsr, createRootCa, parseCertificate, signMemberCsr, verifyChain } from '../pki/index.js';
import type { PkiErrorCode, RevocationLookup } from '../pki/index.js';
import { buildCertificate } from '../pki/build-certificate.js';
import { forgeKeys } from '../pki/keys.js';
import { ProvenanceError, assertValidWhenReceived, canonicalJson, createBatchVerifier, signBatch } from './index.js';
import type { BatchPayload, BatchVerifier, ProvenanceErrorCode } from './index.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(T0.getTime() + ms).toISOString();

// Three RSA-3072 keys for the file: two roots and one member; other certificates reuse them.
const root = createRootCa({ commonName: 'wildintel Root', validityYears: 10, now: T0 });
const otherRoot = createRootCa({ commonName: 'Another Federation Root', validityYears: 10, now: T0 });
const member = createMemberKeyAndCsr({ member: 'shopmart' });
const leafPem = signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0 });
const shortLeafPem = signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0, validityDays: 1 });
const foreignLeafPem = signMemberCsr({ csrPem: member.csrPem, ca: otherRoot, now: T0 });
const rootDer = parseCertificate(root.certPem).der;
const leaf = parseCertificate(leafPem);
const signer = { keyPem: member.keyPem, chainPem: [leafPem] };

const revocations = new Map<string, Date>();
const isRevoked: RevocationLookup = (serial) => revocations.get(serial);
const clock = fixedClock(iso(DAY + MINUTE));
const verifier: BatchVerifier = createBatchVerifier({ roots: [rootDer], isRevoked, clock });

function batch(overrides: Partial<BatchPayload> = {}): BatchPayload {
  return {
    v: 1,
    batchId: '3b241101-e2bb-4255-8caf-4136c566a962',
    member: 'shopmart',
    createdAt: iso(DAY),
    tlp: 'AMBER',
    indicators: [
      { type: 'KEYWORD', value: '象牙手镯', commodity: 'IVORY', confidence: 80, observedAt: iso(DAY - MINUTE) },
      { type: 'IMAGE_PDQ', value: 'f'.repeat(64), quality: 90, commodity: 'PANGOLIN', confidence: 60, observedAt: iso(DAY - MINUTE) },
    ],
    ...overrides,
  };
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');
const x5cOf = (...pems: string[]): string[] => pems.map((pem) => Buffer.from(parseCertificate(pem).der).toString('base64'));
const standardHeader = { alg: 'PS256', typ: 'wildintel-batch+jws', x5c: x5cOf(leafPem) };

/** Signs arbitrary header and payload bytes with jose, bypassing signBatch's own checks. */
function rawSign(payload: Uint8Array | string, header: Record<string, unknown>, keyPem = member.keyPem): Promise<string> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return new CompactSign(bytes).setProtectedHeader(header as CompactJWSHeaderParameters).sign(createPrivateKey(keyPem));
}

function replacePart(jws: string, index: number, part: string): string {
  const parts = jws.split('.');
  parts[index] = part;
  return parts.join('.');
}

function hasCode(errorClass: typeof PkiError | typeof ProvenanceError, code: PkiErrorCode | ProvenanceErrorCode) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}
const holds = (check: () => unknown): boolean => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};
const provenance = (code: ProvenanceErrorCode) => hasCode(ProvenanceError, code);
const pki = (code: PkiErrorCode) => hasCode(PkiError, code);

describe('signBatch', () => {
  it('writes exactly the protected header of design.md item 2', async () => {
    const jws = await signBatch(batch(), signer);
    const [header] = jws.split('.');
    assert.equal(
      Buffer.from(header ?? '', 'base64url').toString('utf8'),
      `{"alg":"PS256","typ":"wildintel-batch+jws","x5c":["${Buffer.from(leaf.der).toString('base64')}"]}`,
    );
  });

  it('signs the RFC 8785 bytes of the payload', async () => {
    const jws = await signBatch(batch(), signer);
    assert.equal(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'), canonicalJson(batch()));
  });

  it('carries the whole chain, leaf first, when given one', async () => {
    const jws = await signBatch(batch(), { keyPem: member.keyPem, chainPem: [leafPem, root.certPem] });
    assert.deepEqual(decodeProtectedHeader(jws).x5c, x5cOf(leafPem, root.certPem));
  });

  describe('when the batch could not be accepted anyway', () => {
    it('rejects a payload naming another member with MEMBER_MISMATCH', async () => {
      await assert.rejects(signBatch(batch({ member: 'othershop' }), signer), provenance('MEMBER_MISMATCH'));
    });

    it('rejects a key that is not the leaf key with KEY_MISMATCH', async () => {
      await assert.rejects(signBatch(batch(), { keyPem: root.keyPem, chainPem: [leafPem] }), provenance('KEY_MISMATCH'));
    });

    it('rejects a malformed envelope with INVALID_BATCH', async () => {
      await assert.rejects(signBatch(batch({ batchId: 'nope' }), signer), provenance('INVALID_BATCH'));
    });

    it('rejects an indicator that has no JSON form with UNENCODABLE_VALUE', async () => {
      await assert.rejects(signBatch(batch({ indicators: [{ confidence: Number.NaN }] }), signer), provenance('UNENCODABLE_VALUE'));
    });
  });
});

describe('createBatchVerifier().verify', () => {
  describe('when the batch is sound', () => {
    it('returns the payload, the signer and the SHA-256 of the JWS as received', async () => {
      const jws = await signBatch(batch(), signer);
      const verified = await verifier.verify(jws);
      assert.deepEqual(verified.payload, batch());
      assert.deepEqual(verified.chain, {
        member: 'shopmart',
        leafSerialHex: leaf.serialHex,
        leafFingerprintSha256: leaf.fingerprintSha256,
        anchorFingerprintSha256: parseCertificate(root.certPem).fingerprintSha256,
        validFrom: leaf.notBefore,
        validUntil: leaf.notAfter,
      });
      assert.equal(verified.jwsSha256, createHash('sha256').update(jws, 'ascii').digest('base64url'));
    });

    it('accepts x5c with the root included, and retractions', async () => {
      const retractions = [{ indicatorId: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg', reason: 'replica, not ivory' }];
      const jws = await signBatch(batch({ retractions }), { keyPem: member.keyPem, chainPem: [leafPem, root.certPem] });
      assert.deepEqual((await verifier.verify(jws)).payload.retractions, retractions);
    });

    it('verifies with a generic JOSE library after a node:crypto-only chain check', async () => {
      const jws = await signBatch(batch(), signer);
      const [leafB64] = decodeProtectedHeader(jws).x5c ?? [];
      const leafCert = new X509Certificate(Buffer.from(leafB64 ?? '', 'base64'));
      const rootCert = new X509Certificate(root.certPem);
      assert.equal(leafCert.checkIssued(rootCert) && leafCert.verify(rootCert.publicKey), true);
      assert.ok(new Date(leafCert.validFrom) <= new Date(iso(DAY)) && new Date(iso(DAY)) <= new Date(leafCert.validTo));
      const { payload, protectedHeader } = await compactVerify(jws, await importX509(leafCert.toString(), 'PS256'), { algorithms: ['PS256'] });
      assert.equal(protectedHeader.typ, 'wildintel-batch+jws');
      assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), batch());
    });

    it('checks expiry at createdAt, not at the time of verification', async () => {
      const late = createBatchVerifier({ roots: [rootDer], isRevoked, clock: fixedClock(iso(30 * DAY)) });
      const jws = await signBatch(batch({ createdAt: iso(DAY / 2) }), { keyPem: member.keyPem, chainPem: [shortLeafPem] });
      assert.equal((await late.verify(jws)).payload.member, 'shopmart');
    });

    it('accepts createdAt up to exactly five minutes ahead of the clock', async () => {
      const ahead = createBatchVerifier({ roots: [rootDer], isRevoked, clock: fixedClock(iso(DAY - 5 * MINUTE)) });
      assert.equal((await ahead.verify(await signBatch(batch(), signer))).payload.createdAt, iso(DAY));
    });

    it('checks the chain signatures once per distinct chain, so a batch costs one signature check', async () => {
      const fresh = createBatchVerifier({ roots: [rootDer], isRevoked, clock });
      const original = X509Certificate.prototype.verify;
      let chainChecks = 0;
      X509Certificate.prototype.verify = function counted(this: X509Certificate, key) {
        chainChecks += 1;
        return original.call(this, key);
      };
      try {
        await fresh.verify(await signBatch(batch(), signer));
        const afterFirst = chainChecks;
        await fresh.verify(await signBatch(batch({ batchId: '9d7e8f00-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }), signer));
        assert.equal(afterFirst, 1);
        assert.equal(chainChecks, afterFirst);
      } finally {
        X509Certificate.prototype.verify = original;
      }
    });
  });

  describe('when the JWS was altered after signing', () => {
    it('rejects a tampered payload with BAD_SIGNATURE', async () => {
      const jws = await signBatch(batch(), signer);
      const forged = batch({ tlp: 'CLEAR' });
      await assert.rejects(verifier.verify(replacePart(jws, 1, b64url(canonicalJson(forged)))), provenance('BAD_SIGNATURE'));
    });

    it('rejects a tampered header with BAD_SIGNATURE', async () => {
      const jws = await signBatch(batch(), signer);
      const reordered = JSON.stringify({ typ: 'wildintel-batch+jws', alg: 'PS256', x5c: x5cOf(leafPem) });
      const extended = JSON.stringify({ ...standardHeader, x5c: x5cOf(leafPem, root.certPem) });
      await assert.rejects(verifier.verify(replacePart(jws, 0, b64url(reordered))), provenance('BAD_SIGNATURE'));
      await assert.rejects(verifier.verify(replacePart(jws, 0, b64url(extended))), provenance('BAD_SIGNATURE'));
    });

    it('rejects a tampered signature with BAD_SIGNATURE', async () => {
      const jws = await signBatch(batch(), signer);
      const signature = Buffer.from(jws.split('.')[2] ?? '', 'base64url');
      signature[10] = (signature[10] ?? 0) ^ 0x01;
      await assert.rejects(verifier.verify(replacePart(jws, 2, b64url(signature))), provenance('BAD_SIGNATURE'));
    });

    it('rejects a signature by a key other than the leaf key with BAD_SIGNATURE', async () => {
      const jws = await rawSign(canonicalJson(batch()), standardHeader, root.keyPem);
      await assert.rejects(verifier.verify(jws), provenance('BAD_SIGNATURE'));
    });
  });

  describe('when the chain is not trusted at createdAt', () => {
    it('rejects a chain from another CA with UNTRUSTED_CHAIN', async () => {
      const jws = await signBatch(batch(), { keyPem: member.keyPem, chainPem: [foreignLeafPem, otherRoot.certPem] });
      await assert.rejects(verifier.verify(jws), pki('UNTRUSTED_CHAIN'));
    });

    it('rejects a self-signed leaf with UNTRUSTED_CHAIN', async () => {
      const keys = forgeKeys(member.keyPem);
      const selfSigned = buildCertificate({
        subjectCN: 'shopmart',
        publicKey: keys.forgePublicKey,
        issuer: undefined,
        signingKey: keys.forgePrivateKey,
        notBefore: T0,
        notAfter: new Date(T0.getTime() + 30 * DAY),
        extensions: [
          { name: 'basicConstraints', critical: true, cA: false },
          { name: 'keyUsage', critical: true, digitalSignature: true },
          { name: 'subjectAltName', altNames: [{ type: 2, value: 'shopmart.members.wildintel' }] },
        ],
      });
      const jws = await signBatch(batch(), { keyPem: member.keyPem, chainPem: [selfSigned] });
      await assert.rejects(verifier.verify(jws), pki('UNTRUSTED_CHAIN'));
    });

    it('rejects a certificate expired at createdAt with CERT_EXPIRED', async () => {
      const expired = createBatchVerifier({ roots: [rootDer], isRevoked, clock: fixedClock(iso(2 * DAY)) });
      const jws = await signBatch(batch({ createdAt: iso(2 * DAY) }), { keyPem: member.keyPem, chainPem: [shortLeafPem] });
      await assert.rejects(expired.verify(jws), pki('CERT_EXPIRED'));
    });

    it('rejects a certificate not yet valid at createdAt with CERT_EXPIRED', async () => {
      const jws = await signBatch(batch({ createdAt: iso(-60 * MINUTE) }), signer);
      await assert.rejects(verifier.verify(jws), (error: unknown) => {
        assert.ok(error instanceof PkiError);
        assert.equal(error.code, 'CERT_EXPIRED');
        assert.equal(error.details?.reason, 'NOT_YET_VALID');
        return true;
      });
    });

    it('rejects a certificate revoked before createdAt with CERT_REVOKED, and accepts one revoked after', async () => {
      const jws = await signBatch(batch(), signer);
      try {
        revocations.set(leaf.serialHex, new Date(iso(DAY + 1)));
        assert.equal((await verifier.verify(jws)).chain.leafSerialHex, leaf.serialHex);
        revocations.set(leaf.serialHex, new Date(iso(DAY - 1)));
        await assert.rejects(verifier.verify(jws), pki('CERT_REVOKED'));
      } finally {
        revocations.clear();
      }
    });

  });

  describe('when the certificate expired before the hub received the batch', () => {
    const late = createBatchVerifier({ roots: [rootDer], isRevoked, clock: fixedClock(iso(2 * DAY)) });
    const backdated = () => signBatch(batch({ createdAt: iso(DAY - MINUTE) }), { keyPem: member.keyPem, chainPem: [shortLeafPem] });

    it('refuses a createdAt backdated into the validity with CERT_EXPIRED, judged at the time of receipt', async () => {
      const verified = await late.verify(await backdated());
      assert.throws(() => assertValidWhenReceived(verified.chain, new Date(iso(2 * DAY))), (error: unknown) => {
        assert.ok(error instanceof PkiError);
        assert.equal(error.code, 'CERT_EXPIRED');
        assert.equal(error.details?.reason, 'EXPIRED');
        assert.match(error.message, new RegExp(`not valid at ${iso(2 * DAY)}, when the hub received`));
        return true;
      });
      assert.doesNotThrow(() => assertValidWhenReceived(verified.chain, new Date(iso(DAY))));
    });

    it('agrees with the chain check at either bound of every certificate of the path', async () => {
      const verified = await late.verify(await backdated());
      const leafCert = parseCertificate(shortLeafPem);
      for (const at of [leafCert.notBefore.getTime() - 1, leafCert.notBefore.getTime(), leafCert.notAfter.getTime(), leafCert.notAfter.getTime() + 1]) {
        const byChain = holds(() => verifyChain({ chain: [leafCert.der], roots: [rootDer], at: new Date(at), isRevoked: () => undefined }));
        assert.equal(holds(() => assertValidWhenReceived(verified.chain, new Date(at))), byChain, `at ${new Date(at).toISOString()}`);
      }
    });

    it('lets a reader verify it at the receipt time the log recorded, and refuses it at a later one', async () => {
      const view = await late.verifyView(await backdated(), new Date(iso(DAY)));
      assert.equal(view.envelope.createdAt, iso(DAY - MINUTE));
      await assert.rejects(late.verifyView(await backdated(), new Date(iso(DAY + DAY / 2))), pki('CERT_EXPIRED'));
    });
  });

  describe('when the x5c is not what it claims', () => {
    it('rejects x5c bytes that are not a certificate with BAD_CERTIFICATE', async () => {
      const jws = await rawSign(canonicalJson(batch()), { ...standardHeader, x5c: [Buffer.from('not a certificate').toString('base64')] });
      await assert.rejects(verifier.verify(jws), pki('BAD_CERTIFICATE'));
    });
  });

  describe('when the signed content breaks a rule', () => {
    it('rejects a payload naming a member the leaf does not name with MEMBER_MISMATCH', async () => {
      const jws = await rawSign(canonicalJson(batch({ member: 'othershop' })), standardHeader);
      await assert.rejects(verifier.verify(jws), provenance('MEMBER_MISMATCH'));
    });

    it('rejects createdAt more than five minutes in the future with CLOCK_SKEW', async () => {
      const behind = createBatchVerifier({ roots: [rootDer], isRevoked, clock: fixedClock(new Date(T0.getTime() + DAY - 5 * MINUTE - 1)) });
      await assert.rejects(behind.verify(await signBatch(batch(), signer)), provenance('CLOCK_SKEW'));
    });

    it('rejects a non-canonical payload with MALFORMED_JWS', async () => {
      for (const text of [JSON.stringify(batch(), null, 1), JSON.stringify(batch()), `${canonicalJson(batch())}\n`]) {
        const jws = await rawSign(text, standardHeader);
        await assert.rejects(verifier.verify(jws), provenance('MALFORMED_JWS'));
      }
    });

    it('rejects a signed payload with a malformed envelope with INVALID_BATCH', async () => {
      const jws = await rawSign(canonicalJson({ ...batch(), tlp: 'WHITE' }), standardHeader);
      await assert.rejects(verifier.verify(jws), provenance('INVALID_BATCH'));
    });
  });

  describe('when the header is not exactly the batch header', () => {
    const payload = canonicalJson(batch());
    const headers: Array<[string, Record<string, unknown>]> = [
      ['alg RS256', { ...standardHeader, alg: 'RS256' }],
      ['alg PS512', { ...standardHeader, alg: 'PS512' }],
      ['typ JWT', { ...standardHeader, typ: 'JWT' }],
      ['typ in another case', { ...standardHeader, typ: 'Wildintel-Batch+JWS' }],
      ['no typ', { alg: 'PS256', x5c: standardHeader.x5c }],
      ['an extra kid', { ...standardHeader, kid: 'k1' }],
      ['crit with b64', { ...standardHeader, b64: true, crit: ['b64'] }],
      ['an empty x5c', { ...standardHeader, x5c: [] }],
      ['x5c as a string', { ...standardHeader, x5c: standardHeader.x5c[0] }],
      ['x5c in base64url', { ...standardHeader, x5c: [b64url(leaf.der)] }],
    ];
    for (const [label, header] of headers) {
      it(`rejects ${label} with MALFORMED_JWS`, async () => {
        await assert.rejects(verifier.verify(await rawSign(payload, header)), provenance('MALFORMED_JWS'));
      });
    }

    it('rejects alg none with MALFORMED_JWS', async () => {
      const jws = `${b64url(JSON.stringify({ ...standardHeader, alg: 'none' }))}.${b64url(payload)}.`;
      await assert.rejects(verifier.verify(jws), provenance('MALFORMED_JWS'));
    });
  });

  describe('when the input is not a compact JWS', () => {
    it('rejects wrong part counts, padding, stray characters and non-strings with MALFORMED_JWS', async () => {
      const jws = await signBatch(batch(), signer);
      const [h, p, s] = jws.split('.');
      const inputs: unknown[] = [`${h}.${p}`, `${jws}.x`, `${h}.${p}.${s}=`, ` ${jws}`, `${h}.${p}.${s}\n`, '', { jws }];
      for (const input of inputs) await assert.rejects(verifier.verify(input as string), provenance('MALFORMED_JWS'));
    });

    it('rejects a JWS over the size limit with MALFORMED_JWS before parsing', async () => {
      const small = createBatchVerifier({ roots: [rootDer], isRevoked, clock, maxJwsBytes: 1024 });
      await assert.rejects(small.verify(await signBatch(batch(), signer)), provenance('MALFORMED_JWS'));
    });
  });
});
