/**
 * Version 2 batches (SD-JWT, RFC 9901) end to end, over a real hub on HTTP, real member signatures
 * and a real database, in a log that mixes them with version 1 batches:
 * - a member node signs version 2, and a version 1 batch it sealed before the upgrade still delivers;
 * - a narrow token's partial view verifies with a standard SD-JWT verifier (@sd-jwt/core) as the
 *   member's signature over exactly the items shown, and hidden items show as salted digests only;
 * - an evidence package for one seller carries no other seller's fingerprint, verifies offline,
 *   and any tampering with a disclosure, its salt or its position is caught;
 * - version 1 and version 2 batches both verify in `audit verify`, `audit check` and the console.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditLog, checkBundle, createHttpLogClient, toBundleFile } from '../src/audit/index.js';
import { verifyBatchInclusion } from '../src/console/web/verify.js';
import { verifyEvidence, type EvidencePackage } from '../src/evidence/index.js';
import { indicatorId } from '../src/indicators/index.js';
import { pemToDerCertificates } from '../src/pki/index.js';
import { createLogger, systemClock } from '../src/kernel/index.js';
import { openNodeDatabase, type RunningNode } from '../src/node/index.js';
import { loadConfig } from '../src/config/index.js';
import { canonicalJson, decodeDisclosure, issuerJwtOf, presentSdJwt, signBatch, splitSdJwt, type BatchPayload } from '../src/provenance/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { callNode, eventually, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';
import { graphql } from './helpers/hub-process.js';
import { fileRequest, testAgency } from './helpers/disclosure.js';
import { standardSdJwtVerifier } from './helpers/sd-jwt.js';

const seller = (n: number): string => `fp1.2026-01.${createHash('sha256').update(`seller-${n}`).digest('base64url')}`;
const SELLERS = [seller(1), seller(2), seller(3)];
const common = { observedAt: '2026-11-02T08:00:00Z', confidence: 80 };
const ITEMS = [
  { type: 'KEYWORD', value: '象牙手镯', commodity: 'IVORY', ...common },
  { type: 'SELLER', value: SELLERS[0]!, commodity: 'IVORY', ...common },
  { type: 'KEYWORD', value: '穿山甲鳞片', commodity: 'PANGOLIN', ...common },
  { type: 'SELLER', value: SELLERS[1]!, commodity: 'PANGOLIN', ...common },
  { type: 'KEYWORD', value: 'ivorybangle', commodity: 'IVORY', ...common },
  { type: 'SELLER', value: SELLERS[2]!, commodity: 'IVORY', ...common },
];
const idOf = (i: { type: string; value: string }): string => indicatorId(i.type as never, i.value);

const standard = standardSdJwtVerifier();

/** Every item an SD-JWT discloses, decoded. */
const disclosedItems = (sdJwt: string): Array<Record<string, unknown>> => splitSdJwt(sdJwt).disclosures.map((d, i) => decodeDisclosure(d, i).item as Record<string, unknown>);

describe('version 2 batches (SD-JWT) end to end, beside version 1', () => {
  let dir: string;
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  let fixture: NodeFixture;
  let node: RunningNode;
  let v1Sealed: string;
  let v2: { batchId: string; sdJwt: string };
  let v1: { batchId: string; jws: string };

  const post = (body: string, type = 'application/sd-jwt') => fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': type }, body });
  const get = (token: string, route: string) => fetch(`${fed.hub.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
  const signV2 = (member: TestMember, payload: Partial<BatchPayload<object>> & { indicators: readonly object[] }) => fed.sign(member, payload, { version: 2 });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-sd-jwt-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test', RATE_LIMIT_BURST: '100000', RATE_LIMIT_PER_MINUTE: '100000' } });
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    fixture = await nodeFixture(fed, shopmart, await sharedPseudonymKey(dir));
    // The node's outbox as the previous release left it: a version 1 batch sealed, not yet sent.
    v1Sealed = await fed.sign(shopmart, { indicators: [{ type: 'KEYWORD', value: 'rhinohornpowder', commodity: 'RHINO_HORN', ...common }] });
    const database = await openNodeDatabase(loadConfig(fixture.env));
    const payload = JSON.parse(Buffer.from(v1Sealed.split('.')[1]!, 'base64url').toString('utf8')) as { batchId: string };
    await database.dataSource.query(`INSERT INTO node_batches (batch_id, tlp, created_at, jws, indicator_count, retraction_count, next_attempt_at) VALUES ($1, 'AMBER', now(), $2, 1, 0, now())`, [payload.batchId, v1Sealed]);
    await database.close();
    node = await fixture.start(createLogger('silent'));

    v1 = { batchId: randomUUID(), jws: '' };
    v1.jws = await fed.sign(chatapp, { batchId: v1.batchId, indicators: [ITEMS[0]!, { type: 'KEYWORD', value: 'tigerbone', commodity: 'TIGER', ...common }] });
    assert.equal((await post(v1.jws, 'application/jose')).status, 201);
    const sdJwt = await signV2(chatapp, { indicators: ITEMS, retractions: [{ indicatorId: idOf({ type: 'KEYWORD', value: 'tigerbone' }), reason: 'false positive' }] });
    v2 = { batchId: JSON.parse(Buffer.from(issuerJwtOf(sdJwt).split('.')[1]!, 'base64url').toString('utf8')).batchId as string, sdJwt };
    const r = await post(sdJwt);
    assert.equal(r.status, 201, await r.text());
  });
  after(async () => {
    await node?.stop();
    await fixture?.cleanup();
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the node signs version 2, and the version 1 batch sealed before the upgrade still delivers, receipt audited', async () => {
    const made = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: '象牙 筷子', language: 'zh', commodity: 'IVORY', confidence: 70, observedAt: new Date().toISOString() }] });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const rows = await eventually('both batches accepted and their receipts verified', async () => {
      const all = (await node.database.dataSource.query(`SELECT batch_id::text, jws, state, audit FROM node_batches ORDER BY seq`)) as Array<{ batch_id: string; jws: string; state: string; audit: string | null }>;
      return all.length === 2 && all.every((b) => b.state === 'accepted' && b.audit === 'verified') ? all : undefined;
    });
    assert.equal(rows[0]!.jws, v1Sealed, 'sent exactly as sealed');
    const reader = await fed.token('provenance:read', { tlp: 'RED', agency: 'oversight' });
    const old = await get(reader, `/v1/batches/shopmart/${rows[0]!.batch_id}`);
    assert.deepEqual([old.headers.get('content-type'), await old.text()], ['application/jose; charset=utf-8', v1Sealed]);
    const fresh = await get(reader, `/v1/batches/shopmart/${rows[1]!.batch_id}`);
    assert.equal(fresh.headers.get('content-type'), 'application/sd-jwt; charset=utf-8');
    assert.deepEqual(disclosedItems(await fresh.text()).map((i) => i['value']), ['象牙筷子']);
  });

  it("a narrow token's partial view verifies with a standard SD-JWT verifier: the member's signature over exactly the items shown", async () => {
    // IVORY only, and no sellers:read: of the six items, the two IVORY keywords.
    const narrow = await fed.token('indicators:read', { tlp: 'AMBER', commodities: ['IVORY'], agency: 'forestry' });
    const res = await get(narrow, `/v1/batches/chatapp/${v2.batchId}`);
    assert.equal(res.headers.get('content-type'), 'application/sd-jwt; charset=utf-8');
    const view = await res.text();
    const { payload } = await standard.verify(view);
    assert.deepEqual(payload['indicators'], [ITEMS[0], ITEMS[4]]);
    assert.deepEqual(payload['retractions'], [], 'the retraction of a TIGER sighting is withheld');
    const signed = JSON.parse(Buffer.from(issuerJwtOf(view).split('.')[1]!, 'base64url').toString('utf8')) as { indicators: Array<Record<string, string>>; retractions: unknown[] };
    assert.deepEqual([signed.indicators.length, signed.retractions.length], [6, 1], 'hidden items are there as digests');
    assert.deepEqual(signed.indicators.map((d) => Object.keys(d)), ITEMS.map(() => ['...']));
    for (const hidden of [...SELLERS, '穿山甲鳞片', Buffer.from('穿山甲鳞片').toString('base64url')]) assert.ok(!view.includes(hidden) && !JSON.stringify(disclosedItems(view)).includes(hidden), `${hidden} is not in the view`);
    // The log's entry commits to the issuer-signed JWT: this view verifies against it, like the whole batch.
    const size = Number((await (await fetch(`${fed.hub.url}/log/checkpoint`)).text()).split('\n')[1]);
    const { entries } = (await (await fetch(`${fed.hub.url}/log/entries?start=0&end=${size}`)).json()) as { entries: string[] };
    const entry = entries.map((e) => JSON.parse(Buffer.from(e, 'base64').toString('utf8')) as Record<string, unknown>).find((e) => e['batchId'] === v2.batchId)!;
    assert.equal(entry['jwsSha256'], createHash('sha256').update(issuerJwtOf(view)).digest('base64url'));
    // The feed and GraphQL provenance give the same disclosures.
    const feed = (await (await get(narrow, '/v1/feed')).json()) as { items: Array<{ sdJwt?: string; jws?: string; partial?: object; opinion?: string; entry: string }> };
    const served = feed.items.find((i) => i.sdJwt !== undefined && issuerJwtOf(i.sdJwt) === issuerJwtOf(view));
    assert.deepEqual(disclosedItems(served!.sdJwt!), [ITEMS[0], ITEMS[4]]);
    const audit = await graphql(fed.hub.url, '{ accessLog(filter: { agency: "forestry" }, first: 50) { records { operation returned } } }', {}, { authorization: `Bearer ${await fed.token('audit:read', { agency: 'oversight' })}` });
    const feedRead = (audit.body.data!['accessLog'] as { records: Array<{ operation: string; returned: number }> }).records.find((r) => r.operation === 'GET /v1/feed')!;
    assert.equal(feedRead.returned, feed.items.filter((i) => i.sdJwt ?? i.jws ?? i.partial ?? i.opinion).length, 'the access record counts the version 2 batches the feed handed over');
    const prov = await graphql(fed.hub.url, 'query($id: ID!) { provenance(indicatorId: $id) { sightings { batchId jws sdJwt } } }', { id: idOf(ITEMS[4]!) }, { authorization: `Bearer ${narrow}` });
    const sighting = (prov.body.data!['provenance'] as { sightings: Array<{ batchId: string; jws: string | null; sdJwt: string | null }> }).sightings.find((s) => s.batchId === v2.batchId)!;
    assert.deepEqual([sighting.jws, disclosedItems(sighting.sdJwt!)], [null, [ITEMS[0], ITEMS[4]]]);
  });

  it('an evidence package for one seller carries no other seller’s fingerprint, and verifies offline', async () => {
    const customs = await testAgency(fed, 'customs');
    const token = await customs.token();
    const filed = await fileRequest(fed, token, await customs.sign(token, { fingerprint: SELLERS[0]! }, { caseId: 'CASE-SD-1' }));
    assert.equal(filed.code, undefined, filed.message);
    const res = await graphql(fed.hub.url, 'query($c: String!) { evidence(caseId: $c) { document } }', { c: 'CASE-SD-1' }, { authorization: `Bearer ${token}` });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const document = (res.body.data!['evidence'] as { document: string }).document;
    const pkg = JSON.parse(document) as EvidencePackage;
    const batches = pkg.provenance.flatMap((b) => b.sightings);
    assert.deepEqual(batches.map((s) => [s.batchId, s.jws === undefined]), [[v2.batchId, true]]);
    assert.deepEqual(disclosedItems(batches[0]!.sdJwt!), [ITEMS[1]], 'the seller’s own item, alone');
    for (const other of SELLERS.slice(1)) assert.ok(!document.includes(other), `${other} is not in the package`);
    const options = { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock };
    const report = await verifyEvidence(pkg, options);
    const statement = report.statements.find((s) => s.subject.startsWith(`batch chatapp/${v2.batchId}`))!;
    assert.match(statement.proves.join(' '), /disclosed alone from it, under the member's signature/);
    assert.match(statement.doesNotProve.join(' '), /batch's 6 other items: the package shows each only as a salted digest/);

    const sdJwt = batches[0]!.sdJwt!;
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const { salt, item } = decodeDisclosure(disclosures[0]!, 0);
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const otherBatch = splitSdJwt(await signV2(chatapp, { indicators: [ITEMS[1]!] })).disclosures[0]!;
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { indicators: unknown[] };
    const [a, b, ...rest] = payload.indicators;
    const reordered = `${jwt.split('.')[0]}.${Buffer.from(canonicalJson({ ...payload, indicators: [b, a, ...rest] })).toString('base64url')}.${jwt.split('.')[2]}`;
    const tampered: Array<[string, string, string]> = [
      ['the item in a disclosure', presentSdJwt(jwt, [encode([salt, { ...(item as object), confidence: 99 }])]), 'BATCH_INVALID'],
      ['the salt of a disclosure', presentSdJwt(jwt, [encode([Buffer.alloc(16, 1).toString('base64url'), item])]), 'BATCH_INVALID'],
      ['a disclosure moved from another batch', presentSdJwt(jwt, [otherBatch]), 'BATCH_INVALID'],
      ['the positions of the signed digests', presentSdJwt(reordered, disclosures), 'BATCH_HASH_MISMATCH'],
    ];
    for (const [what, changed, code] of tampered) {
      const copy = structuredClone(pkg);
      copy.provenance[0]!.sightings[0]!.sdJwt = changed;
      await assert.rejects(verifyEvidence(copy, options), (err: { code?: string }) => err.code === code, what);
    }
  });

  it('version 1 and version 2 batches of one log both verify in audit verify, audit check and the console', async () => {
    const auditor = await fed.token('provenance:read', { tlp: 'RED', agency: 'oversight' });
    const report = await auditLog({ client: createHttpLogClient(fed.hub.url, { token: auditor }), verifierKey: fed.hub.services.log.verifierKey, rootPem: fed.rootCertPem, clock: systemClock });
    assert.equal(report.batchesVerified, report.kinds['batch']);
    assert.ok(report.batchesVerified >= 4);
    const prov = await graphql(fed.hub.url, 'query($id: ID!) { provenance(indicatorId: $id) { indicatorId checkpoint treeSize sightings { member batchId tlp jws sdJwt certificateChain leafIndex logEntry inclusionProof } } checkpoint { verifierKey } }', { id: idOf(ITEMS[0]!) }, { authorization: `Bearer ${auditor}` });
    const bundle = prov.body.data!['provenance'] as Parameters<typeof toBundleFile>[0];
    const checked = await checkBundle(toBundleFile(bundle).file, { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock });
    assert.deepEqual(checked.sightings.map((s) => [s.batchId, s.format, s.withheld]), [[v1.batchId, 'jws', 0], [v2.batchId, 'sd-jwt', 0]]);
    const chainOf = (m: TestMember): string[] => pemToDerCertificates(m.certPem).map((der) => Buffer.from(der).toString('base64'));
    const [first] = toBundleFile(bundle).file.sightings;
    const another = [chainOf(shopmart), chainOf(chatapp)].find((c) => c[0] !== first!.certificateChain[0])!;
    for (const [i, relabel] of [[0, { tlp: 'CLEAR' }], [1, { tlp: 'CLEAR' }], [0, { certificateChain: another }], [1, { certificateChain: another }]] as const) {
      const file = toBundleFile(bundle).file;
      Object.assign(file.sightings[i]!, relabel);
      await assert.rejects(checkBundle(file, { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock }), (err: { code?: string; details?: { field?: string } }) => err.code === 'SIGHTING_MISMATCH' && err.details?.field === Object.keys(relabel)[0], `${JSON.stringify(relabel).slice(0, 40)} on sighting ${i}`);
    }
    for (const s of bundle.sightings) {
      const verdict = await verifyBatchInclusion({ ...s, batch: s.sdJwt ?? s.jws, checkpoint: bundle.checkpoint, verifierKey: fed.hub.services.log.verifierKey });
      assert.equal(verdict.withheld, 0);
    }
  });

  it('refuses over HTTP a version 2 batch with a disclosure left out, and stores nothing of it', async () => {
    const sdJwt = await signV2(chatapp, { indicators: ITEMS.slice(0, 2) });
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const res = await post(presentSdJwt(jwt, disclosures.slice(1)));
    assert.deepEqual([res.status, ((await res.json()) as { error: { code: string } }).error.code], [400, 'UNDISCLOSED_DIGEST']);
    const batchId = (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { batchId: string }).batchId;
    const reader = await fed.token('provenance:read', { tlp: 'RED', agency: 'oversight' });
    assert.equal((await get(reader, `/v1/batches/chatapp/${batchId}`)).status, 404);
    assert.equal((await post(sdJwt)).status, 201, 'the same batch with every disclosure is then accepted');
    assert.equal((await post(presentSdJwt(jwt, [...disclosures].reverse()))).status, 200, 'and sent again in another order, answered as a replay');
    assert.equal((await post(await signBatch({ v: 1, batchId, member: 'chatapp', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: ITEMS.slice(0, 2) }, { keyPem: chatapp.keyPem, chainPem: [chatapp.certPem] }), 'application/jose')).status, 409, 'its id is taken');
  });
});
