/**
 * Referrals from members to agencies (issue #22), at a real hub over GraphQL with real member
 * certificates, agency keys and tokens: routing by registered competence (one referral per
 * agency, one caseRef), the member's signature verified before anything is trusted, evidence the
 * hub cannot read and the agency can, every step logged by hash as a `referral` entry, the
 * overdue rule on the hub's clock, and each agency seeing only what was routed to it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMemberKeyAndCsr, createRootCa, signMemberCsr } from '../src/pki/index.js';
import { buildProgram } from '../src/cli/main.js';
import { createLogger, fixedClock, systemRandom } from '../src/kernel/index.js';
import { parseAgencyKeySet } from '../src/disclosure/index.js';
import { signMemberRecord, signMemberRequest } from '../src/provenance/index.js';
import { decryptEvidence, REFERRAL_TYP, referralRecordSha256, signReferrals, type ReferralDraft, type ReceivingAgency } from '../src/referrals/index.js';
import { parseEntry } from '../src/tlog/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { testAgency, type TestAgency } from './helpers/disclosure.js';
import { graphql } from './helpers/hub-process.js';

const FP = 'fp1.k1.n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
const SECRET = 'PLAINTEXT-MARKER-象牙-7731';
const draft = (extra: Partial<ReferralDraft> = {}): ReferralDraft => ({ sellers: [FP], indicators: [], summary: 'Seller moves carved ivory bangles through three shops', urgency: 'HIGH', commodity: 'IVORY', place: 'CN-YN', ...extra });
const REFERRAL_FIELDS = 'id caseRef member agency routing sellers summary urgency commodity place evidence state overdue filedAt acknowledgedAt declineReason result closeNote records { step by recordSha256 result leafIndex }';

interface ReferralData {
  id: string;
  caseRef: string;
  agency: string;
  state: string;
  overdue: boolean;
  evidence: string | null;
  result: string | null;
  records: Array<{ step: string; by: string; recordSha256: string; result: string | null; leafIndex: number }>;
}

describe('referrals from members to agencies', () => {
  const clock = fixedClock('2026-12-01T08:00:00Z');
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let customs: TestAgency;
  let forestry: TestAgency;
  const tokens = new Map<string, string>();

  const memberToken = (m: TestMember) => signMemberRequest({ keyPem: m.keyPem, chainPem: [m.certPem], member: m.slug, audience: fed.config.HUB_ORIGIN, now: clock.now(), jti: randomUUID() });
  const asMember = async (m: TestMember, query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${await memberToken(m)}` });
  const asAgency = (a: TestAgency | string, query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${tokens.get(typeof a === 'string' ? a : a.slug)}` });
  const code = (res: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }) => res.body.errors?.[0]?.extensions?.['code'];

  /** What a member node does: ask the hub who receives it, sign one record per agency, file each. */
  async function refer(m: TestMember, d: ReferralDraft, agency?: string): Promise<{ caseRef: string; referrals: Array<{ referralId: string; agency: string; record: string }> }> {
    const res = await asMember(m, 'query($c: Commodity!, $p: String!, $a: String) { referralAgencies(commodity: $c, place: $p, agency: $a) { agency jwks } }', { c: d.commodity, p: d.place, a: agency ?? null });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const listed = res.body.data!['referralAgencies'] as Array<{ agency: string; jwks: string | null }>;
    const agencies: ReceivingAgency[] = await Promise.all(listed.map(async (a) => ({ agency: a.agency, keys: a.jwks === null ? null : await parseAgencyKeySet(JSON.parse(a.jwks)) })));
    const signed = await signReferrals(d, { agencies, routing: agency === undefined ? 'COMPETENCE' : 'NAMED' }, { member: m.slug, signer: { keyPem: m.keyPem, chainPem: [m.certPem] }, random: systemRandom });
    for (const r of signed.referrals) {
      const filed = await file(m, r.record);
      assert.equal(filed.body.errors, undefined, JSON.stringify(filed.body.errors));
    }
    return signed;
  }
  const file = async (m: TestMember, record: string) => asMember(m, `mutation($r: String!) { fileReferral(record: $r) { duplicate leafIndex referral { id state } } }`, { r: record });
  const read = async (a: TestAgency | string, id: string) => asAgency(a, `query($id: ID!) { referral(id: $id) { ${REFERRAL_FIELDS} } }`, { id });

  /** Agency tokens live an hour: issued again once the test moves the hub's clock on. */
  const issueTokens = async () => {
    for (const a of ['customs', 'forestry', 'police']) tokens.set(a, await fed.token('referrals:read referrals:act', { agency: a }));
  };

  before(async () => {
    fed = await startTestFederation({ clock, env: { REFERRAL_ACK_HOURS: '72' } });
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    customs = await testAgency(fed, 'customs');
    forestry = await testAgency(fed, 'forestry');
    // police registers no disclosure keys: it can receive referrals, not evidence.
    await testAgency(fed, 'police', { register: false });
    await issueTokens();
    const competence = { customs: [['IVORY', 'PANGOLIN'], ['CN']], forestry: [['IVORY'], ['CN-YN', 'region:golden-triangle']], police: [['PANGOLIN'], ['CN']] } as const;
    for (const [slug, [commodities, jurisdictions]] of Object.entries(competence)) {
      const res = await asAgency(slug, 'mutation($c: [Commodity!]!, $j: [String!]!) { setReferralCompetence(commodities: $c, jurisdictions: $j) { agency commodities jurisdictions } }', { c: commodities, j: jurisdictions });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    }
  });
  after(() => fed?.close());

  it('routes by competence: one referral per covering agency, sharing a caseRef; a country covers its subdivisions', async () => {
    const { caseRef, referrals } = await refer(shopmart, draft());
    assert.deepEqual(referrals.map((r) => r.agency).sort(), ['customs', 'forestry']);
    for (const r of referrals) {
      const got = (await read(r.agency, r.referralId)).body.data!['referral'] as ReferralData;
      assert.equal(got.caseRef, caseRef);
      assert.equal(got.state, 'FILED');
      assert.deepEqual(got.records.map((x) => [x.step, x.by]), [['FILED', 'member:shopmart']]);
    }
    // police covers pangolin only: a pangolin case in Yunnan goes to customs and police, not forestry.
    assert.deepEqual((await refer(shopmart, draft({ commodity: 'PANGOLIN' }))).referrals.map((r) => r.agency).sort(), ['customs', 'police']);
    assert.deepEqual((await refer(shopmart, draft({ place: 'region:golden-triangle' }))).referrals.map((r) => r.agency), ['forestry']);
  });

  it('refuses a case no agency covers, unknown places and an unknown named agency, and a named agency receives it alone', async () => {
    const none = await asMember(shopmart, 'query { referralAgencies(commodity: IVORY, place: "KE") { agency } }');
    assert.equal(code(none), 'NO_COMPETENT_AGENCY');
    for (const place of ['XX', 'cn', 'CN_YN', 'ZZ', 'region:', 'CN-\u202eYN']) assert.equal(code(await asMember(shopmart, 'query($p: String!) { referralAgencies(commodity: IVORY, place: $p) { agency } }', { p: place })), 'INVALID_REFERRAL', place);
    assert.equal(code(await asMember(shopmart, 'query { referralAgencies(commodity: IVORY, place: "KE", agency: "interpol") { agency } }')), 'NO_COMPETENT_AGENCY');
    const named = await refer(shopmart, draft({ place: 'KE' }), 'police');
    assert.deepEqual(named.referrals.map((r) => r.agency), ['police']);
    // Routed by competence to an agency that does not cover it: refused although well signed.
    const wrong = await signReferrals(draft({ place: 'KE' }), { agencies: [{ agency: 'police', keys: null }], routing: 'COMPETENCE' }, { member: 'shopmart', signer: { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] }, random: systemRandom });
    assert.equal(code(await file(shopmart, wrong.referrals[0]!.record)), 'NO_COMPETENT_AGENCY');
  });

  it('verifies the member signature before trusting anything: altered, self-signed and another member’s records are refused, nothing stored', async () => {
    const count = () => fed.hub.services.log.size(fed.hub.database.dataSource);
    const signed = await signReferrals(draft(), { agencies: [{ agency: 'customs', keys: null }], routing: 'NAMED' }, { member: 'shopmart', signer: { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] }, random: systemRandom });
    const record = signed.referrals[0]!.record;
    const [h, p, s] = record.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...payload, urgency: 'LOW' }).replace(/\s/g, '')).toString('base64url')}.${s}`;
    const before = await count();
    assert.equal(code(await file(shopmart, altered)), 'REFERRAL_SIGNATURE');
    // A key and certificate naming shopmart, from a root of someone's own making (not the federation's).
    const rogueRoot = createRootCa({ commonName: 'Rogue Root', validityYears: 1, now: clock.now() });
    const rogue = createMemberKeyAndCsr({ member: 'shopmart' });
    const rogueCert = signMemberCsr({ csrPem: rogue.csrPem, ca: rogueRoot, now: clock.now() });
    const selfMade = await signMemberRecord(payload as never, REFERRAL_TYP, { keyPem: rogue.keyPem, chainPem: [rogueCert] });
    assert.equal(code(await file(shopmart, selfMade)), 'REFERRAL_SIGNATURE');
    assert.equal(code(await file(chatapp, record)), 'REFERRAL_MISMATCH');
    assert.equal(code(await file(shopmart, 'not.a.jws')), 'REFERRAL_SIGNATURE');
    assert.equal(await count(), before, 'nothing logged by a refusal');
    assert.equal(((await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM referrals WHERE referral_id = $1`, [signed.referrals[0]!.referralId])) as Array<{ n: number }>)[0]!.n, 0);
    // The genuine record is filed once; the same bytes again are a duplicate, other bytes under its id refused.
    const first = await file(shopmart, record);
    assert.equal((first.body.data!['fileReferral'] as { duplicate: boolean }).duplicate, false);
    assert.equal((((await file(shopmart, record)).body.data!['fileReferral']) as { duplicate: boolean }).duplicate, true);
    const sameId = await signMemberRecord({ ...payload, summary: 'another summary' } as never, REFERRAL_TYP, { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] });
    assert.equal(code(await file(shopmart, sameId)), 'REFERRAL_REPLAYED');
  });

  it('keeps evidence opaque to the hub: ciphertext to each agency’s own key, which that agency alone decrypts', async () => {
    const evidence = [{ name: 'listing.png', mediaType: 'image/png', data: Buffer.from(SECRET).toString('base64') }, { name: 'listing.json', mediaType: 'application/json', data: Buffer.from(JSON.stringify({ text: SECRET })).toString('base64') }];
    const { referrals } = await refer(shopmart, draft({ evidence }));
    const stored = JSON.stringify(await fed.hub.database.dataSource.query(`SELECT r.*, s.* FROM referrals r JOIN referral_steps s USING (referral_id) WHERE r.referral_id = ANY($1::uuid[])`, [referrals.map((r) => r.referralId)]));
    assert.ok(!stored.includes(SECRET) && !stored.includes(Buffer.from(SECRET).toString('base64')), 'the hub holds no plaintext evidence');
    const forCustoms = (await read(customs, referrals.find((r) => r.agency === 'customs')!.referralId)).body.data!['referral'] as ReferralData;
    const opened = await decryptEvidence(forCustoms.evidence!, customs.encryptionKeyPem, forCustoms.id);
    assert.equal(Buffer.from(opened.files[0]!.data, 'base64').toString('utf8'), SECRET);
    await assert.rejects(decryptEvidence(forCustoms.evidence!, forestry.encryptionKeyPem, forCustoms.id), { code: 'INVALID_REFERRAL' });
    // An agency with no registered key cannot be sent evidence: the member is told before signing.
    await assert.rejects(refer(shopmart, draft({ commodity: 'PANGOLIN', evidence })), { code: 'NO_AGENCY_KEY' });
  });

  it('logs every step by hash: filed by the member, then acknowledged, accepted, closed with its result by the agency', async () => {
    const { referrals } = await refer(shopmart, draft({ place: 'CN-GD' }));
    const id = referrals[0]!.referralId;
    const ack = await asAgency(customs, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state acknowledgedAt } }`, { id });
    assert.equal((ack.body.data!['acknowledgeReferral'] as { state: string }).state, 'ACKNOWLEDGED');
    assert.equal(code(await asAgency(customs, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id })), 'STEP_NOT_ALLOWED');
    await asAgency(customs, `mutation($id: ID!) { acceptReferral(id: $id) { state } }`, { id });
    assert.equal(code(await asAgency(customs, `mutation($id: ID!) { closeReferral(id: $id, result: SEIZURE, note: "bad\u001bnote") { state } }`, { id })), 'INVALID_REFERRAL');
    const closed = await asAgency(customs, `mutation($id: ID!) { closeReferral(id: $id, result: SEIZURE, note: "42 bangles seized at Kunming") { ${REFERRAL_FIELDS} } }`, { id });
    const r = closed.body.data!['closeReferral'] as ReferralData;
    assert.equal(r.state, 'CLOSED');
    assert.equal(r.result, 'SEIZURE');
    assert.deepEqual(r.records.map((x) => x.step), ['FILED', 'ACKNOWLEDGED', 'ACCEPTED', 'CLOSED']);
    const entries = await fed.hub.services.log.entries(fed.hub.database.dataSource, r.records[0]!.leafIndex, r.records.at(-1)!.leafIndex + 1);
    const stored: Array<{ step: string; record: string }> = await fed.hub.database.dataSource.query(`SELECT step, record FROM referral_steps WHERE referral_id = $1`, [id]);
    for (const rec of r.records) {
      const entry = parseEntry(entries[rec.leafIndex - r.records[0]!.leafIndex]!);
      assert.equal(entry.kind, 'referral');
      if (entry.kind !== 'referral') continue;
      assert.deepEqual({ step: entry.step, referralId: entry.referralId, agency: entry.agency, by: entry.by, result: entry.result }, { step: rec.step.toLowerCase(), referralId: id, agency: 'customs', by: rec.by, result: rec.step === 'CLOSED' ? 'SEIZURE' : undefined });
      assert.equal(entry.recordSha256, referralRecordSha256(stored.find((s) => s.step === entry.step)!.record));
      assert.equal(entry.recordSha256, rec.recordSha256);
    }
    // The member sees what became of it at the hub (its node reads this).
    const mine = (await asMember(shopmart, `query($id: ID!) { referral(id: $id) { state result closeNote } }`, { id })).body.data!['referral'];
    assert.deepEqual(mine, { state: 'CLOSED', result: 'SEIZURE', closeNote: '42 bangles seized at Kunming' });
    const declined = (await refer(shopmart, draft({ place: 'CN-SH' }))).referrals[0]!.referralId;
    const d = await asAgency(customs, `mutation($id: ID!) { declineReferral(id: $id, reason: "Outside our port's remit") { state declineReason records { step } } }`, { id: declined });
    assert.deepEqual(d.body.data!['declineReferral'], { state: 'DECLINED', declineReason: "Outside our port's remit", records: [{ step: 'FILED' }, { step: 'DECLINED' }] });
  });

  it('marks a referral overdue once REFERRAL_ACK_HOURS pass unacknowledged, counts it (stats and metric), and not after an agency acts', async () => {
    const { referrals } = await refer(chatapp, draft({ place: 'CN-HK', commodity: 'PANGOLIN' }), 'customs');
    const id = referrals[0]!.referralId;
    const stats = async () => (await asAgency(customs, '{ referralStats { overdue unacknowledged ackWithinHours } }')).body.data!['referralStats'] as { overdue: number; unacknowledged: number; ackWithinHours: number };
    const overdueMetric = async () => Number(/wildintel_referrals_unacknowledged\{overdue="true"\} (\d+)/.exec(await (await fetch(`${fed.hub.url}/metrics`)).text())?.[1]);
    const start = await stats();
    assert.equal(start.ackWithinHours, 72);
    clock.advance(72 * 3_600_000 - 1);
    await issueTokens();
    assert.equal(((await read(customs, id)).body.data!['referral'] as ReferralData).overdue, false, 'one millisecond before the limit');
    clock.advance(1);
    assert.equal(((await read(customs, id)).body.data!['referral'] as ReferralData).overdue, true, 'at the limit');
    const late = await stats();
    assert.ok(late.overdue >= 1 && late.overdue > start.overdue);
    assert.ok((await overdueMetric()) >= 1);
    const inbox = (await asAgency(customs, '{ referralInbox(filter: { overdue: true }, first: 200) { referrals { id overdue } } }')).body.data!['referralInbox'] as { referrals: Array<{ id: string; overdue: boolean }> };
    assert.ok(inbox.referrals.some((r) => r.id === id) && inbox.referrals.every((r) => r.overdue));
    const overdueBefore = late.overdue;
    await asAgency(customs, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id });
    assert.equal(((await read(customs, id)).body.data!['referral'] as ReferralData).overdue, false);
    assert.equal((await stats()).overdue, overdueBefore - 1);
  });

  it('lets the hub operator register an agency’s competence (wildintel agency competence), refusing unknown codes', async () => {
    const printed: string[] = [];
    const cli = async (...args: string[]) => (await buildProgram({ config: () => fed.config, logger: () => createLogger('silent'), print: (t) => printed.push(t) })).parseAsync(['node', 'wildintel', ...args]);
    await cli('agency', 'competence', 'police', '--commodity', 'TIGER', 'PANGOLIN', '--jurisdiction', 'VN', 'CN');
    assert.match(printed.join('\n'), /agency police receives referrals about PANGOLIN, TIGER in CN, VN/);
    const tiger = await asMember(shopmart, 'query { referralAgencies(commodity: TIGER, place: "VN-44") { agency } }');
    assert.deepEqual(tiger.body.data!['referralAgencies'], [{ agency: 'police' }]);
    await assert.rejects(cli('agency', 'competence', 'police', '--commodity', 'TIGER', '--jurisdiction', 'Vietnam'), { code: 'INVALID_REFERRAL' });
    await assert.rejects(cli('agency', 'competence', 'police', '--commodity', 'UNICORN', '--jurisdiction', 'VN'), { code: 'INVALID_REFERRAL' });
    assert.deepEqual(((await asAgency('police', '{ referralCompetence { commodities jurisdictions } }')).body.data!['referralCompetence']), { commodities: ['PANGOLIN', 'TIGER'], jurisdictions: ['CN', 'VN'] });
  });

  it('shows an agency only what was routed to it, a member only what it filed; other tokens are refused', async () => {
    const { referrals } = await refer(shopmart, draft({ place: 'CN-BJ' }), 'customs');
    const id = referrals[0]!.referralId;
    assert.equal(code(await read(forestry, id)), 'NOT_FOUND');
    assert.equal(code(await asAgency(forestry, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id })), 'NOT_FOUND');
    const forestryInbox = (await asAgency(forestry, '{ referralInbox(first: 200) { referrals { id agency } } }')).body.data!['referralInbox'] as { referrals: Array<{ id: string; agency: string }> };
    assert.ok(forestryInbox.referrals.length > 0 && forestryInbox.referrals.every((r) => r.agency === 'forestry'));
    assert.equal(code(await asMember(chatapp, `query($id: ID!) { referral(id: $id) { id } }`, { id })), 'NOT_FOUND');
    const chatappList = (await asMember(chatapp, '{ memberReferrals(first: 200) { member } }')).body.data!['memberReferrals'] as Array<{ member: string }>;
    assert.ok(chatappList.every((r) => r.member === 'chatapp'));
    const readOnly = await fed.token('indicators:read sellers:read stats:read', { agency: 'customs' });
    for (const q of ['{ referralInbox { referrals { id } } }', `{ referral(id: "${id}") { id } }`, '{ referralStats { overdue } }']) {
      assert.equal(code(await graphql(fed.hub.url, q, {}, { authorization: `Bearer ${readOnly}` })), 'FORBIDDEN', q);
    }
    const reader = await fed.token('referrals:read', { agency: 'customs' });
    assert.equal(code(await graphql(fed.hub.url, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id }, { authorization: `Bearer ${reader}` })), 'FORBIDDEN');
    // Member-only fields refuse agencies; agency fields refuse members.
    assert.equal(code(await asAgency(customs, '{ memberReferrals { id } }')), 'FORBIDDEN');
    assert.equal(code(await asAgency(customs, 'query { referralAgencies(commodity: IVORY, place: "CN") { agency } }')), 'FORBIDDEN');
    assert.equal(code(await asMember(shopmart, '{ referralInbox { referrals { id } } }')), 'FORBIDDEN');
    assert.equal(code(await asMember(shopmart, `mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id })), 'FORBIDDEN');
    assert.equal(code(await graphql(fed.hub.url, '{ referralInbox { referrals { id } } }')), 'UNAUTHENTICATED');
  });
});
