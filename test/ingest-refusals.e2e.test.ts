/**
 * Ingest refusals and lifecycles beyond test/batch-refusals.e2e.test.ts (which has one case per
 * refusal code): replays and batch-id conflicts leave the database as it was, oversized bodies at
 * every size, GraphQL refusals with the same codes and details, certificates used inside and
 * outside their validity, rotation and revocation with batches signed before and after, and
 * retraction of an indicator that two members reported. Every batch is signed for real and sent
 * to a real hub over HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { indicatorId } from '../src/indicators/index.js';
import { pemToDerCertificates } from '../src/pki/index.js';
import { canonicalBytes, signBatch } from '../src/provenance/index.js';
import { fixedClock, sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';

type Counts = Record<'batches' | 'indicators' | 'sightings' | 'retracted' | 'entries', number>;
type Answer = { status: number; body: Record<string, unknown> };
type ApiError = { code: string; message: string; details?: Record<string, unknown> };

function counts(fed: TestFederation): Promise<Counts> {
  return fed.hub.database.dataSource
    .query(
      `SELECT (SELECT count(*) FROM batches)::int AS batches, (SELECT count(*) FROM indicators)::int AS indicators,
              (SELECT count(*) FROM sightings)::int AS sightings, (SELECT count(*) FROM sightings WHERE retracted_at IS NOT NULL)::int AS retracted,
              (SELECT count(*) FROM tlog_entries)::int AS entries`,
    )
    .then((rows: Counts[]) => rows[0]!);
}

async function post(fed: TestFederation, body: string, contentType = 'application/jose'): Promise<Answer> {
  const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Posts, expects the refusal with its code and an actionable message, and that the database did not change. */
async function expectRefused(fed: TestFederation, jws: string, status: number, code: string, contentType?: string): Promise<ApiError> {
  const before = await counts(fed);
  const { status: got, body } = await post(fed, jws, contentType);
  const error = body['error'] as ApiError;
  assert.equal(got, status, JSON.stringify(body).slice(0, 500));
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.length > 10, 'the message says what is wrong');
  assert.deepEqual(await counts(fed), before, 'a refused batch changes nothing');
  return error;
}

async function expectAccepted(fed: TestFederation, jws: string, status = 201): Promise<Record<string, unknown>> {
  const { status: got, body } = await post(fed, jws);
  assert.equal(got, status, JSON.stringify(body).slice(0, 500));
  return body;
}

/** Signs whatever it is given, without the signer's own checks, as an attacker or a buggy node would. */
function signRaw(payload: Record<string, unknown>, member: TestMember): Promise<string> {
  const x5c = pemToDerCertificates(member.certPem).map((der) => Buffer.from(der).toString('base64'));
  return new CompactSign(canonicalBytes(payload)).setProtectedHeader({ alg: 'PS256', typ: 'wildintel-batch+jws', x5c }).sign(createPrivateKey(member.keyPem));
}

function envelope(member: TestMember, indicators: readonly object[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, batchId: randomUUID(), member: member.slug, createdAt: new Date().toISOString(), tlp: 'AMBER', indicators, ...extra };
}

describe('refusals beyond one per code', () => {
  let fed: TestFederation;
  let shopmart: TestMember;

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
  });
  after(() => fed.close());

  describe('when a batch id is replayed', () => {
    it('answers the same bytes with the original receipt (200) and stores nothing more', async () => {
      const jws = await fed.sign(shopmart, { indicators: sampleIndicators(3, 'replay') });
      const first = await expectAccepted(fed, jws);
      const before = await counts(fed);
      const again = await expectAccepted(fed, jws, 200);
      assert.deepEqual(again, { ...first, duplicate: true });
      assert.deepEqual(await counts(fed), before);
    });

    it('refuses other bytes under the same batch id with BATCH_ID_CONFLICT, even when only createdAt differs', async () => {
      const batchId = randomUUID();
      const createdAt = new Date(Date.now() - 60_000).toISOString();
      await expectAccepted(fed, await fed.sign(shopmart, { batchId, createdAt, indicators: sampleIndicators(2, 'conflict') }));
      const error = await expectRefused(fed, await fed.sign(shopmart, { batchId, indicators: sampleIndicators(2, 'conflict') }), 409, 'BATCH_ID_CONFLICT');
      assert.deepEqual(error.details, { batchId });
    });

    it('stores a batch that arrives twice at once exactly once', async () => {
      const jws = await fed.sign(shopmart, { indicators: sampleIndicators(500, 'race') });
      const before = await counts(fed);
      const answers = await Promise.all([post(fed, jws), post(fed, jws), post(fed, jws)]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 201]);
      const after = await counts(fed);
      assert.deepEqual([after.batches - before.batches, after.sightings - before.sightings, after.entries - before.entries], [1, 500, 1]);
    });
  });

  it('accepts batches of two members that share indicators in opposite orders, sent at once (no deadlock)', async () => {
    const other = await fed.addMember('othermart');
    for (let round = 0; round < 3; round += 1) {
      const shared = sampleIndicators(2000, `overlap${round}`);
      const jws = await Promise.all([fed.sign(shopmart, { indicators: shared }), fed.sign(other, { indicators: [...shared].reverse() })]);
      const answers = await Promise.all(jws.map((j) => post(fed, j)));
      assert.deepEqual(answers.map((a) => a.status), [201, 201], JSON.stringify(answers.map((a) => a.body['error'])));
    }
  });

  describe('when the body is too large', () => {
    it('refuses a real signed batch over 8 MiB with fewer than 10,000 indicators with BATCH_TOO_LARGE', async () => {
      const padded = sampleIndicators(9_000, 'huge').map((i) => ({ ...i, original: `${(i as { value: string }).value}${' '.repeat(900)}` }));
      const jws = await signRaw(envelope(shopmart, padded), shopmart);
      assert.ok(jws.length > 8 * 1024 * 1024 && jws.length < 16 * 1024 * 1024, `${jws.length} bytes`);
      const error = await expectRefused(fed, jws, 413, 'BATCH_TOO_LARGE');
      assert.equal(error.details?.['limit'], 8 * 1024 * 1024);
    });

    it('refuses a body over 16 MiB with BATCH_TOO_LARGE too, not a generic size error', async () => {
      const error = await expectRefused(fed, `${'a'.repeat(17 * 1024 * 1024)}.b.c`, 413, 'BATCH_TOO_LARGE');
      assert.equal(error.details?.['limit'], 8 * 1024 * 1024);
    });
  });

  describe('when the request is not a JWS', () => {
    it('refuses another content type with MALFORMED_JWS (415)', async () => {
      await expectRefused(fed, await fed.sign(shopmart, { indicators: sampleIndicators(1, 'ctype') }), 415, 'MALFORMED_JWS', 'text/plain');
    });
    it('refuses an empty body with MALFORMED_JWS', async () => {
      await expectRefused(fed, ' ', 400, 'MALFORMED_JWS');
    });
    it('refuses a payload with a field outside the envelope with INVALID_BATCH naming it', async () => {
      const error = await expectRefused(fed, await signRaw(envelope(shopmart, sampleIndicators(1, 'env'), { note: 'x' }), shopmart), 400, 'INVALID_BATCH');
      assert.equal(error.details?.['field'], 'note');
    });
  });

  describe('when an indicator breaks a rule across fields', () => {
    const base = { type: 'KEYWORD', value: 'ivorybangle', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 };
    const cases: Array<[string, object, string]> = [
      ['the same indicator twice in one batch', base, 'value'],
      ['a quality on a KEYWORD', { ...base, value: 'ivoryq', quality: 90 }, 'quality'],
      ['an original text that does not normalize to the value', { ...base, value: 'ivoryo', original: 'rhino horn' }, 'original'],
      ['expiresAt before observedAt', { ...base, value: 'ivorye', expiresAt: '2026-10-01T00:00:00Z' }, 'expiresAt'],
      ['a confidence over 100', { ...base, value: 'ivoryc', confidence: 101 }, 'confidence'],
      ['an unknown commodity', { ...base, value: 'ivoryu', commodity: 'UNICORN' }, 'commodity'],
    ];
    for (const [name, indicator, field] of cases) {
      it(`refuses ${name} with INVALID_INDICATOR at index 1, field ${field}`, async () => {
        const error = await expectRefused(fed, await fed.sign(shopmart, { indicators: [base, indicator] }), 422, 'INVALID_INDICATOR');
        assert.equal(error.details?.['index'], 1);
        assert.equal(error.details?.['field'], field);
        assert.match(error.message, new RegExp(`indicator 1: ${field}`));
      });
    }
  });

  describe('when a text value holds an identifier (a publisher that skips the node)', () => {
    const base = { type: 'KEYWORD', value: 'ivorybangleid', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 };
    // Each was accepted, signed into the log and served on main.
    const cases: Array<[string, object, string, string]> = [
      ['a phone in a keyword', { ...base, value: 'call13977310099now' }, 'value', 'phone'],
      ['a phone split by emoji in the original', { ...base, value: '象牙手镯加我13800138000', original: '象牙手镯 加我 138🐘0013🐘8000' }, 'original', 'phone'],
      ['an e-mail spelled with 圈 and 点', { ...base, value: 'ivoryking88圈qq点com' }, 'value', 'email'],
      ['a handle in the platform section', { ...base, value: 'ivorybangleps', context: { platformSection: 'wx-zzseller8812' } }, 'context.platformSection', 'chat'],
    ];
    for (const [name, indicator, field, kind] of cases) {
      it(`refuses ${name} with IDENTIFIER_IN_VALUE at index 1, field ${field}, never echoing it`, async () => {
        const error = await expectRefused(fed, await fed.sign(shopmart, { indicators: [{ ...base, value: `${base.value}${kind}` }, indicator] }), 422, 'IDENTIFIER_IN_VALUE');
        assert.deepEqual([error.details?.['index'], error.details?.['field'], error.details?.['kind']], [1, field, kind]);
        assert.doesNotMatch(JSON.stringify(error), /13977310099|0013|ivoryking|zzseller/);
      });
    }
  });

  describe('when an observation is dated outside its bounds (issue 21)', () => {
    const createdAt = new Date(Date.now() - 60_000);
    const at = (ms: number): string => new Date(ms).toISOString();
    const item = (value: string, observedAt: string) => ({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt, confidence: 80 });
    for (const [name, observedAt] of [
      ['9999-12-31 (it would be every lastSeenAt for ever)', '9999-12-31T23:59:59Z'],
      ['more than 5 minutes after the batch is created', at(createdAt.getTime() + 5 * 60_000 + 1000)],
      ['before 2000-01-01', '1999-12-31T23:59:59Z'],
    ] as const) {
      it(`refuses ${name} with OBSERVED_AT_OUT_OF_RANGE, index and field, storing nothing`, async () => {
        const jws = await fed.sign(shopmart, { createdAt: createdAt.toISOString(), indicators: [item('ivoryontime', at(createdAt.getTime())), item('ivorylate', observedAt)] });
        const error = await expectRefused(fed, jws, 422, 'OBSERVED_AT_OUT_OF_RANGE');
        assert.deepEqual([error.details?.['index'], error.details?.['field']], [1, 'observedAt']);
      });
    }
    it('accepts the edges: 2000-01-01 exactly, and up to 5 minutes after createdAt (clock skew)', async () => {
      await expectAccepted(fed, await fed.sign(shopmart, { createdAt: createdAt.toISOString(), indicators: [item('ivoryoldest', '2000-01-01T00:00:00Z'), item('ivoryskew', at(createdAt.getTime() + 5 * 60_000))] }));
    });
  });

  describe('when the batch comes through GraphQL publishBatch', () => {
    const publish = async (jws: string): Promise<{ code: unknown; details: unknown; data: unknown }> => {
      const before = await counts(fed);
      const { body } = await graphql(fed.hub.url, 'mutation($jws: String!) { publishBatch(jws: $jws) { leafIndex } }', { jws });
      assert.deepEqual(await counts(fed), before, 'a refused batch changes nothing');
      const error = body.errors?.[0];
      return { code: error?.extensions?.['code'], details: error?.extensions?.['details'], data: body.data };
    };

    it('gives BAD_SIGNATURE for a tampered payload', async () => {
      const [h, p, s] = (await fed.sign(shopmart, { indicators: sampleIndicators(1, 'gqltamper') })).split('.');
      const edited = Buffer.from(Buffer.from(p!, 'base64url').toString().replace('"confidence":80', '"confidence":10')).toString('base64url');
      assert.equal((await publish(`${h}.${edited}.${s}`)).code, 'BAD_SIGNATURE');
    });
    it('gives INVALID_INDICATOR with the index and field', async () => {
      const refusal = await publish(await fed.sign(shopmart, { indicators: [{ type: 'IMAGE_SHA256', value: 'xyz', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 1 }] }));
      assert.equal(refusal.code, 'INVALID_INDICATOR');
      const details = refusal.details as { index?: number; field?: string };
      assert.deepEqual([details.index, details.field], [0, 'value']);
      assert.equal(refusal.data, null);
    });
    it('gives UNKNOWN_SIGHTING for a retraction of what was never reported', async () =>
      assert.equal((await publish(await fed.sign(shopmart, { indicators: [], retractions: [{ indicatorId: indicatorId('KEYWORD', 'gqlnever'), reason: 'mistake' }] }))).code, 'UNKNOWN_SIGHTING'));
    it('gives BATCH_ID_CONFLICT for a reused batch id', async () => {
      const batchId = randomUUID();
      await expectAccepted(fed, await fed.sign(shopmart, { batchId, indicators: sampleIndicators(1, 'gqlid') }));
      assert.equal((await publish(await fed.sign(shopmart, { batchId, indicators: sampleIndicators(1, 'gqlid2') }))).code, 'BATCH_ID_CONFLICT');
    });
    it('gives MALFORMED_JWS for garbage', async () => assert.equal((await publish('a.b')).code, 'MALFORMED_JWS'));
  });
});

describe('certificates used inside and outside their validity', () => {
  it('accepts a batch created inside the validity even when it arrives after expiry, and refuses one created after it or before it with CERT_EXPIRED', async (t) => {
    const clock = fixedClock('2026-06-01T00:00:00Z');
    const fed = await startTestFederation({ clock });
    t.after(() => fed.close());
    const member = await fed.addMember('shortlived', { validityDays: 1 });
    const sign = (createdAt: Date, seed: string): Promise<string> =>
      signBatch({ v: 1, batchId: randomUUID(), member: 'shortlived', createdAt: createdAt.toISOString(), tlp: 'AMBER', indicators: sampleIndicators(2, seed, '2026-04-01T00:00:00Z') }, { keyPem: member.keyPem, chainPem: [member.certPem] });
    const inside = await sign(new Date('2026-06-01T12:00:00Z'), 'inside');
    clock.advance(3 * 86_400_000);
    await expectAccepted(fed, inside);
    const late = await expectRefused(fed, await sign(clock.now(), 'late'), 403, 'CERT_EXPIRED');
    assert.equal(late.details?.['reason'], 'EXPIRED');
    const early = await expectRefused(fed, await sign(new Date('2026-05-01T00:00:00Z'), 'early'), 403, 'CERT_EXPIRED');
    assert.equal(early.details?.['reason'], 'NOT_YET_VALID');
    assert.match(late.message, /not valid at/);
  });
});

describe('rotation and revocation', () => {
  let fed: TestFederation;
  before(async () => {
    fed = await startTestFederation();
  });
  after(() => fed.close());

  it('lets both certificates of a rotating member sign, and revoking one serial leaves the other working', async () => {
    const old = await fed.addMember('rotating');
    const renewed = await fed.addMember('rotating');
    const view = (await fed.hub.services.members.get('rotating'))!;
    assert.equal(view.certificates.length, 2);
    await expectAccepted(fed, await fed.sign(old, { indicators: sampleIndicators(1, 'oldcert') }));
    await expectAccepted(fed, await fed.sign(renewed, { indicators: sampleIndicators(1, 'newcert') }));
    const signedBefore = await fed.sign(old, { indicators: sampleIndicators(1, 'oldbefore') });
    await new Promise((r) => setTimeout(r, 20));
    const { revoked } = await fed.hub.services.members.revoke({ slug: 'rotating', serial: view.certificates[0]!.serial, reason: 'superseded' });
    assert.deepEqual(revoked, [view.certificates[0]!.serial]);
    const error = await expectRefused(fed, await fed.sign(old, { indicators: sampleIndicators(1, 'oldafter') }), 403, 'CERT_REVOKED');
    assert.equal(error.details?.['serialHex'], view.certificates[0]!.serial);
    const late = await expectRefused(fed, signedBefore, 403, 'CERT_REVOKED');
    assert.equal(late.details?.['serialHex'], view.certificates[0]!.serial, 'signed before the revocation, received after: refused all the same');
    await expectAccepted(fed, await fed.sign(renewed, { indicators: sampleIndicators(1, 'newafter') }));
  });

  it('after revoking a member: earlier batches stay, a replay of one is still its receipt, later ones are refused', async () => {
    const leaving = await fed.addMember('leaving');
    const kept = await fed.sign(leaving, { indicators: sampleIndicators(2, 'kept') });
    const receipt = await expectAccepted(fed, kept);
    await new Promise((r) => setTimeout(r, 20));
    const { revokedAt } = await fed.hub.services.members.revoke({ slug: 'leaving', reason: 'cessationOfOperation' });
    await expectRefused(fed, await fed.sign(leaving, { indicators: sampleIndicators(1, 'gone') }), 403, 'CERT_REVOKED');
    assert.deepEqual(await expectAccepted(fed, kept, 200), { ...receipt, duplicate: true });
    const { body } = await fed.read('query($id: ID!) { indicator(id: $id) { members } }', { id: indicatorId('KEYWORD', 'ivorykept0') });
    assert.deepEqual(body.data, { indicator: { members: ['leaving'] } });
    const entries: Array<{ kind: string }> = await fed.hub.database.dataSource.query(`SELECT kind FROM tlog_entries WHERE created_at >= $1 AND kind = 'revocation'`, [revokedAt]);
    assert.equal(entries.length, 1, 'the revocation is in the transparency log');
  });
});

describe('retracting an indicator that two members reported', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  const id = indicatorId('KEYWORD', 'ivoryshared0');
  // Signed as if three minutes ago: the hub records when it received the retraction, not the member's claim.
  const retract = (member: TestMember, batchId = randomUUID()): Promise<string> =>
    fed.sign(member, { batchId, createdAt: new Date(Date.now() - 180_000).toISOString(), indicators: [], retractions: [{ indicatorId: id, reason: 'false positive' }] });
  const indicator = async (): Promise<{ members: string[]; sightingCount: number } | null> =>
    (await fed.read('query($id: ID!) { indicator(id: $id) { members sightingCount } }', { id })).body.data!['indicator'] as never;
  const total = async (filter = ''): Promise<number> =>
    ((await fed.read(`{ indicators(first: 1${filter}) { totalCount } }`)).body.data!['indicators'] as { totalCount: number }).totalCount;

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    await expectAccepted(fed, await fed.sign(shopmart, { indicators: sampleIndicators(3, 'shared') }));
    await expectAccepted(fed, await fed.sign(chatapp, { indicators: sampleIndicators(1, 'shared') }));
  });
  after(() => fed.close());

  it('keeps the indicator visible with the other member when one retracts, and stops counting the retracted sighting', async () => {
    assert.deepEqual(await indicator(), { members: ['chatapp', 'shopmart'], sightingCount: 2 });
    const [totalBefore, shopmartBefore] = [await total(), await total(', filter: { member: "shopmart" }')];
    const batchId = randomUUID();
    await expectAccepted(fed, await retract(shopmart, batchId));
    assert.deepEqual(await indicator(), { members: ['chatapp'], sightingCount: 1 });
    assert.equal(await total(), totalBefore);
    assert.equal(await total(', filter: { member: "shopmart" }'), shopmartBefore - 1);
    const rows: Array<{ retracted_at: Date | null; retracted_by: string | null; reason: string | null }> = await fed.hub.database.dataSource.query(
      `SELECT s.retracted_at, s.retracted_by::text AS retracted_by, s.retract_reason AS reason FROM sightings s WHERE s.indicator_id = $1 AND s.member = 'shopmart'`,
      [id],
    );
    assert.equal(rows.length, 1, 'the sighting is kept, never deleted');
    assert.ok(rows[0]!.retracted_at instanceof Date);
    assert.ok(Date.now() - rows[0]!.retracted_at.getTime() < 60_000, `retracted at ${rows[0]!.retracted_at.toISOString()}: the time of receipt, not the signed createdAt`);
    assert.deepEqual({ by: rows[0]!.retracted_by, reason: rows[0]!.reason }, { by: batchId, reason: 'false positive' });
  });

  it('refuses to retract the same sighting twice with UNKNOWN_SIGHTING', async () => {
    const error = await expectRefused(fed, await retract(shopmart), 422, 'UNKNOWN_SIGHTING');
    assert.deepEqual(error.details, { index: 0, indicatorId: id });
  });

  it('hides the indicator when its last live sighting is retracted, and the total drops', async () => {
    const totalBefore = await total();
    await expectAccepted(fed, await retract(chatapp));
    assert.equal(await indicator(), null);
    assert.equal(await total(), totalBefore - 1);
    const rows: Array<{ n: number }> = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM sightings WHERE indicator_id = $1 AND retracted_at IS NOT NULL`, [id]);
    assert.equal(rows[0]?.n, 2);
  });

  it('makes it live again when a member reports it anew', async () => {
    await expectAccepted(fed, await fed.sign(chatapp, { indicators: sampleIndicators(1, 'shared') }));
    assert.deepEqual(await indicator(), { members: ['chatapp'], sightingCount: 1 });
  });
});
