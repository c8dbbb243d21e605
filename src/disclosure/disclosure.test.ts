/**
 * The disclosure formats with real keys: agency key sets as files give them, requests signed and
 * checked, answers encrypted to the agency and opened with its key or with one message's content key.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { isWildintelError } from '../kernel/index.js';
import {
  agencyKeySet,
  assertAnswerJwe,
  decryptAnswer,
  encryptAnswer,
  encryptionKeyOf,
  generateAgencyKeys,
  openWithContentKey,
  parseAgencyKeySet,
  signDisclosureRequest,
  signingKeyOf,
  verifyDisclosureRequest,
  type AnswerPlaintext,
  type DisclosureRequestPayload,
} from './index.js';

const code = (expected: string) => (err: unknown) => isWildintelError(err) && err.code === expected;
const pem = (k: { export(o: object): string | Buffer }, type: 'spki' | 'pkcs8') => k.export({ type, format: 'pem' }).toString();

function request(kid: string, extra: Partial<DisclosureRequestPayload> = {}): DisclosureRequestPayload {
  return {
    v: 1,
    requestId: randomUUID(),
    agency: 'customs',
    analyst: 'analyst-1',
    tokenId: randomUUID(),
    officer: 'Inspector Li',
    caseId: 'CASE-1',
    legalBasis: { reference: 'REF-1', text: 'Customs Law art. 12' },
    target: { fingerprint: `fp1.2026-01.${'A'.repeat(43)}` },
    encryptionKid: kid,
    createdAt: '2026-03-01T12:00:00Z',
    ...extra,
  };
}

describe('agency key sets', () => {
  it('reads the JWK set keygen writes, and separate PEM public keys', async () => {
    const { publicKeys } = await generateAgencyKeys();
    const set = await agencyKeySet(JSON.stringify(publicKeys));
    assert.deepEqual([encryptionKeyOf(set).crv, signingKeyOf(set).crv, signingKeyOf(set).alg], ['X25519', 'Ed25519', 'EdDSA']);
    assert.deepEqual(await parseAgencyKeySet(JSON.parse(JSON.stringify(set))), set);
    const enc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sig = generateKeyPairSync('ed25519');
    const fromPem = await agencyKeySet(pem(enc.publicKey, 'spki'), pem(sig.publicKey, 'spki'));
    assert.deepEqual([encryptionKeyOf(fromPem).crv, encryptionKeyOf(fromPem).alg, signingKeyOf(fromPem).crv], ['P-256', 'ECDH-ES', 'Ed25519']);
  });

  it('refuses private keys, unusable curves, a missing signing key and one key for both uses', async () => {
    const enc = generateKeyPairSync('x25519');
    await assert.rejects(agencyKeySet(pem(enc.privateKey, 'pkcs8')), code('INVALID_AGENCY_KEY'));
    await assert.rejects(agencyKeySet(JSON.stringify({ ...(enc.privateKey.export({ format: 'jwk' }) as object) })), code('INVALID_AGENCY_KEY'));
    await assert.rejects(agencyKeySet(pem(enc.publicKey, 'spki')), code('INVALID_AGENCY_KEY'), 'no signing key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await assert.rejects(agencyKeySet(pem(rsa.publicKey, 'spki'), pem(generateKeyPairSync('ed25519').publicKey, 'spki')), code('INVALID_AGENCY_KEY'));
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await assert.rejects(agencyKeySet(pem(p256.publicKey, 'spki'), pem(p256.publicKey, 'spki')), code('INVALID_AGENCY_KEY'));
    await assert.rejects(agencyKeySet('not a key'), code('INVALID_AGENCY_KEY'));
  });
});

describe('requests', () => {
  it('verify with the agency signing key, and not with another', async () => {
    const keys = await generateAgencyKeys('p256');
    const payload = request(encryptionKeyOf(keys.publicKeys).kid);
    const jws = await signDisclosureRequest(payload, keys.signingKeyPem);
    assert.deepEqual(await verifyDisclosureRequest(jws, keys.publicKeys), payload);
    const other = await generateAgencyKeys('p256');
    await assert.rejects(verifyDisclosureRequest(jws, other.publicKeys), code('REQUEST_SIGNATURE'));
    const forged = await signDisclosureRequest(payload, other.signingKeyPem);
    await assert.rejects(verifyDisclosureRequest(forged, keys.publicKeys), code('REQUEST_SIGNATURE'));
  });

  it('refuses a malformed request naming its field', async () => {
    const keys = await generateAgencyKeys();
    await assert.rejects(signDisclosureRequest(request('x'), keys.signingKeyPem), (err: unknown) => code('INVALID_DISCLOSURE')(err) && (err as { details: { field: string } }).details.field === 'request.encryptionKid');
    await assert.rejects(signDisclosureRequest({ ...request(encryptionKeyOf(keys.publicKeys).kid), officer: ' ' }, keys.signingKeyPem), code('INVALID_DISCLOSURE'));
    await assert.rejects(verifyDisclosureRequest('e30.e30.e30', keys.publicKeys), code('INVALID_DISCLOSURE'));
  });
});

describe('answers', () => {
  for (const curve of ['x25519', 'p256'] as const) {
    it(`encrypt to the agency (${curve}) and open with its key, or with that message's content key alone`, async () => {
      const keys = await generateAgencyKeys(curve);
      const plaintext: AnswerPlaintext = { v: 1, requestId: randomUUID(), member: 'shopmart', fingerprint: `fp1.k.${'B'.repeat(43)}`, identifier: { kind: 'phone', value: '+8613800138000' }, firstSeenAt: '2026-03-01T00:00:00.000Z', lastSeenAt: '2026-03-02T00:00:00.000Z' };
      const jwe = await encryptAnswer(plaintext, encryptionKeyOf(keys.publicKeys));
      assertAnswerJwe(jwe, encryptionKeyOf(keys.publicKeys).kid);
      assert.throws(() => assertAnswerJwe(jwe, 'another-kid'), code('INVALID_DISCLOSURE'));
      const opened = await decryptAnswer(jwe, keys.encryptionKeyPem);
      assert.deepEqual(opened.plaintext, plaintext);
      assert.deepEqual(openWithContentKey(jwe, opened.contentKey), plaintext);
      await assert.rejects(decryptAnswer(jwe, (await generateAgencyKeys(curve)).encryptionKeyPem), code('ANSWER_UNDECRYPTABLE'));
      const parts = jwe.split('.');
      parts[3] = Buffer.from(Buffer.from(parts[3]!, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url');
      assert.throws(() => openWithContentKey(parts.join('.'), opened.contentKey), code('ANSWER_UNDECRYPTABLE'), 'altered ciphertext');
      assert.throws(() => openWithContentKey(jwe, Buffer.alloc(32).toString('base64url')), code('ANSWER_UNDECRYPTABLE'), 'another content key');
    });
  }
});
