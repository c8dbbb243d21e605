/**
 * Opinions between platforms and agencies: a platform records its verdict through its node
 * (`POST /v1/opinions`, signed as the member), an agency through GraphQL; every node learns the
 * verdicts from the feed (each checked against its log entry) and its local scan reports the
 * federation's status of what a listing matched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indicatorId } from '../src/indicators/index.js';
import type { RunningNode } from '../src/node/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';
import { callNode, capturingLogger, eventually, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'PANGOLIN', confidence: 80, observedAt: '2026-03-01T12:00:00Z', tlp: 'AMBER' };

describe('opinions through member nodes and the feed', () => {
  let dir: string;
  let fed: TestFederation;
  let fixtures: NodeFixture[] = [];
  let shopmart: RunningNode;
  let chatapp: RunningNode;
  const logs = capturingLogger();
  const id = indicatorId('KEYWORD', '穿山甲片');

  const scanStatus = async (): Promise<string | undefined> => {
    const r = await callNode(chatapp.url, fixtures[1]!.apiKey, '/v1/scan', { text: '出售 穿 山 甲 片' });
    const hits = (r.body['keywords'] ?? []) as Array<{ indicatorId: string; status: string }>;
    return hits.find((h) => h.indicatorId === id)?.status;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-opinions-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
    const pseudonymFile = await sharedPseudonymKey(dir);
    fixtures = [await nodeFixture(fed, await fed.addMember('shopmart'), pseudonymFile), await nodeFixture(fed, await fed.addMember('chatapp'), pseudonymFile)];
    shopmart = await fixtures[0]!.start(logs.logger);
    chatapp = await fixtures[1]!.start(logs.logger);
    const made = await callNode(shopmart.url, fixtures[0]!.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: '穿山甲片', ...common }] });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.equal(await eventually('chatapp to index shopmart’s code word', scanStatus), 'UNREVIEWED');
  });
  after(async () => {
    await chatapp?.stop();
    await shopmart?.stop();
    for (const f of fixtures) await f.cleanup();
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a platform’s verdict at the hub in its member’s name, and every node learns the aggregate from the feed', async () => {
    const r = await callNode(chatapp.url, fixtures[1]!.apiKey, '/v1/opinions', { indicatorId: id, opinion: 'FALSE_POSITIVE', note: 'a costume jewellery listing' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body['status'], typeof r.body['leafIndex']], ['FALSE_POSITIVE', 'number']);
    assert.equal(await eventually('the verdict to reach chatapp’s index', async () => ((await scanStatus()) === 'FALSE_POSITIVE' ? 'ok' : undefined)), 'ok');
    const agency = await fed.token('indicators:read', { tlp: 'AMBER' });
    const byAgency = await graphql(fed.hub.url, 'mutation($id: ID!) { reportOpinion(indicatorId: $id, opinion: CONFIRMED) { status } }', { id }, { authorization: `Bearer ${agency}` });
    assert.deepEqual(byAgency.body.data, { reportOpinion: { status: 'DISPUTED' } });
    assert.equal(await eventually('the dispute to reach chatapp', async () => ((await scanStatus()) === 'DISPUTED' ? 'ok' : undefined)), 'ok');
    const opinions = await graphql(fed.hub.url, 'query($id: ID!) { indicator(id: $id) { opinions { by verdict note } } }', { id }, { authorization: `Bearer ${agency}` });
    assert.deepEqual((opinions.body.data!['indicator'] as { opinions: unknown[] }).opinions, [
      { by: 'member:chatapp', verdict: 'FALSE_POSITIVE', note: 'a costume jewellery listing' },
      { by: 'agency:customs', verdict: 'CONFIRMED', note: null },
    ]);
  });

  it('refuses a malformed opinion, and one on an indicator the hub does not have, with codes', async () => {
    const bad = await callNode(chatapp.url, fixtures[1]!.apiKey, '/v1/opinions', { indicatorId: id, opinion: 'MAYBE' });
    assert.deepEqual([bad.status, (bad.body['error'] as { code: string }).code], [400, 'INVALID_OPINION']);
    const unknown = await callNode(chatapp.url, fixtures[1]!.apiKey, '/v1/opinions', { indicatorId: indicatorId('KEYWORD', 'nothingatall'), opinion: 'CONFIRMED' });
    assert.deepEqual([unknown.status, (unknown.body['error'] as { code: string }).code], [404, 'UNKNOWN_INDICATOR']);
  });
});
