/**
 * Raw identifiers typed into listing text never reach the hub: the node publishes the keyword
 * with placeholders and each identifier as its seller fingerprint, and refuses an account made
 * only of invisible characters. Checked in every row of the hub's database.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { computeSellerFingerprint, indicatorId } from '../src/indicators/index.js';
import { parsePseudonymKeys, type RunningNode } from '../src/node/index.js';
import type { TestFederation } from './helpers/federation.js';
import { callNode, dumpDatabase, eventually, federationWithNode, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };

describe('identifiers in listing text', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;
  let pseudonymFile: string;

  before(async () => {
    setup = await federationWithNode();
    ({ fed, fixture, pseudonymFile } = setup);
    node = setup.node!;
  });
  after(() => setup?.close());

  it('publishes the keyword with placeholders and each identifier as its fingerprint, and nothing raw reaches the hub', async () => {
    const texts = ['加微信 zzwx_seller8812 象牙', 'ivory zzbob at example dot org', '象牙手镯 电话 138-0013-8000', 'rhino horn zzcarl(at)mail(dot)com'];
    const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: texts.map((text) => ({ kind: 'keyword', text, ...common })) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const made = res.body['indicators'] as Array<Array<{ type: string; value: string }>>;
    assert.deepEqual(made.map((m) => m.map((i) => i.type)), texts.map(() => ['KEYWORD', 'SELLER']));
    assert.deepEqual(made.map((m) => m[0]!.value), ['加微信chat象牙', 'ivoryemail', '象牙手镯电话phone', 'rhinohornemail']);
    const [key] = parsePseudonymKeys(await readFile(pseudonymFile, 'utf8'), pseudonymFile);
    assert.equal(made[0]![1]!.value, computeSellerFingerprint({ kind: 'chat', value: 'zzwx_seller8812' }, key!), 'the same pseudonym as a seller observation of that WeChat id');
    assert.equal(made[2]![1]!.value, computeSellerFingerprint({ kind: 'phone', value: '+8613800138000' }, key!));

    await eventually('the batch at the hub', async () => ((await node.status()).outbox.accepted > 0 && (await node.status()).outbox.pending === 0 ? true : undefined));
    const hub = await dumpDatabase(fed.hub.database.dataSource);
    // Needles long enough not to turn up by chance in the dump's hashes, signatures and times.
    for (const raw of ['zzwx_seller8812', 'zzbob', 'example', '13800138000', '138-0013-8000', 'zzcarl']) assert.ok(!hub.includes(raw), `${raw} reached the hub`);
    const stored: Array<{ id: string }> = await fed.hub.database.dataSource.query(`SELECT id FROM indicators WHERE type = 'SELLER'`);
    assert.ok(stored.some((r) => r.id === indicatorId('SELLER', made[0]![1]!.value)));
  });

  it('catches a phone split by emoji and a handle in the platform section, before normalization joins them, and keeps both as seller fingerprints', async () => {
    // On main this published the keyword 象牙手镯加我13800138000 and the section verbatim.
    const text = '象牙手镯 加我 138🐘0013🐘8000';
    const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text, platformSection: 'wx-zzseller8812', ...common }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [made] = res.body['indicators'] as Array<Array<{ type: string; value: string }>>;
    assert.deepEqual(made!.map((i) => i.type), ['KEYWORD', 'SELLER', 'SELLER']);
    assert.equal(made![0]!.value, '象牙手镯加我phone');
    const [key] = parsePseudonymKeys(await readFile(pseudonymFile, 'utf8'), pseudonymFile);
    assert.equal(made![1]!.value, computeSellerFingerprint({ kind: 'phone', value: '+8613800138000' }, key!));
    assert.equal(made![2]!.value, computeSellerFingerprint({ kind: 'chat', value: 'zzseller8812' }, key!));

    // Nothing pending at the node can still be in flight: wait until the hub holds the keyword.
    const stored = async (): Promise<true | undefined> => ((await fed.hub.database.dataSource.query(`SELECT 1 FROM indicators WHERE value = $1`, ['象牙手镯加我phone'])).length > 0 ? true : undefined);
    await eventually('the batch at the hub', stored);
    const hub = await dumpDatabase(fed.hub.database.dataSource);
    // Needles long enough not to turn up by chance in a hash, a signature or a millisecond timestamp ('0013' alone did).
    for (const raw of ['13800138000', '138🐘0013', '0013🐘8000', '+8613800138000', 'zzseller8812']) assert.ok(!hub.includes(raw), `${raw} reached the hub`);
    assert.ok(hub.includes('wx-chat'), 'the section is published with its placeholder');
    const keywords: Array<{ value: string }> = await fed.hub.database.dataSource.query(`SELECT value FROM indicators WHERE type = 'KEYWORD'`);
    assert.ok(keywords.some((k) => k.value === '象牙手镯加我phone'));
    assert.ok(keywords.every((k) => !/[0-9]/.test(k.value)), JSON.stringify(keywords));
  });

  it('refuses a seller account made only of invisible characters, with its index and field', async () => {
    const res = await callNode(node.url, fixture.apiKey, '/v1/observations', {
      observations: [
        { kind: 'seller', identifier: { type: 'account', value: 'ivory_shop' }, ...common },
        { kind: 'seller', identifier: { type: 'account', value: '\u200b\u200c\u200d' }, ...common },
      ],
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const error = res.body['error'] as { code: string; index: number; field: string };
    assert.deepEqual([error.code, error.index, error.field], ['INVALID_OBSERVATION', 1, 'identifier.value']);
  });
});
