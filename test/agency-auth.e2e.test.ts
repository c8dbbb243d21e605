/**
 * Least privilege at the agency API, over HTTP and WebSocket against a real hub: every root field
 * against every scope, forged tokens, the per-token rate limit, the access audit with its hourly
 * digest in the log, and subscriptions under the same rules.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { accessDigest, digestCompletedHours, HOUR_MS } from '../src/auth/index.js';
import { signMemberRequest } from '../src/provenance/index.js';
import canonicalize from 'canonicalize';
import { openCheckpoint } from '../src/tlog/index.js';
import { graphql } from './helpers/hub-process.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

const SCOPES = ['indicators:read', 'sellers:read', 'match:image', 'match:text', 'stats:read', 'provenance:read', 'audit:read', 'admin', 'taxii:read', 'disclosure:request'] as const;
const ZERO_PDQ = '0'.repeat(64);

/**
 * Every root field, a query for it, and who may resolve it. Written out independently of the
 * schema's directives; the test also checks that it lists every root field the schema has.
 */
const MATRIX: Array<{ field: string; query: string; anyOf: readonly string[] | 'public' | 'any-agency' | 'no-agency'; members?: boolean }> = [
  { field: 'Query.hubInfo', query: '{ hubInfo { version } }', anyOf: 'public' },
  { field: 'Query.checkpoint', query: '{ checkpoint { size } }', anyOf: 'public' },
  { field: 'Query.me', query: '{ me { kind } }', anyOf: 'public' },
  { field: 'Query.indicator', query: '{ indicator(id: "x") { id } }', anyOf: ['indicators:read'] },
  { field: 'Query.indicators', query: '{ indicators { totalCount } }', anyOf: ['indicators:read'] },
  { field: 'Query.seller', query: '{ seller(fingerprint: "fp1.k.x") { fingerprint } }', anyOf: ['sellers:read'] },
  { field: 'Query.matchImage', query: `{ matchImage(pdq: "${ZERO_PDQ}") { distance } }`, anyOf: ['match:image'] },
  { field: 'Query.matchText', query: '{ matchText(text: "ivory") { start } }', anyOf: ['match:text'] },
  { field: 'Query.stats', query: '{ stats(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z") { key } }', anyOf: ['stats:read'] },
  { field: 'Query.provenance', query: '{ provenance(indicatorId: "x") { treeSize } }', anyOf: ['provenance:read', 'indicators:read'], members: true },
  { field: 'Query.members', query: '{ members { slug } }', anyOf: 'any-agency' },
  { field: 'Query.warninglists', query: '{ warninglists { name } }', anyOf: 'any-agency', members: true },
  { field: 'Mutation.reportFlood', query: 'mutation { reportFlood(indicatorId: "x", hits: 1, scans: 2) { quarantined } }', anyOf: ['admin'], members: true },
  { field: 'Query.accessLog', query: '{ accessLog { records { id } } }', anyOf: ['audit:read'] },
  { field: 'Query.accessDigests', query: '{ accessDigests { hour } }', anyOf: ['audit:read'] },
  { field: 'Mutation.publishBatch', query: 'mutation { publishBatch(jws: "x") { batchId } }', anyOf: 'public' },
  { field: 'Mutation.reportOpinion', query: 'mutation { reportOpinion(indicatorId: "x", opinion: CONFIRMED) { status } }', anyOf: ['indicators:read'], members: true },
  { field: 'Query.disclosureRequests', query: '{ disclosureRequests { requests { id } } }', anyOf: ['disclosure:request'] },
  { field: 'Query.disclosureAnswers', query: '{ disclosureAnswers(requestId: "x") { member } }', anyOf: ['disclosure:request'] },
  { field: 'Query.disclosures', query: '{ disclosures { requests { id } } }', anyOf: ['audit:read'] },
  { field: 'Query.disclosureVolume', query: '{ disclosureVolume { agency } }', anyOf: ['audit:read'] },
  { field: 'Query.evidence', query: '{ evidence(caseId: "x") { document } }', anyOf: ['disclosure:request'] },
  { field: 'Mutation.fileDisclosureRequest', query: 'mutation { fileDisclosureRequest(request: "x") { duplicate } }', anyOf: ['disclosure:request'] },
  { field: 'Subscription.indicatorPublished', query: 'subscription { indicatorPublished { batchId } }', anyOf: ['indicators:read'] },
  // The analyst console (issue 14).
  { field: 'Query.risingKeywords', query: '{ risingKeywords(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z") { current } }', anyOf: ['indicators:read'] },
  { field: 'Query.sellerGraph', query: '{ sellerGraph(fingerprint: "fp1.k.x") { center } }', anyOf: ['sellers:read'] },
  { field: 'Query.watchlists', query: '{ watchlists { id } }', anyOf: ['indicators:read'] },
  { field: 'Query.alerts', query: '{ alerts { unacknowledged } }', anyOf: ['indicators:read'] },
  { field: 'Mutation.createWatchlist', query: 'mutation { createWatchlist(input: { name: "w", keywords: ["ivory"] }) { id } }', anyOf: ['indicators:read'] },
  { field: 'Mutation.deleteWatchlist', query: 'mutation { deleteWatchlist(id: "x") }', anyOf: ['indicators:read'] },
  { field: 'Mutation.acknowledgeAlerts', query: 'mutation { acknowledgeAlerts(ids: ["1"]) { id } }', anyOf: ['indicators:read'] },
  { field: 'Subscription.alertRaised', query: 'subscription { alertRaised { id } }', anyOf: ['indicators:read'] },
  // Outcomes (issue 22): figures over the outcomes the token may see.
  // Emerging code words (issue 24): members and agencies with indicators:read.
  { field: 'Query.emergingCodeWords', query: '{ emergingCodeWords { members } }', anyOf: ['indicators:read'], members: true },
  { field: 'Query.outcomeFigures', query: '{ outcomeFigures(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z") { lag { indicatorId } } }', anyOf: ['stats:read'] },
  // Referrals (issue 22): agencies read and act on their inbox; member nodes file and follow theirs.
  { field: 'Query.referralInbox', query: '{ referralInbox { referrals { id } } }', anyOf: ['referrals:read'] },
  { field: 'Query.referral', query: '{ referral(id: "x") { id } }', anyOf: ['referrals:read'], members: true },
  { field: 'Query.referralStats', query: '{ referralStats { overdue } }', anyOf: ['referrals:read'] },
  { field: 'Query.referralCompetence', query: '{ referralCompetence { agency } }', anyOf: ['referrals:read'] },
  { field: 'Query.referralAgencies', query: '{ referralAgencies(commodity: IVORY, place: "CN") { agency } }', anyOf: 'no-agency', members: true },
  { field: 'Query.memberReferrals', query: '{ memberReferrals { id } }', anyOf: 'no-agency', members: true },
  { field: 'Mutation.fileReferral', query: 'mutation { fileReferral(record: "x") { duplicate } }', anyOf: 'no-agency', members: true },
  { field: 'Mutation.setReferralCompetence', query: 'mutation { setReferralCompetence(commodities: [IVORY], jurisdictions: ["CN"]) { agency } }', anyOf: ['referrals:act'] },
  { field: 'Mutation.acknowledgeReferral', query: 'mutation { acknowledgeReferral(id: "x") { id } }', anyOf: ['referrals:act'] },
  { field: 'Mutation.acceptReferral', query: 'mutation { acceptReferral(id: "x") { id } }', anyOf: ['referrals:act'] },
  { field: 'Mutation.declineReferral', query: 'mutation { declineReferral(id: "x", reason: "r") { id } }', anyOf: ['referrals:act'] },
  { field: 'Mutation.closeReferral', query: 'mutation { closeReferral(id: "x", result: NO_ACTION) { id } }', anyOf: ['referrals:act'] },
  { field: 'Subscription.referralFiled', query: 'subscription { referralFiled { id } }', anyOf: ['referrals:read'] },
];

function allowed(row: (typeof MATRIX)[number], caller: string): boolean {
  if (row.anyOf === 'public') return true;
  if (caller === 'anonymous') return false;
  if (caller === 'member') return row.members === true;
  if (row.anyOf === 'no-agency') return false;
  return row.anyOf === 'any-agency' || row.anyOf.includes(caller);
}

describe('agency API: authorization, limits and the access audit', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  const tokens: Record<string, string> = {};
  const ask = (token: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
    graphql(fed.hub.url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const memberToken = () => signMemberRequest({ keyPem: shopmart.keyPem, chainPem: [shopmart.certPem], member: 'shopmart', audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
  const publish = async (tlp: string, indicators: object[]) => {
    const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(shopmart, { tlp: tlp as never, indicators }) });
    assert.equal(r.status, 201, await r.text());
  };

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    for (const scope of SCOPES) tokens[scope] = await fed.token(scope, { tlp: 'RED', sub: `only-${scope}` });
  });
  after(() => fed.close());

  describe('every root field against every scope', () => {
    it('lists every root field of the schema', async () => {
      const r = await ask(undefined, '{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }');
      const s = r.body.data!['__schema'] as Record<string, { fields: Array<{ name: string }> }>;
      const fields = [...s['queryType']!.fields.map((f) => `Query.${f.name}`), ...s['mutationType']!.fields.map((f) => `Mutation.${f.name}`), ...s['subscriptionType']!.fields.map((f) => `Subscription.${f.name}`)];
      assert.deepEqual(fields.sort(), MATRIX.map((m) => m.field).sort());
    });

    for (const row of MATRIX.filter((m) => !m.field.startsWith('Subscription.'))) {
      it(`${row.field}: ${row.anyOf === 'public' ? 'anyone' : row.anyOf === 'any-agency' ? 'any agency token' : row.anyOf === 'no-agency' ? 'no agency token' : row.anyOf.join(' or ')}${row.members ? ', members' : ''}`, async () => {
        for (const caller of [...SCOPES, 'member', 'anonymous']) {
          const token = caller === 'anonymous' ? undefined : caller === 'member' ? await memberToken() : tokens[caller];
          const r = await ask(token, row.query);
          const code = r.body.errors?.[0]?.extensions?.['code'];
          if (allowed(row, caller)) assert.ok(code !== 'FORBIDDEN' && code !== 'UNAUTHENTICATED', `${caller} may resolve ${row.field}, got ${code}`);
          else assert.equal(code, caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN', `${caller} on ${row.field}`);
        }
      });
    }

    it('keeps data when a root list or connection is FORBIDDEN: stats, matchText and indicators are null alone', async () => {
      const r = await ask(tokens['match:text'], '{ hubInfo { version } stats(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { key } matchImage(pdq: "00") { distance } indicators { totalCount } matchText(text: "x") { start } }');
      assert.ok(r.body.data, JSON.stringify(r.body));
      assert.ok(r.body.data!['hubInfo']);
      assert.deepEqual([r.body.data!['stats'], r.body.data!['matchImage'], r.body.data!['indicators'], r.body.data!['matchText']], [null, null, null, []]);
      assert.deepEqual(r.body.errors?.map((e) => [e.extensions?.['code'], (e as { path?: string[] }).path?.[0]]).sort(), [['FORBIDDEN', 'indicators'], ['FORBIDDEN', 'matchImage'], ['FORBIDDEN', 'stats']]);
    });

    it('refuses only the field without its scope, and answers the others', async () => {
      const r = await ask(tokens['match:text'], '{ hubInfo { version } matchText(text: "x") { start } indicator(id: "x") { id } }');
      assert.ok(r.body.data!['hubInfo']);
      assert.deepEqual(r.body.data!['matchText'], []);
      assert.equal(r.body.data!['indicator'], null);
      assert.deepEqual(r.body.errors?.map((e) => [e.extensions?.['code'], (e as { path?: string[] }).path]), [['FORBIDDEN', ['indicator']]]);
    });
  });

  describe('forged and unusable tokens are refused with 401 UNAUTHENTICATED', () => {
    let hubKey: ReturnType<typeof createPrivateKey>;
    let good: string;
    const claims = () => decodeJwt(good) as Record<string, unknown>;
    const sign = (payload: Record<string, unknown>, key = hubKey, header: Record<string, unknown> = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(good).kid!, ...header }).sign(key);
    before(async () => {
      hubKey = createPrivateKey(await readFile(path.join(fed.certsDir, 'dev/token-key.pem'), 'utf8'));
      good = tokens['indicators:read']!;
    });
    const cases: Array<[string, () => Promise<string>]> = [
      ['alg none', async () => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${good.split('.')[1]}.`],
      ['HS256 with our public key as the secret', async () => {
        const secret = createPublicKey(hubKey).export({ format: 'der', type: 'spki' });
        return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(good).kid! }).sign(new Uint8Array(secret));
      }],
      ["another issuer's key", async () => sign(claims(), generateKeyPairSync('ed25519').privateKey)],
      ['expired', async () => sign({ ...claims(), iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 })],
      ['not yet valid', async () => sign({ ...claims(), nbf: Math.floor(Date.now() / 1000) + 3600 })],
      ['wrong audience', async () => sign({ ...claims(), aud: 'someone-else' })],
      ['lifetime over 24 h', async () => sign({ ...claims(), exp: (claims()['iat'] as number) + 25 * 3600 })],
      ['a jti this hub never issued', async () => sign({ ...claims(), jti: randomUUID() })],
      ['tampered claims under the original signature', async () => {
        const [h, , s] = good.split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...claims(), scope: 'indicators:read sellers:read' })).toString('base64url')}.${s}`;
      }],
    ];
    for (const [name, forge] of cases) {
      it(name, async () => {
        const r = await ask(await forge(), '{ indicators { totalCount } }');
        assert.equal(r.status, 401);
        assert.equal(r.body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED');
        assert.equal(r.body.data, undefined);
      });
    }

    it('a token expired five seconds ago, at once on GraphQL, TAXII and MISP (no clock tolerance on exp)', async () => {
      const exp = Math.floor(Date.now() / 1000) - 5;
      const token = await sign({ ...claims(), scope: 'indicators:read taxii:read', iat: exp - 3600, nbf: exp - 3600, exp });
      const r = await ask(token, '{ indicators { totalCount } }');
      assert.deepEqual([r.status, r.body.errors?.[0]?.extensions?.['code']], [401, 'UNAUTHENTICATED']);
      for (const route of ['/taxii2/', '/misp/manifest.json']) {
        const res = await fetch(`${fed.hub.url}${route}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/taxii+json;version=2.1' } });
        assert.equal(res.status, 401, `${route}: ${await res.text()}`);
      }
    });

    it('a revoked token, its issuance and revocation logged with TLP and commodities, never the token', async () => {
      const token = await fed.token('indicators:read', { tlp: 'GREEN', commodities: ['IVORY', 'PANGOLIN'], agency: 'revokers' });
      assert.equal((await ask(token, '{ indicators { totalCount } }')).status, 200);
      const jti = String(decodeJwt(token).jti);
      const revoked = await fed.hub.services.tokens.revoke(jti);
      const r = await ask(token, '{ indicators { totalCount } }');
      assert.deepEqual([r.status, r.body.errors?.[0]?.extensions?.['code']], [401, 'UNAUTHENTICATED']);
      const size = revoked.leafIndex + 1;
      const got = (await (await fetch(`${fed.hub.url}/log/entries?start=0&end=${size}`)).json()) as { entries: string[] };
      const mine = got.entries.map((e) => Buffer.from(e, 'base64').toString()).filter((e) => e.includes(jti));
      const exp = Number(decodeJwt(token).exp);
      const expected = { kind: 'token', v: 1, jti, agency: 'revokers', scope: 'indicators:read', tlp: 'GREEN', commodities: 'IVORY PANGOLIN', exp };
      assert.deepEqual(mine.map((e) => ({ ...(JSON.parse(e) as object), ts: undefined })), [{ ...expected, ts: undefined }, { ...expected, action: 'revoke', ts: undefined }]);
      assert.equal(JSON.parse(got.entries.map((e) => Buffer.from(e, 'base64').toString())[revoked.leafIndex]!).action, 'revoke');
      assert.ok(mine.every((e) => !e.includes(token.split('.')[2]!)), 'never the token');
    });

    it('token entries with tlp, commodities and action pass a verifier that knows only design.md (the fields it names, RFC 8785 bytes, RFC 9162 inclusion)', async () => {
      const token = await fed.token('indicators:read', { tlp: 'AMBER', commodities: ['PANGOLIN', 'IVORY'], agency: 'design-only' });
      const jti = String(decodeJwt(token).jti);
      const { leafIndex } = await fed.hub.services.tokens.revoke(jti);
      const checkpoint = openCheckpoint(await (await fetch(`${fed.hub.url}/log/checkpoint`)).text(), fed.hub.services.log.verifierKey);
      const { entries } = (await (await fetch(`${fed.hub.url}/log/entries?start=0&end=${checkpoint.size}`)).json()) as { entries: string[] };
      const mine = entries.map((e, index) => ({ index, bytes: Buffer.from(e, 'base64') })).filter((e) => e.bytes.toString().includes(jti));
      assert.equal(mine.length, 2);
      assert.equal(mine[1]!.index, leafIndex);
      for (const { index, bytes } of mine) {
        const entry = JSON.parse(bytes.toString()) as Record<string, unknown>;
        // design.md: the JCS bytes of {"v":1,"kind":…,"ts":…, …}; a token entry names jti, agency, scope, exp.
        assert.equal(canonicalize(entry), bytes.toString(), 'the entry is its own RFC 8785 form');
        assert.deepEqual([entry['v'], entry['kind'], Number.isSafeInteger(entry['ts']), typeof entry['jti'], typeof entry['agency'], typeof entry['scope'], Number.isSafeInteger(entry['exp'])], [1, 'token', true, 'string', 'string', 'string', true]);
        assert.deepEqual([entry['tlp'], entry['commodities']], ['AMBER', 'PANGOLIN IVORY'], 'the optional fields as docs/auditor.md gives them: the TLP label, the commodities space-separated in the order issued');
        const proof = (await (await fetch(`${fed.hub.url}/log/proof/inclusion?index=${index}&size=${checkpoint.size}`)).json()) as { proof: string[] };
        assert.deepEqual(rfc9162Root(index, checkpoint.size, sha256(Buffer.concat([Buffer.of(0), bytes])), proof.proof.map((p) => Buffer.from(p, 'base64'))), Buffer.from(checkpoint.root));
      }
      assert.equal((JSON.parse(mine[1]!.bytes.toString()) as Record<string, unknown>)['action'], 'revoke');
    });
  });

  describe('access audit', () => {
    it('records every agency request before answering, with counts and a hash of the variables', async () => {
      await publish('AMBER', sampleIndicators(3, 'audit'));
      const analyst = await fed.token('indicators:read', { agency: 'forestry', sub: 'ranger-3' });
      await ask(analyst, 'query Recent($n: Int) { indicators(first: $n) { edges { node { id } } } }', { n: 2 });
      const auditor = await fed.token('audit:read', { agency: 'oversight', sub: 'auditor' });
      const r = await ask(auditor, '{ accessLog(filter: { agency: "forestry" }) { records { agency analyst operation fields returned outcome variablesSha256 tokenId } } }');
      const records = (r.body.data!['accessLog'] as { records: Array<Record<string, unknown>> }).records;
      assert.equal(records.length, 1);
      assert.deepEqual({ ...records[0], tokenId: undefined }, {
        agency: 'forestry', analyst: 'ranger-3', operation: 'Recent', fields: 'indicators', returned: 2, outcome: 'OK',
        variablesSha256: createHash('sha256').update('{"n":2}').digest('base64url'), tokenId: undefined,
      });
      assert.equal(records[0]!['tokenId'], decodeJwt(analyst).jti);
    });

    it('commits each finished hour to the log as an access entry that an auditor can recompute', async () => {
      const analyst = await fed.token('indicators:read match:text', { agency: 'coastguard', sub: 'a1' });
      for (let i = 0; i < 3; i++) await ask(analyst, '{ matchText(text: "ivoryaudit1") { start } }');
      const later = { now: () => new Date(Date.now() + 2 * HOUR_MS) };
      const written = await digestCompletedHours({ db: fed.hub.database.dataSource, log: fed.hub.services.log, clock: later });
      const mine = written.filter((d) => d.agency === 'coastguard');
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.count, 3);
      assert.deepEqual(await digestCompletedHours({ db: fed.hub.database.dataSource, log: fed.hub.services.log, clock: later }), [], 'once only');
      const entries = (await (await fetch(`${fed.hub.url}/log/entries?start=${mine[0]!.leafIndex}&end=${mine[0]!.leafIndex + 1}`)).json()) as { entries: string[] };
      const entry = JSON.parse(Buffer.from(entries.entries[0]!, 'base64').toString()) as Record<string, unknown>;
      assert.deepEqual([entry['kind'], entry['agency'], entry['count'], entry['hour']], ['access', 'coastguard', 3, mine[0]!.hour.getTime()]);
      const auditor = await fed.token('audit:read', { agency: 'oversight', sub: 'auditor' });
      const log = await ask(auditor, '{ accessLog(filter: { agency: "coastguard" }) { records { id canonical } } }');
      const canon = (log.body.data!['accessLog'] as { records: Array<{ id: string; canonical: string }> }).records.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.canonical);
      assert.equal(accessDigest(canon), entry['digestSha256'], 'the digest recomputes from the records');
      assert.notEqual(accessDigest(canon.slice(1)), entry['digestSha256'], 'and a deleted record would show');
      const digests = await ask(auditor, '{ accessDigests(agency: "coastguard") { count digestSha256 leafIndex } }');
      assert.deepEqual(digests.body.data!['accessDigests'], [{ count: 3, digestSha256: entry['digestSha256'], leafIndex: mine[0]!.leafIndex }]);
    });
  });

  describe('subscriptions over graphql-ws', () => {
    let client: Client | undefined;
    const connect = (token: string | undefined) =>
      createClient({ url: `${fed.hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
    after(async () => client?.dispose());

    it('delivers indicators as batches are accepted, within the token’s TLP', async () => {
      client = connect(await fed.token('indicators:read', { tlp: 'AMBER' }));
      const received: Array<Record<string, unknown>> = [];
      const done = new Promise<void>((resolve, reject) => {
        client!.subscribe<{ indicatorPublished: Record<string, unknown> }>(
          { query: 'subscription { indicatorPublished(filter: { type: KEYWORD }) { member tlp retracted indicator { value } } }' },
          {
            next: (msg) => {
              if (msg.errors) return reject(new Error(JSON.stringify(msg.errors)));
              received.push(msg.data!.indicatorPublished);
              if (received.length === 2) resolve();
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      await new Promise((r) => setTimeout(r, 300));
      await publish('RED', sampleIndicators(1, 'secret'));
      await publish('AMBER', sampleIndicators(2, 'sub'));
      await done;
      assert.deepEqual(received.map((e) => [e['tlp'], (e['indicator'] as { value: string }).value, e['retracted']]), [['AMBER', 'ivorysub0', false], ['AMBER', 'ivorysub1', false]]);
    });

    it('refuses a subscription without its scope, and a connection without a token', async () => {
      const forbidden = connect(tokens['match:text']);
      const error = await new Promise<unknown>((resolve) => {
        forbidden.subscribe({ query: 'subscription { indicatorPublished { batchId } }' }, { next: (m) => resolve(m.errors), error: resolve, complete: () => undefined });
      });
      await forbidden.dispose();
      assert.match(JSON.stringify(error), /FORBIDDEN/);
      const anonymous = connect(undefined);
      const closed = await new Promise<unknown>((resolve) => {
        anonymous.subscribe({ query: 'subscription { indicatorPublished { batchId } }' }, { next: () => resolve('next'), error: resolve, complete: () => resolve('complete') });
      });
      await anonymous.dispose();
      assert.equal((closed as { code?: number }).code, 4401);
    });
  });
});

describe('per-token rate limit', () => {
  let fed: TestFederation;
  before(async () => {
    fed = await startTestFederation({ env: { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '6' } });
  });
  after(() => fed.close());

  it('answers RATE_LIMITED with 429 and a Retry-After once a token exceeds its share, other tokens unaffected', async () => {
    const busy = await fed.token('indicators:read');
    const other = await fed.token('indicators:read');
    const call = (t: string) => fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query: '{ indicators { totalCount } }' }) });
    for (let i = 0; i < 3; i++) assert.equal((await call(busy)).status, 200);
    const limited = await call(busy);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '10');
    const body = (await limited.json()) as { errors: Array<{ extensions: { code: string; details: { retryAfterSeconds: number } } }> };
    assert.deepEqual([body.errors[0]!.extensions.code, body.errors[0]!.extensions.details.retryAfterSeconds], ['RATE_LIMITED', 10]);
    assert.equal((await call(other)).status, 200);
  });
});

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/** The root an inclusion proof leads to, by RFC 9162 section 2.1.3.2 alone (no project code). */
function rfc9162Root(index: number, size: number, leaf: Buffer, proof: readonly Buffer[]): Buffer {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.concat([Buffer.of(1), p, r]));
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = sha256(Buffer.concat([Buffer.of(1), r, p]));
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}
