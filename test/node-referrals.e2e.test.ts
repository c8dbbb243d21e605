/**
 * Referrals through a member node (issue #22): the platform (or the operator's CLI, through the
 * node's socket) files a case at its node; the node asks the hub who receives it, encrypts the
 * evidence to that agency's key, signs with the member certificate and files it; the agency's
 * steps come back to the node's `referrals list`. Bad input is refused at the node with its field
 * and nothing reaches the hub.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { buildProgram } from '../src/cli/main.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/kernel/index.js';
import type { RunningNode } from '../src/node/index.js';
import { decryptEvidence } from '../src/referrals/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { testAgency, type TestAgency } from './helpers/disclosure.js';
import { graphql } from './helpers/hub-process.js';
import { callNode, capturingLogger, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

const FP = 'fp1.k1.n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
const SCREENSHOT = 'screenshot bytes: ivory bangle listing 884123';

describe('referrals through a member node', () => {
  let dir: string;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;
  let hubDb: DataSource;
  let customs: TestAgency;
  let token: string;
  const post = (body: unknown) => callNode(node.url, fixture.apiKey, '/v1/referrals', body);
  const hubCount = async (): Promise<number> => ((await hubDb.query(`SELECT count(*)::int AS n FROM referrals`)) as Array<{ n: number }>)[0]!.n;
  const cli = async (...args: string[]): Promise<string> => {
    const printed: string[] = [];
    const config = loadConfig(fixture.env);
    await (await buildProgram({ config: () => config, logger: () => createLogger('silent'), print: (t) => printed.push(t) })).parseAsync(['node', 'wildintel', ...args]);
    return printed.join('\n');
  };
  const asCustoms = (query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${token}` });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-node-referrals-'));
    fed = await startTestFederation();
    hubDb = fed.hub.database.dataSource;
    const member = await fed.addMember('shopmart');
    customs = await testAgency(fed, 'customs');
    await fed.hub.services.referrals.setCompetence('customs', { commodities: ['IVORY'], jurisdictions: ['CN'] });
    token = await fed.token('referrals:read referrals:act', { agency: 'customs' });
    fixture = await nodeFixture(fed, member, await sharedPseudonymKey(dir));
    node = await fixture.start(capturingLogger().logger);
  });
  after(async () => {
    await node?.stop();
    await fixture?.cleanup();
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('files a referral with evidence the agency alone can open, and shows the agency’s steps at the node', async () => {
    const filed = await post({ sellers: [FP], summary: 'Ivory bangles, three shops, one seller', urgency: 'CRITICAL', commodity: 'IVORY', place: 'CN-YN', evidence: [{ name: 'listing.png', mediaType: 'image/png', data: Buffer.from(SCREENSHOT).toString('base64') }] });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    const [referral] = filed.body['referrals'] as Array<{ referralId: string; agency: string; leafIndex: number }>;
    assert.equal(referral!.agency, 'customs');
    const stored: Array<{ record: string }> = await hubDb.query(`SELECT record FROM referrals WHERE referral_id = $1`, [referral!.referralId]);
    assert.ok(!stored[0]!.record.includes(Buffer.from(SCREENSHOT).toString('base64')));
    const seen = (await asCustoms(`query($id: ID!) { referral(id: $id) { evidence urgency member } }`, { id: referral!.referralId })).body.data!['referral'] as { evidence: string; urgency: string; member: string };
    assert.deepEqual([seen.urgency, seen.member], ['CRITICAL', 'shopmart']);
    assert.equal(Buffer.from((await decryptEvidence(seen.evidence, customs.encryptionKeyPem, referral!.referralId)).files[0]!.data, 'base64').toString('utf8'), SCREENSHOT);
    // The agency's command writes the decrypted files on its side.
    const keyFile = path.join(dir, 'customs-enc.pem');
    await writeFile(keyFile, customs.encryptionKeyPem, { mode: 0o600 });
    const out = path.join(dir, 'case');
    assert.match(await cli('referral', 'evidence', referral!.referralId, '--hub', fed.hub.url, '--token', token, '--key', keyFile, '--out', out), /01-listing\.png {2}image\/png/);
    assert.equal(await readFile(path.join(out, '01-listing.png'), 'utf8'), SCREENSHOT);

    await asCustoms(`mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }`, { id: referral!.referralId });
    await asCustoms(`mutation($id: ID!) { closeReferral(id: $id, result: INVESTIGATION_OPENED, note: "Case opened") { state } }`, { id: referral!.referralId });
    const listed = await callNode(node.url, fixture.apiKey, '/v1/referrals');
    const mine = (listed.body['referrals'] as Array<{ id: string; state: string; result: string | null }>).find((r) => r.id === referral!.referralId);
    assert.deepEqual([mine?.state, mine?.result], ['CLOSED', 'INVESTIGATION_OPENED']);
    // The operator's CLI, through the node's socket.
    const printed = await cli('node', 'referrals', 'list');
    assert.match(printed, new RegExp(`${referral!.referralId}\\s+CLOSED\\s+customs`));
    assert.match(printed, /result INVESTIGATION_OPENED: Case opened/);
    assert.match(await cli('node', 'referrals', 'show', referral!.referralId), /routed COMPETENCE/);
  });

  it('files from the CLI, naming the agency, with an evidence file', async () => {
    const file = path.join(dir, 'shot.png');
    await writeFile(file, SCREENSHOT);
    const printed = await cli('node', 'referrals', 'file', '--summary', 'Pangolin scales via courier', '--urgency', 'HIGH', '--commodity', 'PANGOLIN', '--place', 'KE', '--agency', 'customs', '--seller', FP, '--evidence', file);
    assert.match(printed, /^case [0-9a-f-]{36}\nreferral [0-9a-f-]{36} filed to customs \(log entry \d+\)$/);
  });

  it('refuses bad input at the node with the field, and hub refusals with the hub’s code; nothing is filed', async () => {
    const before = await hubCount();
    const base = { sellers: [FP], summary: 'ok', urgency: 'LOW', commodity: 'IVORY', place: 'CN' };
    for (const [body, field] of [
      [{ ...base, summary: 'bad\u001b[31m' }, 'summary'],
      [{ ...base, place: 'XX' }, 'place'],
      [{ ...base, urgency: 'URGENT' }, 'urgency'],
      [{ ...base, sellers: ['+86 138 0013 8000'] }, 'sellers.0'],
      [{ ...base, sellers: [] }, 'sellers'],
      [{ ...base, extra: 1 }, ''],
      [{ ...base, evidence: [{ name: 'a\u202e.png', mediaType: 'image/png', data: 'AAAA' }] }, 'evidence.files.0.name'],
    ] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((r.body['error'] as { code: string }).code, 'INVALID_REFERRAL');
      if (field !== '') assert.equal((r.body['error'] as { field?: string }).field, field, JSON.stringify(r.body));
    }
    const none = await post({ ...base, place: 'KE' });
    assert.equal(none.status, 409);
    assert.deepEqual([(none.body['error'] as { code: string }).code, (none.body['error'] as { hubCode: string }).hubCode], ['REFERRAL_REFUSED', 'NO_COMPETENT_AGENCY']);
    assert.equal((await callNode(node.url, fixture.apiKey, '/v1/referrals/not-an-id')).status, 400);
    assert.equal((await callNode(node.url, fixture.apiKey, '/v1/referrals/5b2e0c1a-8d3f-4e6a-9c7b-1f0e2d3c4b5a')).status, 404);
    assert.equal((await callNode(node.url, undefined, '/v1/referrals')).status, 401);
    assert.equal(await hubCount(), before);
  });
});
