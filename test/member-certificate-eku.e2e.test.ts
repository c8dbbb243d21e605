/**
 * A member certificate is for signing batches and member requests, nothing else: it carries the
 * wildintel member-signing Extended Key Usage and not serverAuth, so openssl refuses it as a TLS
 * server certificate for its own SAN; the hub refuses, at enrolment and at ingest, a certificate
 * without that EKU or with a broader one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { createMemberKeyAndCsr, MEMBER_SIGNING_EKU, signMemberCsr } from '../src/pki/index.js';
import { buildCertificate, subjectKeyIdentifier } from '../src/pki/build-certificate.js';
import { extendedKeyUsageExtension } from '../src/pki/member-eku.js';
import { signBatch } from '../src/provenance/index.js';
import { sampleIndicators, startTestFederation, type TestFederation } from './helpers/federation.js';

describe('the member certificate Extended Key Usage', () => {
  let dir: string;
  let fed: TestFederation;
  const file = (name: string): string => path.join(dir, name);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-eku-'));
    fed = await startTestFederation();
    await writeFile(file('root.pem'), fed.rootCertPem);
  });
  after(async () => {
    await fed.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A leaf for `slug` from the federation root with these EKU OIDs (none: no extension, as before this change). */
  const leafWith = (slug: string, eku: readonly string[] | undefined): { keyPem: string; certPem: string } => {
    const { keyPem, csrPem } = createMemberKeyAndCsr({ member: slug });
    const csr = forge.pki.certificationRequestFromPem(csrPem);
    const root = forge.pki.certificateFromPem(fed.rootCertPem);
    const now = new Date();
    const certPem = buildCertificate({
      subjectCN: slug,
      publicKey: csr.publicKey as forge.pki.rsa.PublicKey,
      issuer: { cert: root },
      signingKey: forge.pki.privateKeyFromPem(fed.rootKeyPem) as forge.pki.rsa.PrivateKey,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 86_400_000),
      extensions: [
        { name: 'basicConstraints', critical: true, cA: false },
        { name: 'keyUsage', critical: true, digitalSignature: true },
        ...(eku === undefined ? [] : [extendedKeyUsageExtension(eku)]),
        { name: 'subjectAltName', altNames: [{ type: 2, value: `${slug}.members.wildintel` }] },
        { name: 'subjectKeyIdentifier' },
        { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifier(root) },
      ],
    });
    return { keyPem, certPem };
  };

  it('is in every member certificate the CA issues, which openssl then refuses as a TLS server certificate', async () => {
    const { csrPem } = createMemberKeyAndCsr({ member: 'acme' });
    await writeFile(file('acme.pem'), signMemberCsr({ csrPem, ca: { certPem: fed.rootCertPem, keyPem: fed.rootKeyPem }, now: new Date() }));
    const text = execFileSync('openssl', ['x509', '-in', file('acme.pem'), '-noout', '-ext', 'extendedKeyUsage'], { encoding: 'utf8' });
    assert.ok(text.includes(MEMBER_SIGNING_EKU), text);
    assert.doesNotMatch(text, /TLS Web Server Authentication/);
    assert.match(execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', file('root.pem'), file('acme.pem')], { encoding: 'utf8' }), /acme\.pem: OK/);
    const asServer = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', file('root.pem'), file('acme.pem')], { encoding: 'utf8' });
    assert.notEqual(asServer.status, 0, `${asServer.stdout}${asServer.stderr}`);
    assert.match(asServer.stdout + asServer.stderr, /unsuitable certificate purpose/);
  });

  it('is what enrolment requires: no EKU, or serverAuth beside it, is BAD_CERTIFICATE', async () => {
    for (const [slug, eku, reason] of [['plain', undefined, 'EKU_MISSING'], ['webby', [MEMBER_SIGNING_EKU, 'serverAuth'], 'EKU_TOO_BROAD'], ['anyone', ['2.5.29.37.0'], 'EKU_MISSING']] as const) {
      await assert.rejects(fed.hub.services.members.enroll({ slug, name: slug, certPem: leafWith(slug, eku).certPem }), (e: { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(e.code, 'BAD_CERTIFICATE');
        assert.equal(e.details?.['reason'], reason, `${slug}: ${JSON.stringify(e)}`);
        return true;
      });
    }
  });

  it('is what ingest requires: a batch signed under a certificate without it is refused with 401 BAD_CERTIFICATE', async () => {
    const { keyPem, certPem } = leafWith('legacy', undefined);
    const jws = await signBatch({ v: 1, batchId: crypto.randomUUID(), member: 'legacy', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: sampleIndicators(1, 'eku') }, { keyPem, chainPem: [certPem] });
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    const body = (await res.json()) as { error: { code: string; details?: Record<string, unknown> } };
    assert.equal(res.status, 401, JSON.stringify(body));
    assert.deepEqual([body.error.code, body.error.details?.['reason']], ['BAD_CERTIFICATE', 'EKU_MISSING']);
  });
});
