/**
 * Version 2 batches (design.md item 2b, RFC 9901): signing, verifying whole batches and partial
 * views, each refusal with its code, RFC 9901's own array-element vector, and the OpenWallet
 * Foundation's @sd-jwt/core as an independent implementation both ways: it verifies the views this
 * code makes, over generated batches and subsets, and this code accepts the disclosures it makes.
 */
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompactSign, type CompactJWSHeaderParameters } from 'jose';
import { pack } from '@sd-jwt/core';
import { fixedClock } from '../kernel/index.js';
import { createMemberKeyAndCsr, createRootCa, parseCertificate, signMemberCsr } from '../pki/index.js';
import { createRng } from '../../test/helpers/fuzz-random.js';
import { sha256Hasher, standardSdJwtVerifier } from '../../test/helpers/sd-jwt.js';
import {
  ProvenanceError,
  canonicalJson,
  createBatchVerifier,
  decodeDisclosure,
  disclosureDigest,
  issuerJwtOf,
  presentSdJwt,
  readStoredBatch,
  signAgain,
  signBatch,
  signBatchSdJwt,
  splitSdJwt,
  type BatchPayload,
  type ProvenanceErrorCode,
  type SaltSource,
} from './index.js';
import { resolveDisclosures } from './sd-jwt.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const root = createRootCa({ commonName: 'wildintel Root', validityYears: 10, now: T0 });
const member = createMemberKeyAndCsr({ member: 'shopmart' });
const leafPem = signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0 });
const signer = { keyPem: member.keyPem, chainPem: [leafPem] };
const verifier = createBatchVerifier({ roots: [parseCertificate(root.certPem).der], isRevoked: () => undefined, clock: fixedClock('2026-03-02T00:00:00Z') });
/** When the hub received what the views below read (the log entry's `ts`). */
const receivedAt = new Date('2026-03-02T00:00:00Z');
const salts: SaltSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };
const x5c = [Buffer.from(parseCertificate(leafPem).der).toString('base64')];
const ID = (n: number): string => createHash('sha256').update(`id-${n}`).digest('base64url');

function keyword(i: number): Record<string, unknown> {
  return { type: 'KEYWORD', value: `ivory${i}`, commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T11:00:00Z' };
}

function batch(indicators: number, retractions = 0): BatchPayload {
  return {
    v: 2,
    batchId: '3b241101-e2bb-4255-8caf-4136c566a962',
    member: 'shopmart',
    createdAt: '2026-03-01T12:00:00.000Z',
    tlp: 'AMBER',
    indicators: Array.from({ length: indicators }, (_, i) => keyword(i)) as BatchPayload['indicators'],
    ...(retractions > 0 ? { retractions: Array.from({ length: retractions }, (_, i) => ({ indicatorId: ID(i), reason: 'false-positive' })) } : {}),
  };
}

const payloadOf = (sdJwt: string): Record<string, unknown> => JSON.parse(Buffer.from(issuerJwtOf(sdJwt).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Signs any payload and header with jose, bypassing signBatchSdJwt's checks, and appends these disclosures. */
async function rawSdJwt(payload: unknown, disclosures: readonly string[], header: Record<string, unknown> = { alg: 'PS256', typ: 'wildintel-batch+sd-jwt', x5c }, text?: string): Promise<string> {
  const bytes = new TextEncoder().encode(text ?? canonicalJson(payload));
  const jwt = await new CompactSign(bytes).setProtectedHeader(header as CompactJWSHeaderParameters).sign(createPrivateKey(member.keyPem));
  return presentSdJwt(jwt, disclosures);
}

const b64url = (text: string): string => Buffer.from(text).toString('base64url');
const digestEntry = (d: string) => ({ '...': disclosureDigest(d) });
const envelope = { v: 2, _sd_alg: 'sha-256', batchId: '3b241101-e2bb-4255-8caf-4136c566a962', member: 'shopmart', createdAt: '2026-03-01T12:00:00.000Z', tlp: 'AMBER' };
const disclosure = (item: unknown, salt = b64url('sixteen-byte-slt')): string => b64url(JSON.stringify([salt, item]));

function code(expected: ProvenanceErrorCode, reason?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ProvenanceError, `expected ProvenanceError ${expected}, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    if (reason !== undefined) assert.equal(error.details?.['reason'], reason);
    return true;
  };
}

describe('version 2 batches: RFC 9901 array element disclosures', () => {
  it("reads RFC 9901's own array element disclosure (§4.2.2) and its digest (§4.2.4.2)", () => {
    const rfc = 'WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0';
    assert.deepEqual(decodeDisclosure(rfc, 0), { salt: 'lklxF5jMYlGTPUovMNIvCA', item: 'FR' });
    assert.equal(disclosureDigest(rfc), 'w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs');
    const resolved = resolveDisclosures({ indicators: ['w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs'], retractions: [], outcomes: [] }, [rfc]);
    assert.deepEqual(resolved.indicators, [{ item: 'FR', disclosure: rfc }]);
  });

  it('signs the header and payload of design.md item 2b, with one salted digest per item in order and every disclosure after the JWT', async () => {
    const counting: SaltSource = { bytes: (n) => new Uint8Array(n).fill(7) };
    const sdJwt = await signBatchSdJwt(batch(3, 1), signer, counting);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    assert.deepEqual(JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')), { alg: 'PS256', typ: 'wildintel-batch+sd-jwt', x5c });
    const payload = payloadOf(sdJwt);
    assert.equal(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'), canonicalJson(payload), 'the payload is JCS');
    assert.deepEqual(payload, { ...envelope, indicators: disclosures.slice(0, 3).map(digestEntry), retractions: disclosures.slice(3).map(digestEntry) });
    assert.deepEqual(decodeDisclosure(disclosures[1]!, 1), { salt: b64url('\x07'.repeat(16)), item: keyword(1) });
    const verified = await verifier.verify(sdJwt);
    assert.deepEqual(verified.payload, batch(3, 1));
    assert.equal(verified.format, 'sd-jwt');
    assert.equal(verified.jwsSha256, createHash('sha256').update(jwt).digest('base64url'), 'the log commits to the issuer-signed JWT alone');
  });

  it('stores the disclosures in payload order, whatever order they came in', async () => {
    const sdJwt = await signBatchSdJwt(batch(3, 2), signer, salts);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const shuffled = presentSdJwt(jwt, [...disclosures].reverse());
    const verified = await verifier.verify(shuffled);
    assert.equal(verified.stored, sdJwt);
    const read = readStoredBatch(verified.stored);
    assert.deepEqual([read.indicators, read.retractions], [batch(3, 2).indicators, batch(3, 2).retractions]);
    assert.deepEqual(read.disclosures, { indicators: disclosures.slice(0, 3), retractions: disclosures.slice(3), outcomes: [] });
  });

  it('verifies any subset of disclosures as a view: the items shown at their signed positions, the rest withheld', async () => {
    const sdJwt = await signBatchSdJwt(batch(4, 2), signer, salts);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const view = await verifier.verifyView(presentSdJwt(jwt, [disclosures[2]!, disclosures[5]!]), receivedAt);
    assert.deepEqual(view.indicators, [undefined, undefined, keyword(2), undefined]);
    assert.deepEqual(view.retractions, [undefined, { indicatorId: ID(1), reason: 'false-positive' }]);
    assert.equal(view.jwsSha256, (await verifier.verify(sdJwt)).jwsSha256, 'every view verifies against the same log entry');
  });

  it('signs a batch again after a rotation with the same payload bytes and disclosures', async () => {
    const sdJwt = await signBatchSdJwt(batch(2), signer, salts);
    const renewed = signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0 });
    const again = await signAgain(sdJwt, { keyPem: member.keyPem, chainPem: [renewed] });
    assert.notEqual(issuerJwtOf(again), issuerJwtOf(sdJwt));
    assert.equal(issuerJwtOf(again).split('.')[1], issuerJwtOf(sdJwt).split('.')[1]);
    assert.deepEqual(splitSdJwt(again).disclosures, splitSdJwt(sdJwt).disclosures);
    assert.deepEqual((await verifier.verify(again)).payload, batch(2));
    const v1 = await signBatch({ ...batch(2), v: 1 }, signer);
    assert.deepEqual((await verifier.verify(await signAgain(v1, { keyPem: member.keyPem, chainPem: [renewed] }))).payload, { ...batch(2), v: 1 });
  });
});

describe('version 2 batches against an independent SD-JWT implementation (@sd-jwt/core)', () => {
  it('every view of generated batches verifies with it, showing exactly the disclosed items in order', async () => {
    const rng = createRng(Number(process.env['SD_JWT_SEED'] ?? 2500));
    for (let n = 0; n < 24; n++) {
      const payload = batch(rng.int(7), rng.int(3));
      const sdJwt = await signBatchSdJwt(payload, signer, salts);
      const { jwt, disclosures } = splitSdJwt(sdJwt);
      const shown = disclosures.map(() => rng.chance(0.5));
      const view = presentSdJwt(jwt, disclosures.filter((_, i) => shown[i]));
      const { payload: claims } = await standardSdJwtVerifier().verify(view);
      const count = payload.indicators.length;
      assert.deepEqual(claims['indicators'], payload.indicators.filter((_, i) => shown[i]), `case ${n}`);
      assert.deepEqual(claims['retractions'] ?? [], (payload.retractions ?? []).filter((_, i) => shown[count + i]), `case ${n}`);
      const mine = await verifier.verifyView(view, receivedAt);
      assert.deepEqual(mine.indicators, payload.indicators.map((item, i) => (shown[i] ? item : undefined)), `case ${n}`);
      assert.deepEqual(mine.retractions, (payload.retractions ?? []).map((item, i) => (shown[count + i] ? item : undefined)), `case ${n}`);
    }
  });

  it('refuses, as this code does, a view whose disclosure was altered', async () => {
    const { jwt, disclosures } = splitSdJwt(await signBatchSdJwt(batch(2), signer, salts));
    const forged = disclosure(keyword(9), decodeDisclosure(disclosures[0]!, 0).salt);
    await assert.rejects(standardSdJwtVerifier().verify(presentSdJwt(jwt, [forged])));
    await assert.rejects(verifier.verifyView(presentSdJwt(jwt, [forged]), receivedAt), code('UNREFERENCED_DISCLOSURE'));
  });

  it('accepts a batch whose disclosures and digests it made (JSON spelled its way), signed over JCS', async () => {
    const items = { indicators: [keyword(0), keyword(1), keyword(2)] };
    const hasher = { alg: 'sha-256', hasher: sha256Hasher };
    const { packedClaims, disclosures } = await pack(items, { indicators: { _sd: [0, 1, 2] } }, hasher, () => randomBytes(16).toString('base64url'));
    const sdJwt = await rawSdJwt({ ...envelope, ...(packedClaims as object) }, disclosures.map((d) => d.encode()));
    assert.deepEqual((await verifier.verify(sdJwt)).payload.indicators, items.indicators);
  });
});

describe('version 2 batches: what the hub refuses, each with its own code', () => {
  const items = [keyword(0), keyword(1)];
  const good = items.map((item, i) => disclosure(item, b64url(`sixteen-byte-sl${i}`)));

  it('refuses a digest left undisclosed (but a reader may verify the view)', async () => {
    const sdJwt = await rawSdJwt({ ...envelope, indicators: good.map(digestEntry) }, [good[0]!]);
    await assert.rejects(verifier.verify(sdJwt), code('UNDISCLOSED_DIGEST'));
    assert.deepEqual((await verifier.verifyView(sdJwt, receivedAt)).indicators, [items[0], undefined]);
  });
  it('refuses a disclosure that matches no digest', async () => {
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: [digestEntry(good[0]!)] }, good)), code('UNREFERENCED_DISCLOSURE'));
  });
  it('refuses a digest given twice', async () => {
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: [digestEntry(good[0]!), digestEntry(good[0]!)] }, [good[0]!])), code('DUPLICATE_DIGEST'));
  });
  it('refuses a disclosure given twice', async () => {
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: good.map(digestEntry) }, [...good, good[1]!])), code('DUPLICATE_DISCLOSURE'));
  });
  it('refuses a salt under 128 bits', async () => {
    const weak = disclosure(items[0], b64url('fifteen-bytes!!'));
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: [digestEntry(weak)] }, [weak])), code('WEAK_SALT'));
    await assert.rejects(signBatchSdJwt(batch(1), signer, { bytes: () => new Uint8Array(15) }), code('WEAK_SALT'));
  });
  it('refuses a disclosure that is not [salt, item], not canonical base64url, or empty', async () => {
    const digests = { ...envelope, indicators: [digestEntry(good[0]!)] };
    const objectProperty = b64url(JSON.stringify([b64url('sixteen-byte-slt'), 'name', items[0]]));
    await assert.rejects(verifier.verify(await rawSdJwt(digests, [objectProperty])), code('MALFORMED_DISCLOSURE'));
    await assert.rejects(verifier.verify(await rawSdJwt(digests, [`${good[0]!}=`])), code('MALFORMED_DISCLOSURE'));
    await assert.rejects(verifier.verify(`${issuerJwtOf(await rawSdJwt(digests, []))}~~${good[0]}~`), code('MALFORMED_DISCLOSURE'));
  });
  it('refuses an item using a reserved SD-JWT name, which a standard verifier would read differently', async () => {
    const sneaky = disclosure({ ...items[0], context: { _sd: ['x'] } });
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: [digestEntry(sneaky)] }, [sneaky])), code('MALFORMED_DISCLOSURE'));
  });
  it('refuses a key binding JWT after the disclosures', async () => {
    await assert.rejects(verifier.verify(`${await rawSdJwt({ ...envelope, indicators: good.map(digestEntry) }, good)}eyJhbGciOiJFUzI1NiJ9.e30.c2ln`), code('MALFORMED_SD_JWT', 'KEY_BINDING'));
  });
  it('refuses a payload that is not RFC 8785 canonical', async () => {
    const payload = { ...envelope, indicators: good.map(digestEntry) };
    await assert.rejects(verifier.verify(await rawSdJwt(payload, good, undefined, JSON.stringify(payload, null, 1))), code('MALFORMED_JWS', 'PAYLOAD_NOT_CANONICAL'));
  });
  it('refuses the version 1 typ on an SD-JWT, and version 1 inside the version 2 typ', async () => {
    const header = { alg: 'PS256', typ: 'wildintel-batch+jws', x5c };
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: good.map(digestEntry) }, good, header)), code('MALFORMED_JWS', 'TYP'));
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, v: 1, indicators: good.map(digestEntry) }, good)), code('INVALID_BATCH'));
    await assert.rejects(signBatch(batch(1), signer), code('INVALID_BATCH'));
  });
  it('refuses another _sd_alg, and items in clear in the signed payload', async () => {
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, _sd_alg: 'sha-512', indicators: good.map(digestEntry) }, good)), code('INVALID_BATCH'));
    await assert.rejects(verifier.verify(await rawSdJwt({ ...envelope, indicators: [items[0]] }, [])), code('INVALID_BATCH'));
  });
  it('catches a tampered salt, a tampered item, a disclosure moved to another batch, and digests reordered in the payload', async () => {
    const sdJwt = await signBatchSdJwt(batch(3), signer, salts);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const { salt, item } = decodeDisclosure(disclosures[1]!, 1);
    const otherSalt = `${salt.slice(0, -2)}${salt.endsWith('AA') ? 'Ag' : 'AA'}`;
    await assert.rejects(verifier.verifyView(presentSdJwt(jwt, [disclosure(item, otherSalt)]), receivedAt), code('UNREFERENCED_DISCLOSURE'));
    await assert.rejects(verifier.verifyView(presentSdJwt(jwt, [disclosure({ ...(item as object), confidence: 99 }, salt)]), receivedAt), code('UNREFERENCED_DISCLOSURE'));
    const other = splitSdJwt(await signBatchSdJwt(batch(3), signer, salts));
    await assert.rejects(verifier.verifyView(presentSdJwt(jwt, [other.disclosures[1]!]), receivedAt), code('UNREFERENCED_DISCLOSURE'));
    const payload = payloadOf(sdJwt) as { indicators: unknown[] };
    const swapped = canonicalJson({ ...payload, indicators: [payload.indicators[1], payload.indicators[0], payload.indicators[2]] });
    const [header, , signature] = jwt.split('.');
    await assert.rejects(verifier.verifyView(presentSdJwt(`${header}.${b64url(swapped)}.${signature}`, [disclosures[1]!]), receivedAt), code('BAD_SIGNATURE'));
  });
});
