/**
 * Lawful re-identification end to end: a real hub and two member nodes (shopmart, chatapp) that
 * both reported one seller. Customs files a request signed with its own key; the hub logs it and
 * routes it to both; each node checks it against the log it verified itself and waits for its
 * operator; shopmart's operator approves (through the CLI), chatapp's declines; customs decrypts
 * the answer, the auditor accounts for every disclosure in the log, and the evidence package
 * verifies offline — and fails with the exact reason when any part of it is changed. No raw
 * identifier reaches the hub's database or logs at any point.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditDisclosures, createHttpLogClient } from '../src/audit/index.js';
import { decryptAnswer } from '../src/disclosure/index.js';
import { parseEvidencePackage, verifyEvidence, withDecryptedAnswers, type EvidencePackage } from '../src/evidence/index.js';
import { readFile, writeFile } from 'node:fs/promises';
import { computeSellerFingerprint, indicatorId } from '../src/indicators/index.js';
import { nodeSocketPath, parsePseudonymKeys, type NodeDisclosureView, type RunningNode } from '../src/node/index.js';
import { systemClock, isWildintelError } from '../src/kernel/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { fileRequest, testAgency, type TestAgency } from './helpers/disclosure.js';
import { graphql, runCli } from './helpers/hub-process.js';
import { assertNoneIn, callNode, capturingLogger, dumpDatabase, eventually, nodeFixture, rawSpellings, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

const RAW = { phone: '+86 139 1234 5678', phoneLocal: '13912345678', phoneE164: '+8613912345678', other: 'ivory_dealer_007' };
const common = { commodity: 'IVORY', confidence: 90, observedAt: '2026-03-01T12:00:00Z' };

/** POST to a node's operator socket, as `wildintel node requests` does. */
function operator(fixture: NodeFixture, route: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: nodeSocketPath(fixture.env['DATA_DIR']!), path: route, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A copy with `mutate` applied to it. */
function mutated(pkg: EvidencePackage, mutate: (p: EvidencePackage) => void): EvidencePackage {
  const copy = structuredClone(pkg);
  mutate(copy);
  return copy;
}

/** One base64 or base64url character changed in the middle of `text`. */
function flip(text: string, at = Math.floor(text.length / 2)): string {
  const c = text[at]!;
  return `${text.slice(0, at)}${c === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
}

describe('a disclosure request answered by one member and declined by the other', () => {
  let dir: string;
  let fed: TestFederation;
  const hubLogs = capturingLogger();
  const nodeLogs = capturingLogger();
  let fixtures: NodeFixture[];
  let shopmart: RunningNode;
  let chatapp: RunningNode;
  let customs: TestAgency;
  let token: string;
  let fingerprint: string;
  let requestId: string;
  let evidence: EvidencePackage;

  const requestsAt = async (fixture: NodeFixture, node: RunningNode): Promise<NodeDisclosureView[]> => (await callNode(node.url, fixture.apiKey, '/v1/requests')).body['requests'] as NodeDisclosureView[];
  const pendingAt = (fixture: NodeFixture, node: RunningNode, id: string): Promise<NodeDisclosureView> =>
    eventually(`request ${id} pending at ${node.member}`, async () => (await requestsAt(fixture, node)).find((r) => r.requestId === id && r.state === 'pending'));
  const hubRequest = async (id: string) => {
    const res = await graphql(fed.hub.url, 'query { disclosureRequests(first: 50) { requests { id routes { member state declineReason declineNote } records { step member } } } }', {}, { authorization: `Bearer ${token}` });
    return (res.body.data!['disclosureRequests'] as { requests: Array<{ id: string; routes: Array<{ member: string; state: string; declineReason: string | null; declineNote: string | null }>; records: Array<{ step: string; member: string | null }> }> }).requests.find((r) => r.id === id)!;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-disclosure-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' }, logger: hubLogs.logger });
    const pseudonymFile = await sharedPseudonymKey(dir);
    fixtures = [await nodeFixture(fed, await fed.addMember('shopmart'), pseudonymFile), await nodeFixture(fed, await fed.addMember('chatapp'), pseudonymFile, { HUB_LOG_KEY: fed.hub.services.log.verifierKey })];
    [shopmart, chatapp] = (await Promise.all(fixtures.map((f) => f.start(nodeLogs.logger)))) as [RunningNode, RunningNode];
    customs = await testAgency(fed);
    token = await customs.token();
    const seller = (node: RunningNode, key: string, value: string) => callNode(node.url, key, '/v1/observations', { observations: [{ kind: 'seller', identifier: { type: 'phone', value }, ...common }, { kind: 'keyword', text: '象牙 手镯', ...common }] });
    const a = await seller(shopmart, fixtures[0]!.apiKey, RAW.phone);
    await seller(chatapp, fixtures[1]!.apiKey, RAW.phoneLocal);
    fingerprint = ((a.body['indicators'] as Array<Array<{ value: string }>>)[0]![0]!).value;
    await eventually('both sightings at the hub', async () => {
      const res = await fed.read('query($v: String) { indicators(filter: { value: $v }) { edges { node { members } } } }', { v: fingerprint });
      const members = (res.body.data?.['indicators'] as { edges: Array<{ node: { members: string[] } }> } | undefined)?.edges[0]?.node.members;
      return members?.length === 2 ? true : undefined;
    });
  });
  after(async () => {
    await Promise.all([shopmart?.stop(), chatapp?.stop()]);
    await Promise.all((fixtures ?? []).map((f) => f.cleanup()));
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('files a request signed by the agency, logs it by hash and routes it to both members that reported the seller', async () => {
    const filed = await fileRequest(fed, token, await customs.sign(token, { fingerprint }));
    assert.equal(filed.code, undefined, filed.message);
    requestId = filed.request!.id;
    assert.deepEqual(filed.request!.routes, [{ member: 'chatapp', state: 'routed', declineReason: null, declineNote: null }, { member: 'shopmart', state: 'routed', declineReason: null, declineNote: null }]);
    const size = await fed.hub.services.log.size(fed.hub.database.dataSource);
    const entries = (await fed.hub.services.log.entries(fed.hub.database.dataSource, 0, size)).map((e) => Buffer.from(e).toString('utf8'));
    const mine = entries.filter((e) => e.includes(requestId));
    assert.deepEqual(mine.map((e) => (JSON.parse(e) as { step: string }).step), ['filed', 'routed']);
    for (const e of mine) assert.deepEqual(Object.keys(JSON.parse(e) as object).sort(), ['kind', 'recordSha256', 'requestId', 'step', 'ts', 'v'], 'entries carry hashes only');
    assert.ok(!entries.join('\n').includes('CUS-2026-118') && !entries.join('\n').includes('Inspector'), 'no legal text or officer in the public log');
  });

  it('shows the request pending at both nodes, verified against their own log, and lets no API key decide', async () => {
    const [atShop, atChat] = await Promise.all([pendingAt(fixtures[0]!, shopmart, requestId), pendingAt(fixtures[1]!, chatapp, requestId)]);
    for (const r of [atShop, atChat]) {
      assert.equal(r.fingerprint, fingerprint);
      assert.equal(r.legalBasis?.reference, 'CUS-2026-118');
      assert.equal(r.officer, 'Inspector Li Wei');
      assert.equal(r.inVault, true);
    }
    const status = await shopmart.status();
    assert.equal(status.disclosures.pending, 1);
    assert.equal(status.feed.halted, false, 'the feed with agency and disclosure entries is followed');
    const tcp = await callNode(shopmart.url, fixtures[0]!.apiKey, `/v1/requests/${requestId}/approve`, {});
    assert.deepEqual([tcp.status, (tcp.body['error'] as { code: string }).code], [403, 'OPERATOR_ONLY']);
    await eventually('delivered recorded at the hub', async () => ((await hubRequest(requestId)).routes.every((r) => r.state === 'delivered') ? true : undefined));
  });

  it('answers from shopmart through `wildintel node requests approve`, and declines at chatapp with a reason code', async () => {
    const cli = await runCli(['node', 'requests', 'approve', requestId, '--reason', 'legal reviewed the court order'], fixtures[0]!.env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /answered \(the identifier was encrypted to the requesting agency\); logged at entry \d+/);
    const bad = await operator(fixtures[1]!, `/v1/requests/${requestId}/decline`, { reason: 'BECAUSE' });
    assert.deepEqual([bad.status, (bad.body['error'] as { code: string }).code], [400, 'INVALID_DECISION']);
    const declined = await operator(fixtures[1]!, `/v1/requests/${requestId}/decline`, { reason: 'OUT_OF_JURISDICTION', note: 'our users are outside this jurisdiction' });
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    const again = await operator(fixtures[1]!, `/v1/requests/${requestId}/approve`, {});
    assert.deepEqual([again.status, (again.body['error'] as { code: string }).code], [409, 'REQUEST_NOT_PENDING']);
    const routes = (await hubRequest(requestId)).routes;
    assert.deepEqual(routes, [
      { member: 'chatapp', state: 'declined', declineReason: 'OUT_OF_JURISDICTION', declineNote: 'our users are outside this jurisdiction' },
      { member: 'shopmart', state: 'answered', declineReason: null, declineNote: null },
    ]);
  });

  it("lets customs decrypt shopmart's answer, logging the retrieval, while the hub only ever held ciphertext", async () => {
    const res = await graphql(fed.hub.url, 'query($id: ID!) { disclosureAnswers(requestId: $id) { member ciphertext } }', { id: requestId }, { authorization: `Bearer ${token}` });
    const [answer] = res.body.data!['disclosureAnswers'] as Array<{ member: string; ciphertext: string }>;
    assert.equal(answer!.member, 'shopmart');
    assert.equal(answer!.ciphertext.split('.').length, 5, 'a compact JWE');
    const { plaintext } = await decryptAnswer(answer!.ciphertext, customs.encryptionKeyPem);
    assert.deepEqual([plaintext.identifier, plaintext.fingerprint, plaintext.member, plaintext.requestId], [{ kind: 'phone', value: RAW.phone }, fingerprint, 'shopmart', requestId]);
    assert.deepEqual([plaintext.firstSeenAt, plaintext.lastSeenAt].map((t) => new Date(t).toISOString()), [common.observedAt, common.observedAt].map((t) => new Date(t).toISOString()), 'first and last seen are when the seller was observed, not when the node ingested it');
    const other = await testAgency(fed, 'forestry');
    const stranger = await graphql(fed.hub.url, 'query($id: ID!) { disclosureAnswers(requestId: $id) { member } }', { id: requestId }, { authorization: `Bearer ${await other.token()}` });
    assert.equal(stranger.body.errors?.[0]?.extensions?.['code'], 'NOT_FOUND', "another agency cannot read the answers");
    const noScope = await graphql(fed.hub.url, 'query($id: ID!) { disclosureAnswers(requestId: $id) { member } }', { id: requestId }, { authorization: `Bearer ${await customs.token('indicators:read sellers:read')}` });
    assert.equal(noScope.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
    const records = (await hubRequest(requestId)).records.map((r) => `${r.step}${r.member ? `:${r.member}` : ''}`);
    assert.deepEqual(records.sort(), ['ANSWERED:shopmart', 'DECLINED:chatapp', 'DELIVERED:chatapp', 'DELIVERED:shopmart', 'FILED', 'RETRIEVED:shopmart', 'ROUTED']);
  });

  it('answers NOT_REPORTED for a seller this member published without its vault (a bulk batch)', async () => {
    const [key] = parsePseudonymKeys(await readFile(fixtures[1]!.env['PSEUDONYM_KEYS_FILE']!, 'utf8'), 'pseudonym key');
    const unknown = computeSellerFingerprint({ kind: 'account', value: RAW.other }, key!);
    const member = { slug: 'chatapp', keyPem: await readFile(fixtures[1]!.env['NODE_KEY_FILE']!, 'utf8'), certPem: await readFile(fixtures[1]!.env['NODE_CERT_FILE']!, 'utf8') };
    await fed.hub.services.ingest.accept(await fed.sign(member, { indicators: [{ type: 'SELLER', value: unknown, ...common }] }));
    const filed = await fileRequest(fed, token, await customs.sign(token, { indicatorId: indicatorId('SELLER', unknown) }, { caseId: 'CASE-2026-0043' }));
    assert.deepEqual(filed.request?.routes.map((r) => r.member), ['chatapp']);
    const pending = await pendingAt(fixtures[1]!, chatapp, filed.request!.id);
    assert.equal(pending.inVault, false);
    const approved = await operator(fixtures[1]!, `/v1/requests/${filed.request!.id}/approve`, {});
    assert.deepEqual([approved.status, approved.body['state'], approved.body['reason']], [200, 'declined', 'NOT_REPORTED']);
  });

  it('lets the auditor account for every disclosure in the log, with the volume per agency', async () => {
    const auditor = await fed.token('audit:read', { agency: 'oversight', tlp: 'CLEAR' });
    const report = await auditDisclosures({
      client: createHttpLogClient(fed.hub.url),
      verifierKey: fed.hub.services.log.verifierKey,
      rootPem: fed.rootCertPem,
      clock: systemClock,
      graphql: async (query, variables) => (await graphql(fed.hub.url, query, variables, { authorization: `Bearer ${auditor}` })).body.data as never,
    });
    assert.equal(report.requests, 2);
    assert.deepEqual(report.volume.filter((v) => v.agency === 'customs'), [{ agency: 'customs', requests: 2, membersAsked: 3, answered: 1, declined: 2, unanswered: 0, retrieved: 1, declineReasons: { OUT_OF_JURISDICTION: 1, NOT_REPORTED: 1 } }]);
    const cli = await runCli(['audit', 'disclosures', '--hub', fed.hub.url, '--root', path.join(fed.certsDir, 'dev/root.pem'), '--log-key', fed.hub.services.log.verifierKey, '--token', auditor], {});
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /disclosures verified: 2 requests, \d+ disclosure entries and 2 agency key registrations/);
    assert.match(cli.stdout, /customs\s+2\s+3\s+1\s+2\s+0\s+1/);
  });

  it('exports an evidence package that verifies offline and says what each signature proves', async () => {
    const res = await graphql(fed.hub.url, 'query($c: String!) { evidence(caseId: $c) { document requests indicators } }', { c: 'CASE-2026-0042' }, { authorization: `Bearer ${token}` });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const exported = parseEvidencePackage(JSON.parse((res.body.data!['evidence'] as { document: string }).document));
    assert.equal(exported.answers.length, 0, 'the hub cannot add decrypted answers');
    evidence = await withDecryptedAnswers(exported, customs.encryptionKeyPem);
    assert.equal(evidence.answers[0]!.plaintext.identifier.value, RAW.phone);
    assert.match(evidence.summary.markdown, /证据包 · Evidence package/);
    assert.match(evidence.summary.markdown, /时间线 · Timeline/);
    const observed = new Date(common.observedAt).toISOString();
    assert.ok(evidence.summary.markdown.includes(`first seen ${observed}, 最近 · last seen ${observed}`), 'the answer line gives observation times');
    const rows = evidence.summary.markdown.split('\n').filter((l) => l.startsWith('| SELLER'));
    assert.ok(rows.length > 0 && rows.every((row) => row.endsWith(`| ${observed} | ${observed} |`)), `the indicator rows give observation times: ${rows.join('\n')}`);
    const report = await verifyEvidence(evidence, { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock });
    const subjects = report.statements.map((s) => s.subject);
    assert.ok(subjects.some((s) => s.startsWith('batch shopmart/')) && subjects.some((s) => s.startsWith('batch chatapp/')));
    const answered = report.statements.find((s) => s.subject.startsWith("shopmart's answered record"))!;
    assert.match(answered.proves.join(' '), /signed it with its federation certificate/);
    assert.match(answered.doesNotProve.join(' '), /belongs to the suspect/);
    assert.ok(await verifyEvidence(exported, { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock }), 'without answers too');
  });

  it('refuses a package with any byte of a batch, proof, record, key, answer or summary changed, naming what broke', async () => {
    const relabelled = (tlp: string): string => (tlp === 'CLEAR' ? 'RED' : 'CLEAR');
    const otherMembersChain = (p: EvidencePackage): string[] => {
      const [first, ...rest] = p.provenance.flatMap((b) => b.sightings);
      const other = rest.find((x) => x.member !== first!.member);
      assert.ok(other !== undefined, 'the package holds batches of two members');
      return [...other.certificateChain];
    };
    const options = { rootPem: fed.rootCertPem, verifierKey: fed.hub.services.log.verifierKey, clock: systemClock };
    const answered = (p: EvidencePackage) => p.disclosures[0]!.records.find((r) => r.step === 'answered')!;
    const cases: Array<[string, (p: EvidencePackage) => void, string]> = [
      ['a batch’s signed JWT', (p) => void (p.provenance[0]!.sightings[0]!.sdJwt = flip(p.provenance[0]!.sightings[0]!.sdJwt!, 40)), 'BATCH_HASH_MISMATCH'],
      ['a batch’s disclosure', (p) => void (p.provenance[0]!.sightings[0]!.sdJwt = flip(p.provenance[0]!.sightings[0]!.sdJwt!, p.provenance[0]!.sightings[0]!.sdJwt!.length - 8)), 'BATCH_INVALID'],
      ['a batch inclusion proof', (p) => void (p.provenance[0]!.sightings[0]!.inclusionProof[0] = flip(p.provenance[0]!.sightings[0]!.inclusionProof[0]!, 3)), 'INCONSISTENT_PROOF'],
      ['a batch log entry', (p) => void (p.provenance[0]!.sightings[0]!.logEntry = Buffer.from(Buffer.from(p.provenance[0]!.sightings[0]!.logEntry, 'base64').toString().replace('"count":2', '"count":3')).toString('base64')), 'INCONSISTENT_PROOF'],
      ['the filed record', (p) => void (p.disclosures[0]!.records[0]!.record = flip(p.disclosures[0]!.records[0]!.record)), 'RECORD_HASH_MISMATCH'],
      ['the answered record', (p) => void (answered(p).record = flip(answered(p).record)), 'RECORD_HASH_MISMATCH'],
      ['a disclosure inclusion proof', (p) => void (answered(p).inclusionProof[0] = flip(answered(p).inclusionProof[0]!, 3)), 'INCONSISTENT_PROOF'],
      ['the agency key set', (p) => void (p.disclosures[0]!.agencyKeys.jwks = p.disclosures[0]!.agencyKeys.jwks.replace(customs.publicKeys.keys[0].x, flip(customs.publicKeys.keys[0].x))), 'AGENCY_KEY_MISMATCH'],
      ['the checkpoint', (p) => void (p.checkpoint = p.checkpoint.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`)), 'CHECKPOINT_SIGNATURE'],
      ['a decrypted answer', (p) => void (p.answers[0]!.plaintext.identifier.value = '+86 139 0000 0000'), 'ANSWER_MISMATCH'],
      ['a content key', (p) => void (p.answers[0]!.contentKey = flip(p.answers[0]!.contentKey)), 'ANSWER_UNDECRYPTABLE'],
      ['a sighting', (p) => void (p.indicators[0]!.sightings[0]!.confidence = 10), 'SIGHTING_UNBACKED'],
      ['a listed sighting’s TLP', (p) => void (p.indicators[0]!.sightings[0]!.tlp = relabelled(p.indicators[0]!.sightings[0]!.tlp)), 'SIGHTING_UNBACKED'],
      ['a batch’s TLP label', (p) => void (p.provenance[0]!.sightings[0]!.tlp = relabelled(p.provenance[0]!.sightings[0]!.tlp)), 'SIGHTING_MISMATCH'],
      ['a batch’s certificate chain, for another member’s', (p) => void (p.provenance[0]!.sightings[0]!.certificateChain = otherMembersChain(p)), 'SIGHTING_MISMATCH'],
      ['the summary', (p) => void (p.summary.markdown = p.summary.markdown.replace('OUT_OF_JURISDICTION', 'NOT_REPORTED')), 'SUMMARY_MISMATCH'],
    ];
    for (const [part, mutate, code] of cases) {
      await assert.rejects(verifyEvidence(mutated(evidence, mutate), options), (err: unknown) => isWildintelError(err) && err.code === code, `changing ${part} fails with ${code}`);
    }
  });

  it("works through the agency's and the member's commands: keygen, agency add, request, decline, list, open, evidence export and verify", async () => {
    const keys = path.join(dir, 'agency-keys');
    const hubEnv = { DATA_DIR: fed.config.DATA_DIR, CERTS_DIR: fed.certsDir, HUB_ORIGIN: fed.config.HUB_ORIGIN, ...(fed.config.DATABASE_URL ? { DATABASE_URL: fed.config.DATABASE_URL } : {}) };
    const ok = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
      const run = await runCli(args, env);
      assert.equal(run.code, 0, `${args.slice(0, 3).join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    await ok(['disclosure', 'keygen', '--agency', 'wildlife', '--out', keys]);
    const added = await ok(['agency', 'add', 'wildlife', '--name', 'Wildlife Police', '--encryption-key', path.join(keys, 'wildlife-disclosure-keys.json')], hubEnv);
    assert.match(added, /agency wildlife registered\ndisclosure keys registered \(log entry \d+/);
    const analyst = await fed.token('indicators:read sellers:read disclosure:request', { agency: 'wildlife', sub: 'officer-kim' });
    const legal = path.join(dir, 'legal-basis.txt');
    await writeFile(legal, 'Wildlife Protection Law art. 27 (野生动物保护法第二十七条)\nWarrant 2026-77\n');
    const agencyArgs = ['--hub', fed.hub.url, '--token', analyst];
    const filed = JSON.parse(await ok(['disclosure', 'request', ...agencyArgs, '--signing-key', path.join(keys, 'wildlife-signing-key.pem'), '--agency-keys', path.join(keys, 'wildlife-disclosure-keys.json'), '--fingerprint', fingerprint, '--case', 'WL-7', '--officer', 'Officer Kim', '--reference', 'W-2026-77', '--legal-basis-file', legal, '--expires-in', '7d', '--json'])) as { id: string; routes: Array<{ member: string }> };
    assert.deepEqual(filed.routes.map((r) => r.member), ['chatapp', 'shopmart']);
    await Promise.all([pendingAt(fixtures[0]!, shopmart, filed.id), pendingAt(fixtures[1]!, chatapp, filed.id)]);
    assert.equal((await operator(fixtures[0]!, `/v1/requests/${filed.id}/approve`, { note: 'court order checked' })).status, 200);
    assert.match(await ok(['node', 'requests', 'decline', filed.id, '--reason', 'duplicate_request', '--note', 'answered in case CASE-2026-0042'], fixtures[1]!.env), /declined \(DUPLICATE_REQUEST\); logged at entry \d+/);
    assert.match(await ok(['node', 'requests', '--state', 'declined'], fixtures[1]!.env), new RegExp(`${filed.id}  DECLINED  wildlife case WL-7`));
    assert.match(await ok(['disclosure', 'list', ...agencyArgs, '--case', 'WL-7']), /chatapp: declined \(DUPLICATE_REQUEST: answered in case CASE-2026-0042\), shopmart: answered/);
    const opened = await ok(['disclosure', 'open', filed.id, ...agencyArgs, '--key', path.join(keys, 'wildlife-encryption-key.pem'), '--root', path.join(fed.certsDir, 'dev/root.pem')]);
    assert.match(opened, new RegExp(`^shopmart: phone \\${RAW.phone} .*signed by the member under the federation root`));
    const file = path.join(dir, 'evidence.json');
    await ok(['evidence', 'export', '--case', 'WL-7', ...agencyArgs, '--key', path.join(keys, 'wildlife-encryption-key.pem'), '--out', file, '--summary', path.join(dir, 'evidence.md')]);
    assert.match(await readFile(path.join(dir, 'evidence.md'), 'utf8'), /Warrant 2026-77/);
    const verifyArgs = ['--root', path.join(fed.certsDir, 'dev/root.pem'), '--log-key', fed.hub.services.log.verifierKey];
    const verified = await ok(['evidence', 'verify', file, ...verifyArgs]);
    assert.match(verified, /^evidence verified: case WL-7 of wildlife/);
    assert.match(verified, /proves: {10}member shopmart signed it with its federation certificate/);
    assert.match(verified, /does not prove: {2}that the legal basis is valid or sufficient/);
    const pkg = JSON.parse(await readFile(file, 'utf8')) as EvidencePackage;
    await writeFile(file, JSON.stringify(mutated(pkg, (p) => void (p.disclosures[0]!.records[0]!.record = flip(p.disclosures[0]!.records[0]!.record)))));
    const refused = await runCli(['evidence', 'verify', file, ...verifyArgs], {});
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the filed record is not the one log entry \d+ commits to \[RECORD_HASH_MISMATCH\]/);
  });

  it('never lets a raw identifier reach the hub: not in any table, not in its logs; nor the node logs or databases in clear', async () => {
    const hubDump = await dumpDatabase(fed.hub.database.dataSource);
    assert.ok(hubDump.includes('disclosure_steps') && hubDump.includes(requestId), 'the dump holds the disclosure tables');
    assertNoneIn(
      [
        ['hub database', hubDump],
        ['hub log', hubLogs.text()],
        ['node log', nodeLogs.text()],
        ['shopmart database', await dumpDatabase(shopmart.database.dataSource)],
        ['chatapp database', await dumpDatabase(chatapp.database.dataSource)],
      ],
      rawSpellings(Object.values(RAW)),
    );
  });
});
