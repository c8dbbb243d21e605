/**
 * What the hub refuses, with codes, when requests are filed and answered: requests not signed by
 * the agency's key or not bound to the filing token, sellers the token cannot see; answers that
 * were tampered with, replayed, sent by a member the request was not routed to, moved onto another
 * request, encrypted to another key, or sent after expiry (an injected clock moves the hub and the
 * members a month on). Member records are signed here by hand with the members' real keys.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { CompactSign, type CompactJWSHeaderParameters } from 'jose';
import { encryptAnswer, encryptionKeyOf, generateAgencyKeys, recordSha256, signMemberStep, type MemberStepPayload } from '../src/disclosure/index.js';
import { indicatorId } from '../src/indicators/index.js';
import { canonicalBytes, signMemberRequest } from '../src/provenance/index.js';
import type { Clock } from '../src/kernel/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { fileRequest, testAgency, type TestAgency } from './helpers/disclosure.js';
import { graphql } from './helpers/hub-process.js';

const DAY = 86_400_000;

/** `jws` with its payload edited and signed again under the same header, past the signer's own checks, as a hostile party would. */
function signUnchecked(jws: string, edit: object, keyPem: string): Promise<string> {
  const [h, p] = jws.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as CompactJWSHeaderParameters;
  const payload = { ...(JSON.parse(Buffer.from(p!, 'base64url').toString()) as object), ...edit };
  return new CompactSign(canonicalBytes(payload)).setProtectedHeader(header).sign(createPrivateKey(keyPem));
}
const common = { commodity: 'PANGOLIN', confidence: 70, observedAt: '2026-05-01T00:00:00Z' };
const fingerprintOf = (): string => `fp1.2026-01.${randomBytes(32).toString('base64url')}`;

/** The system clock moved by an offset the test sets: tokens and certificates keep working. */
function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

describe('disclosure refusals', () => {
  const clock = offsetClock();
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let searchco: TestMember;
  let customs: TestAgency;
  let token: string;
  const seller = fingerprintOf();
  let keywordId: string;

  const memberToken = (m: TestMember): Promise<string> => signMemberRequest({ keyPem: m.keyPem, chainPem: [m.certPem], member: m.slug, audience: fed.config.HUB_ORIGIN, now: clock.now(), jti: randomUUID() });
  const post = async (as: TestMember, requestId: string, record: string): Promise<{ status: number; code?: string; body: Record<string, unknown> }> => {
    const res = await fetch(`${fed.hub.url}/v1/disclosures/${requestId}/steps`, { method: 'POST', headers: { 'content-type': 'application/jose', authorization: `Bearer ${await memberToken(as)}` }, body: record });
    const body = (await res.json()) as Record<string, unknown>;
    return { status: res.status, code: (body['error'] as { code?: string } | undefined)?.code, body };
  };
  const request = async (requestId: string): Promise<{ jws: string }> => {
    const [row] = (await fed.hub.database.dataSource.query(`SELECT request_jws FROM disclosure_requests WHERE request_id = $1`, [requestId])) as Array<{ request_jws: string }>;
    return { jws: row!.request_jws };
  };
  const answer = async (m: TestMember, requestId: string, options: { to?: Parameters<typeof encryptAnswer>[1]; step?: Partial<MemberStepPayload> } = {}): Promise<string> => {
    const { jws } = await request(requestId);
    const jwe = await encryptAnswer({ v: 1, requestId, member: m.slug, fingerprint: seller, identifier: { kind: 'phone', value: '+86 138 0000 0000' }, firstSeenAt: common.observedAt, lastSeenAt: common.observedAt }, options.to ?? encryptionKeyOf(customs.publicKeys));
    return signMemberStep({ v: 1, step: 'answered', requestId, member: m.slug, requestSha256: recordSha256(jws), at: clock.now().toISOString(), answer: jwe, ...options.step } as MemberStepPayload, { keyPem: m.keyPem, chainPem: [m.certPem] });
  };
  const file = async (extra: Parameters<TestAgency['sign']>[2] = {}) => {
    const filed = await fileRequest(fed, token, await customs.sign(token, { fingerprint: seller }, { createdAt: clock.now().toISOString(), ...extra }));
    assert.equal(filed.code, undefined, filed.message);
    return filed.request!.id;
  };

  before(async () => {
    fed = await startTestFederation({ clock });
    [shopmart, chatapp, searchco] = await Promise.all([fed.addMember('shopmart'), fed.addMember('chatapp'), fed.addMember('searchco')]);
    const keyword = { type: 'KEYWORD', value: '穿山甲片', ...common };
    await fed.hub.services.ingest.accept(await fed.sign(shopmart, { indicators: [{ type: 'SELLER', value: seller, ...common }, keyword] }));
    await fed.hub.services.ingest.accept(await fed.sign(chatapp, { indicators: [{ type: 'SELLER', value: seller, ...common }] }));
    keywordId = indicatorId('KEYWORD', '穿山甲片');
    customs = await testAgency(fed);
    token = await customs.token();
  });
  after(async () => {
    await fed?.close();
  });

  describe('when filing', () => {
    it('refuses a request not signed by the agency’s registered signing key', async () => {
      const impostor = await generateAgencyKeys();
      const { signDisclosureRequest } = await import('../src/disclosure/index.js');
      const signed = await customs.sign(token, { fingerprint: seller });
      const payload = JSON.parse(Buffer.from(signed.split('.')[1]!, 'base64url').toString()) as Parameters<typeof signDisclosureRequest>[0];
      const forged = await signDisclosureRequest(payload, impostor.signingKeyPem);
      assert.equal((await fileRequest(fed, token, forged)).code, 'REQUEST_SIGNATURE');
      const [h, p, s] = signed.split('.');
      const altered = `${h}.${Buffer.from(JSON.stringify({ ...payload, caseId: 'OTHER' })).toString('base64url')}.${s}`;
      assert.equal((await fileRequest(fed, token, altered)).code, 'REQUEST_SIGNATURE', `payload ${p?.length} changed under the same signature`);
      assert.equal((await fileRequest(fed, token, 'not.a.jws.at.all')).code, 'INVALID_DISCLOSURE');
    });

    it('refuses terminal escapes and bidi controls in the officer and the legal basis with INVALID_DISCLOSURE naming the field, and files nothing', async () => {
      const before = (await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM disclosure_requests`))[0].n as number;
      const cases: Array<[Parameters<TestAgency['sign']>[2], string]> = [
        [{ officer: 'Insp. Li\u001b]0;pwned\u0007' }, 'officer'],
        [{ officer: 'Insp. \u202eiL' }, 'officer'],
        [{ legalBasis: { reference: 'CUS-2026\u001b[2J', text: 'Art. 3' } }, 'legalBasis.reference'],
        [{ legalBasis: { reference: 'CUS-2026-118', text: 'Art. 3\r\u001b[1A approve all' } }, 'legalBasis.text'],
        [{ legalBasis: { reference: 'CUS-2026-118', text: 'Art. 3 \u2066hidden\u2069' } }, 'legalBasis.text'],
        [{ legalBasis: { reference: 'CUS-2026-118', text: 'Art. 3\u0085' } }, 'legalBasis.text'],
      ];
      for (const [extra, field] of cases) {
        const good = await customs.sign(token, { fingerprint: seller }, { createdAt: clock.now().toISOString() });
        const filed = await fileRequest(fed, token, await signUnchecked(good, extra!, customs.signingKeyPem));
        assert.equal(filed.code, 'INVALID_DISCLOSURE', `${field}: ${filed.message}`);
        assert.match(filed.message ?? '', new RegExp(`${field.replace('.', '\\.')} contains the control character U\\+`));
      }
      assert.equal(await file({ legalBasis: { reference: 'CUS-2026-118', text: 'Art. 3\n\tline two, 象牙 🐘' } }).then(() => 'filed'), 'filed', 'tab and line feed stay allowed in the legal basis');
      const after = (await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM disclosure_requests`))[0].n as number;
      assert.equal(after, before + 1);
    });

    it('refuses a request bound to another token, agency or time, and needs the scope', async () => {
      const other = await customs.token();
      assert.equal((await fileRequest(fed, token, await customs.sign(other, { fingerprint: seller }))).code, 'REQUEST_MISMATCH', 'signed for another token');
      assert.equal((await fileRequest(fed, token, await customs.sign(token, { fingerprint: seller }, { createdAt: new Date(clock.now().getTime() - 3_600_000).toISOString() }))).code, 'REQUEST_MISMATCH', 'an hour old');
      const forestry = await testAgency(fed, 'forestry');
      const theirs = await forestry.token();
      assert.equal((await fileRequest(fed, theirs, await customs.sign(theirs, { fingerprint: seller }))).code, 'REQUEST_SIGNATURE', "customs' request filed by forestry");
      const reader = await customs.token('indicators:read sellers:read');
      assert.equal((await fileRequest(fed, reader, await customs.sign(reader, { fingerprint: seller }))).code, 'FORBIDDEN');
      const keyless = await testAgency(fed, 'police', { register: false });
      const police = await keyless.token();
      assert.equal((await fileRequest(fed, police, await keyless.sign(police, { fingerprint: seller }))).code, 'NO_AGENCY_KEY');
    });

    it('refuses sellers the token cannot see and indicators that are not sellers, as the hub’s visibility decides', async () => {
      const blind = await customs.token('indicators:read disclosure:request');
      assert.equal((await fileRequest(fed, blind, await customs.sign(blind, { fingerprint: seller }))).code, 'NOT_FOUND', 'no sellers:read');
      const green = await customs.token(undefined, { tlp: 'GREEN' });
      assert.equal((await fileRequest(fed, green, await customs.sign(green, { fingerprint: seller }))).code, 'NOT_FOUND', 'AMBER sightings above a GREEN token');
      assert.equal((await fileRequest(fed, token, await customs.sign(token, { fingerprint: fingerprintOf() }))).code, 'NOT_FOUND', 'never reported');
      assert.equal((await fileRequest(fed, token, await customs.sign(token, { indicatorId: keywordId }))).code, 'NOT_A_SELLER');
    });

    it('returns the original for the same request twice and refuses other bytes under its id', async () => {
      const jws = await customs.sign(token, { fingerprint: seller }, { createdAt: clock.now().toISOString() });
      const first = await fileRequest(fed, token, jws);
      const again = await fileRequest(fed, token, jws);
      assert.deepEqual([first.duplicate, again.duplicate, again.request?.id], [false, true, first.request?.id]);
      const requestId = first.request!.id;
      const conflicting = await customs.sign(token, { fingerprint: seller }, { requestId, caseId: 'CASE-OTHER' });
      assert.equal((await fileRequest(fed, token, conflicting)).code, 'DISCLOSURE_REPLAYED');
    });
  });

  describe('when a member answers', () => {
    let requestId: string;
    before(async () => {
      requestId = await file();
    });

    it('refuses an answer whose bytes were changed after signing', async () => {
      const [h, p, s] = (await answer(shopmart, requestId)).split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, at: '2020-01-01T00:00:00.000Z' })).toString('base64url')}.${s}`;
      const res = await post(shopmart, requestId, tampered);
      assert.deepEqual([res.status, res.code, (res.body['error'] as { details?: { reason?: string } }).details?.reason], [400, 'ANSWER_TAMPERED', 'BAD_SIGNATURE']);
      const respaced = `${h}.${Buffer.from(JSON.stringify(payload, null, 1)).toString('base64url')}.${s}`;
      const bad = await post(shopmart, requestId, respaced);
      assert.deepEqual([bad.status, bad.code, (bad.body['error'] as { details?: { reason?: string } }).details?.reason], [400, 'ANSWER_TAMPERED', 'MALFORMED_JWS'], 'the payload is no longer canonical');
    });

    it('refuses an answer from a member the request was not routed to, or signed for another member', async () => {
      assert.deepEqual(Object.values(await post(searchco, requestId, await answer(searchco, requestId))).slice(0, 2), [403, 'NOT_ROUTED']);
      assert.deepEqual(Object.values(await post(chatapp, requestId, await answer(shopmart, requestId))).slice(0, 2), [400, 'ANSWER_INVALID'], "shopmart's record sent by chatapp");
    });

    it('refuses an answer moved onto another request, for another version of it, or encrypted to another key', async () => {
      const other = await file();
      assert.equal((await post(shopmart, other, await answer(shopmart, requestId))).code, 'ANSWER_INVALID', 'for another request');
      assert.equal((await post(shopmart, requestId, await answer(shopmart, requestId, { step: { requestSha256: recordSha256('another request') } }))).code, 'ANSWER_INVALID');
      const stranger = encryptionKeyOf((await generateAgencyKeys()).publicKeys);
      assert.equal((await post(shopmart, requestId, await answer(shopmart, requestId, { to: stranger }))).code, 'ANSWER_INVALID');
      assert.equal((await post(shopmart, requestId, await answer(shopmart, requestId, { step: { answer: 'e30.x.y.z.w' } }))).code, 'ANSWER_INVALID');
    });

    it('records one answer, refuses it replayed and any second outcome', async () => {
      const record = await answer(shopmart, requestId);
      const first = await post(shopmart, requestId, record);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const replay = await post(shopmart, requestId, record);
      assert.deepEqual([replay.status, replay.code, (replay.body['error'] as { details: { leafIndex: number } }).details.leafIndex], [409, 'ANSWER_REPLAYED', first.body['leafIndex']]);
      assert.deepEqual([(await post(shopmart, requestId, await answer(shopmart, requestId))).code], ['STEP_ALREADY_RECORDED'], 'a second, different answer');
      const { jws } = await request(requestId);
      const decline = await signMemberStep({ v: 1, step: 'declined', requestId, member: 'shopmart', requestSha256: recordSha256(jws), at: clock.now().toISOString(), reason: 'OTHER' }, { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] });
      assert.equal((await post(shopmart, requestId, decline)).code, 'STEP_ALREADY_RECORDED', 'a decline after the answer');
      assert.equal((await post(shopmart, randomUUID(), record)).code, 'ANSWER_INVALID', 'posted under another request id');
    });

    it('refuses a decline whose note carries terminal escapes, and records nothing for it', async () => {
      const fresh = await file();
      const { jws } = await request(fresh);
      const decline = (note: string) => signMemberStep({ v: 1, step: 'declined', requestId: fresh, member: 'shopmart', requestSha256: recordSha256(jws), at: clock.now().toISOString(), reason: 'OTHER', note }, { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] });
      const refused = await post(shopmart, fresh, await signUnchecked(await decline('no record'), { note: 'no record\u001b[2J\u001b[Happroved' }, shopmart.keyPem));
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(JSON.stringify(refused.body), /note contains the control character U\+001B/);
      const accepted = await post(shopmart, fresh, await decline('no record of this seller;\nsee our policy'));
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    });

    it('refuses agency tokens on the member routes and records the attempt in the access audit', async () => {
      const res = await fetch(`${fed.hub.url}/v1/disclosures`, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual([res.status, ((await res.json()) as { error: { code: string } }).error.code], [403, 'FORBIDDEN']);
      const rows = (await fed.hub.database.dataSource.query(`SELECT agency, operation, outcome FROM access_records WHERE operation = 'GET /v1/disclosures'`)) as unknown[];
      assert.deepEqual(rows, [{ agency: 'customs', operation: 'GET /v1/disclosures', outcome: 'ERROR' }]);
      const none = await fetch(`${fed.hub.url}/v1/disclosures`);
      assert.equal(none.status, 401);
    });

    it('refuses every step once the request expired, and stops routing it', async () => {
      const late = await file({ expiresAt: new Date(clock.now().getTime() + 2 * DAY).toISOString() });
      const open = async (m: TestMember): Promise<string[]> => ((await (await fetch(`${fed.hub.url}/v1/disclosures`, { headers: { authorization: `Bearer ${await memberToken(m)}` } })).json()) as { requests: Array<{ requestId: string }> }).requests.map((r) => r.requestId);
      assert.ok((await open(chatapp)).includes(late));
      clock.advance(3 * DAY);
      assert.ok(!(await open(chatapp)).includes(late), 'an expired request is no longer served');
      const res = await post(chatapp, late, await answer(chatapp, late));
      assert.deepEqual([res.status, res.code], [410, 'DISCLOSURE_EXPIRED']);
      const requests = await graphql(fed.hub.url, 'query { disclosureRequests(first: 50) { requests { id expired } } }', {}, { authorization: `Bearer ${await customs.token()}` });
      const listed = (requests.body.data!['disclosureRequests'] as { requests: Array<{ id: string; expired: boolean }> }).requests.find((r) => r.id === late);
      assert.equal(listed?.expired, true);
      clock.advance(30 * DAY);
      const capped = await fileRequest(fed, await customs.token(), 'x');
      assert.equal(capped.code, 'INVALID_DISCLOSURE');
    });

    it('caps a request’s life at DISCLOSURE_TTL_DAYS (30 by default)', async () => {
      const fresh = await customs.token();
      const filed = await fileRequest(fed, fresh, await customs.sign(fresh, { fingerprint: seller }, { createdAt: clock.now().toISOString(), expiresAt: new Date(clock.now().getTime() + 400 * DAY).toISOString() }));
      const lifetime = Date.parse(filed.request!.expiresAt) - clock.now().getTime();
      assert.ok(lifetime > 29.9 * DAY && lifetime <= 30 * DAY, `expires in ${lifetime / DAY} days`);
    });
  });
});
