import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { canonicalBytes, signBatch } from '../src/provenance/index.js';
import { createMemberKeyAndCsr, createRootCa, pemToDerCertificates, signMemberCsr } from '../src/pki/index.js';
import { buildCertificate } from '../src/pki/build-certificate.js';
import { generateRsaKeyPair } from '../src/pki/keys.js';
import { indicatorId } from '../src/indicators/index.js';
import { fixedClock, sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';

type Refusal = { status: number; code: string; details?: Record<string, unknown> };

describe('a batch the hub must refuse', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;

  const counts = async (): Promise<Record<string, number>> => {
    const [row] = await fed.hub.database.dataSource.query(
      `SELECT (SELECT count(*) FROM batches)::int AS batches, (SELECT count(*) FROM indicators)::int AS indicators,
              (SELECT count(*) FROM sightings)::int AS sightings, (SELECT count(*) FROM sightings WHERE retracted_at IS NOT NULL)::int AS retracted,
              (SELECT count(*) FROM tlog_entries)::int AS entries`,
    );
    return row as Record<string, number>;
  };
  const post = async (jws: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Posts, expects the refusal, and checks that nothing in the database changed. */
  const expectRefused = async (jws: string, status: number, code: string): Promise<Refusal> => {
    const before = await counts();
    const { status: got, body } = await post(jws);
    const error = body['error'] as { code: string; message: string; details?: Record<string, unknown> };
    assert.equal(got, status, JSON.stringify(body));
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.length > 10, 'the message says what to do');
    assert.deepEqual(await counts(), before, 'a refused batch changes nothing');
    return { status: got, code: error.code, ...(error.details ? { details: error.details } : {}) };
  };
  const refused = (...args: Parameters<typeof expectRefused>): Promise<void> => expectRefused(...args).then(() => undefined);
  const payload = (member: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    v: 1,
    batchId: randomUUID(),
    member,
    createdAt: new Date().toISOString(),
    tlp: 'AMBER',
    indicators: sampleIndicators(1, `r${Math.random().toString(36).slice(2, 8)}`),
    ...extra,
  });
  /** Signs whatever it is given, bypassing the signer's own checks, as an attacker or a buggy node would. */
  const signRaw = (body: Record<string, unknown>, keyPem: string, chainPem: string[], header: Record<string, unknown> = {}): Promise<string> =>
    new CompactSign(canonicalBytes(body))
      .setProtectedHeader({ alg: 'PS256', typ: 'wildintel-batch+jws', x5c: chainPem.flatMap((p) => pemToDerCertificates(p)).map((d) => Buffer.from(d).toString('base64')), ...header })
      .sign(createPrivateKey(keyPem));

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
  });
  after(() => fed.close());

  describe('when the JWS is malformed', () => {
    it('refuses garbage with MALFORMED_JWS', () => refused('not-a.jws', 400, 'MALFORMED_JWS'));
    it('refuses a header with another algorithm with MALFORMED_JWS', async () => {
      const [, p, s] = (await fed.sign(shopmart, { indicators: sampleIndicators(1, 'alg') })).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'wildintel-batch+jws', x5c: [] })).toString('base64url');
      await expectRefused(`${header}.${p}.${s}`, 400, 'MALFORMED_JWS');
    });
  });

  describe('when the signature does not hold', () => {
    it('refuses a tampered payload with BAD_SIGNATURE', async () => {
      const [h, p, s] = (await fed.sign(shopmart, { indicators: sampleIndicators(1, 'tamper') })).split('.');
      const edited = Buffer.from(Buffer.from(p!, 'base64url').toString().replace('"confidence":80', '"confidence":99')).toString('base64url');
      await expectRefused(`${h}.${edited}.${s}`, 401, 'BAD_SIGNATURE');
    });
    it("refuses a tampered header (another member's certificate swapped in) with BAD_SIGNATURE", async () => {
      const [, p, s] = (await fed.sign(shopmart, { indicators: sampleIndicators(1, 'swap') })).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'PS256', typ: 'wildintel-batch+jws', x5c: [Buffer.from(pemToDerCertificates(chatapp.certPem)[0]!).toString('base64')] })).toString('base64url');
      await expectRefused(`${header}.${p}.${s}`, 401, 'BAD_SIGNATURE');
    });
  });

  describe('when the certificate is not trusted', () => {
    it('refuses a chain from another CA with UNTRUSTED_CHAIN', async () => {
      const other = createRootCa({ commonName: 'another federation', validityYears: 1, now: new Date() });
      const key = createMemberKeyAndCsr({ member: 'shopmart' });
      const cert = signMemberCsr({ csrPem: key.csrPem, ca: other, now: new Date() });
      await expectRefused(await signRaw(payload('shopmart'), key.keyPem, [cert, other.certPem]), 403, 'UNTRUSTED_CHAIN');
    });
    it('refuses a self-signed leaf with UNTRUSTED_CHAIN', async () => {
      const keys = generateRsaKeyPair();
      const cert = buildCertificate({
        subjectCN: 'shopmart',
        publicKey: keys.forgePublicKey,
        issuer: undefined,
        signingKey: keys.forgePrivateKey,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        extensions: [{ name: 'keyUsage', critical: true, digitalSignature: true }, { name: 'subjectAltName', altNames: [{ type: 2, value: 'shopmart.members.wildintel' }] }],
      });
      await expectRefused(await signRaw(payload('shopmart'), keys.privateKeyPem, [cert]), 403, 'UNTRUSTED_CHAIN');
    });
    it('refuses a member the hub never enrolled with UNKNOWN_MEMBER', async () => {
      const ghost = await fed.addMember('ghost', { enroll: false });
      await expectRefused(await fed.sign(ghost, { indicators: sampleIndicators(1, 'ghost') }), 403, 'UNKNOWN_MEMBER');
    });
    it('refuses a payload naming another member than the certificate with MEMBER_MISMATCH', () =>
      signRaw(payload('chatapp'), shopmart.keyPem, [shopmart.certPem]).then((jws) => refused(jws, 403, 'MEMBER_MISMATCH')));
  });

  describe('when the certificate was revoked', () => {
    it('refuses every batch that arrives after the revocation with CERT_REVOKED, whatever its createdAt; keeps logged ones valid', async () => {
      const leaving = await fed.addMember('leaving');
      const early = await fed.sign(leaving, { indicators: sampleIndicators(1, 'early') });
      assert.equal((await post(await fed.sign(leaving, { indicators: sampleIndicators(1, 'before') }))).status, 201);
      await new Promise((r) => setTimeout(r, 20));
      await fed.hub.services.members.revoke({ slug: 'leaving', reason: 'cessationOfOperation' });
      await expectRefused(await fed.sign(leaving, { indicators: sampleIndicators(1, 'after') }), 403, 'CERT_REVOKED');
      const late = await expectRefused(early, 403, 'CERT_REVOKED');
      assert.equal(late.details?.['reason'], 'cessationOfOperation', 'signed before the revocation but received after: the signer’s createdAt does not count');
      const [{ n }] = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM sightings WHERE member = 'leaving'`);
      assert.equal(n, 1, 'the batch logged before the revocation stays');
    });
    it('keeps a rotated certificate working when the old one is revoked', async () => {
      const first = await fed.addMember('rotating');
      const second = await fed.addMember('rotating');
      const serial = (await fed.hub.services.members.get('rotating'))!.certificates[0]!.serial;
      await fed.hub.services.members.revoke({ slug: 'rotating', serial, reason: 'superseded' });
      await expectRefused(await fed.sign(first, { indicators: sampleIndicators(1, 'old') }), 403, 'CERT_REVOKED');
      assert.equal((await post(await fed.sign(second, { indicators: sampleIndicators(1, 'new') }))).status, 201);
    });
  });

  it('refuses createdAt more than 5 minutes ahead with CLOCK_SKEW', async () =>
    refused(await fed.sign(shopmart, { createdAt: new Date(Date.now() + 10 * 60_000).toISOString(), indicators: sampleIndicators(1, 'future') }), 400, 'CLOCK_SKEW'));

  describe('when an indicator is invalid', () => {
    const base = { commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a PDQ hash that is not 64 lower-case hex', { type: 'IMAGE_PDQ', value: 'f'.repeat(63), ...base }, 'value'],
      ['an upper-case SHA-256', { type: 'IMAGE_SHA256', value: 'A'.repeat(64), ...base }, 'value'],
      ['a seller value that is not a fingerprint', { type: 'SELLER', value: '+8613800138000', ...base }, 'value'],
      ['a keyword that is not normalized', { type: 'KEYWORD', value: '象 牙', ...base }, 'value'],
      ['a missing confidence', { type: 'KEYWORD', value: 'ivory', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z' }, 'confidence'],
      ['an unknown field', { type: 'KEYWORD', value: 'ivory', ...base, phone: '+8613800138000' }, 'phone'],
    ];
    for (const [name, indicator, field] of cases) {
      it(`refuses ${name} with INVALID_INDICATOR naming index and field`, async () => {
        const refusal = await expectRefused(await fed.sign(shopmart, { indicators: [...sampleIndicators(1, 'ok'), indicator] }), 422, 'INVALID_INDICATOR');
        assert.equal(refusal.details?.['index'], 1);
        assert.equal(refusal.details?.['field'], field);
      });
    }
  });

  describe('when the batch is too large', () => {
    it('refuses over 10,000 indicators with BATCH_TOO_LARGE', async () =>
      refused(await fed.sign(shopmart, { indicators: sampleIndicators(10_001, 'big') }), 413, 'BATCH_TOO_LARGE'));
    it('refuses over 8 MiB with BATCH_TOO_LARGE', () => refused(`${'a'.repeat(9 * 1024 * 1024)}.b.c`, 413, 'BATCH_TOO_LARGE'));
  });

  describe('when a retraction names what the member never reported', () => {
    it('refuses an unknown indicator with UNKNOWN_SIGHTING', async () =>
      refused(await fed.sign(shopmart, { indicators: [], retractions: [{ indicatorId: indicatorId('KEYWORD', 'neverseen'), reason: 'mistake' }] }), 422, 'UNKNOWN_SIGHTING'));
    it("refuses another member's sighting with UNKNOWN_SIGHTING", async () => {
      assert.equal((await post(await fed.sign(chatapp, { indicators: sampleIndicators(1, 'theirs') }))).status, 201);
      await expectRefused(await fed.sign(shopmart, { indicators: [], retractions: [{ indicatorId: indicatorId('KEYWORD', 'ivorytheirs0'), reason: 'x' }] }), 422, 'UNKNOWN_SIGHTING');
    });
  });

  it('retracts its own sighting: marked, never deleted, hidden from queries and totals', async () => {
    const id = indicatorId('KEYWORD', 'ivorymine0');
    assert.equal((await post(await fed.sign(shopmart, { indicators: sampleIndicators(1, 'mine') }))).status, 201);
    const totalBefore = ((await fed.read('{ indicators(first: 1) { totalCount } }')).body.data!['indicators'] as { totalCount: number }).totalCount;
    const retractBatch = randomUUID();
    assert.equal((await post(await fed.sign(shopmart, { batchId: retractBatch, indicators: [], retractions: [{ indicatorId: id, reason: 'false positive' }] }))).status, 201);
    assert.deepEqual((await fed.read('query($id: ID!) { indicator(id: $id) { id } }', { id })).body.data, { indicator: null });
    const totalAfter = ((await fed.read('{ indicators(first: 1) { totalCount } }')).body.data!['indicators'] as { totalCount: number }).totalCount;
    assert.equal(totalAfter, totalBefore - 1);
    const [row] = await fed.hub.database.dataSource.query(`SELECT retracted_by::text AS by, retract_reason AS reason FROM sightings WHERE indicator_id = $1`, [id]);
    assert.deepEqual(row, { by: retractBatch, reason: 'false positive' });
  });

  it('gives GraphQL publishBatch refusals the same code', async () => {
    const jws = await fed.sign(shopmart, { createdAt: new Date(Date.now() + 3_600_000).toISOString(), indicators: sampleIndicators(1, 'gqlfuture') });
    const { body } = await graphql(fed.hub.url, 'mutation($jws: String!) { publishBatch(jws: $jws) { leafIndex } }', { jws });
    assert.equal(body.errors?.[0]?.extensions?.['code'], 'CLOCK_SKEW');
  });
});

describe('a batch signed with a certificate that has expired', () => {
  it('is refused with CERT_EXPIRED and stores nothing', async (t) => {
    const clock = fixedClock('2026-06-01T00:00:00Z');
    const fed = await startTestFederation({ clock });
    t.after(() => fed.close());
    const member = await fed.addMember('shortlived', { validityDays: 1 });
    clock.advance(2 * 86_400_000);
    const jws = await signBatch(
      { v: 1, batchId: randomUUID(), member: 'shortlived', createdAt: clock.now().toISOString(), tlp: 'AMBER', indicators: sampleIndicators(1, 'late') },
      { keyPem: member.keyPem, chainPem: [member.certPem] },
    );
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CERT_EXPIRED');
    const [{ n }] = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM batches`);
    assert.equal(n, 0);
  });
});
