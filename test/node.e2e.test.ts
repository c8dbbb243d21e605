/**
 * A real hub and two member nodes (shopmart, chatapp) over HTTP, each node with its own database:
 * observations in → signed batches → indicators an agency sees; one seller correlated across
 * both members; one member's keywords and image hashes screening the other member's listings;
 * retractions; and the privacy guarantee that no raw identifier reaches the hub.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RunningNode, NodeStatus } from '../src/node/index.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';
import { callNode, capturingLogger, dumpDatabase, eventually, nodeFixture, sharedPseudonymKey, testPicture, type NodeFixture } from './helpers/member-node.js';

interface Made {
  type: string;
  id: string;
  value: string;
  quality?: number;
}

/** Raw identifiers the platforms submit, in every spelling that could leak. */
const RAW = {
  phone: '+86 138 0013 8000',
  phoneLocal: '13800138000',
  phoneE164: '+8613800138000',
  email: 'Seller.Wang@Example.com',
  account: 'wang_ivory_88',
};
const common = { commodity: 'IVORY', confidence: 85, observedAt: '2026-03-01T12:00:00Z' };

describe('member nodes publishing to a hub', () => {
  let dir: string;
  let fed: TestFederation;
  const hubLogs = capturingLogger();
  const nodeLogs = capturingLogger();
  let fixtures: NodeFixture[] = [];
  let shopmart: RunningNode;
  let chatapp: RunningNode;
  let keys: { shopmart: string; chatapp: string };
  let agency: string;
  let picture: Buffer;
  const made: Record<string, Made[][]> = {};

  const post = (node: RunningNode, route: string, body: unknown) => callNode(node.url, node === shopmart ? keys.shopmart : keys.chatapp, route, body);
  const indicatorAtHub = async (id: string): Promise<{ members: string[]; sightingCount: number } | null> => {
    const res = await graphql(fed.hub.url, 'query($id: ID!) { indicator(id: $id) { members sightingCount } }', { id }, { authorization: `Bearer ${agency}` });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res.body.data!['indicator'] as { members: string[]; sightingCount: number } | null;
  };
  /** Waits until the node has nothing pending or queued and every receipt is audited. */
  const settled = (node: RunningNode): Promise<NodeStatus> =>
    eventually('the outbox to drain and receipts to be audited', async () => {
      const s = await node.status();
      return s.outbox.pending === 0 && s.outbox.queued === 0 && s.audit.pending === 0 ? s : undefined;
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-node-e2e-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' }, logger: hubLogs.logger });
    const pseudonymFile = await sharedPseudonymKey(dir);
    // shopmart pins the hub's log key on first contact; chatapp is configured with it.
    fixtures = [
      await nodeFixture(fed, await fed.addMember('shopmart'), pseudonymFile),
      await nodeFixture(fed, await fed.addMember('chatapp'), pseudonymFile, { HUB_LOG_KEY: fed.hub.services.log.verifierKey }),
    ];
    const [a, b] = fixtures as [NodeFixture, NodeFixture];
    [shopmart, chatapp] = await Promise.all([a.start(nodeLogs.logger), b.start(nodeLogs.logger)]);
    keys = { shopmart: fixtures[0]!.apiKey, chatapp: fixtures[1]!.apiKey };
    await fed.hub.services.tokens.addAgency('customs', 'Customs');
    agency = (await fed.hub.services.tokens.issue({ agency: 'customs', sub: 'analyst', scope: 'indicators:read sellers:read', tlp: 'AMBER', ttlSeconds: 3600 })).token;
    picture = await testPicture();
  });
  after(async () => {
    await Promise.all([shopmart?.stop(), chatapp?.stop()]);
    await Promise.all(fixtures.map((f) => f.cleanup()));
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a call without a platform API key', async () => {
    const res = await callNode(shopmart.url, undefined, '/v1/observations', { observations: [] });
    assert.deepEqual([res.status, (res.body['error'] as { code: string }).code], [401, 'UNAUTHENTICATED']);
    assert.equal((await callNode(shopmart.url, 'wik_not-a-real-key-at-all', '/v1/status')).status, 401);
    // Every platform route, the outcome routes of issue 22 included, needs a key and records nothing without one.
    const routes: Array<[string, unknown]> = [
      ['/v1/scan', { text: 'x' }],
      ['/v1/outcomes', { outcomes: [] }],
      ['/v1/outcomes/retractions', { retractions: [] }],
      ['/v1/outcomes', undefined],
      ['/v1/outcomes?listing=https%3A%2F%2Fshop.example%2Fitem%2F1', undefined],
      // Referrals (issue 22).
      ['/v1/referrals', { summary: 'x', urgency: 'LOW', commodity: 'IVORY', place: 'CN', indicators: ['n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg'] }],
      ['/v1/referrals', undefined],
      ['/v1/referrals/5b2e0c1a-8d3f-4e6a-9c7b-1f0e2d3c4b5a', undefined],
    ];
    // Reviewer accounts (issue 23) are the operator's: a key is needed, and then only the socket may manage them.
    routes.push(['/v1/reviewers', undefined], ['/v1/reviewers', { name: 'mallory', role: 'moderator' }], ['/v1/reviewers/mallory/remove', {}]);
    for (const [route, body] of routes) {
      for (const key of [undefined, 'wik_not-a-real-key-at-all']) assert.equal((await callNode(shopmart.url, key, route, body)).status, 401, `${route} ${body === undefined ? 'GET' : 'POST'} with ${key ?? 'no key'}`);
    }
    const byPlatform = await callNode(shopmart.url, keys.shopmart, '/v1/reviewers', { name: 'mallory', role: 'moderator' });
    assert.deepEqual([byPlatform.status, (byPlatform.body['error'] as { code: string }).code], [403, 'OPERATOR_ONLY']);
    // The review API needs a reviewer session (the public report routes need none, by design).
    for (const [method, route] of [['GET', '/review/api/me'], ['GET', '/review/api/queue'], ['GET', '/review/api/numbers'], ['GET', `/review/api/reports/${randomUUID()}/photos/0`], ['POST', `/review/api/reports/${randomUUID()}/decisions`], ['POST', '/review/logout']] as const) {
      const res = await fetch(`${shopmart.url}${route}`, { method, headers: { 'content-type': 'application/json', cookie: 'wildintel_review=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, ...(method === 'POST' ? { body: '{"decision":"confirm"}' } : {}) });
      assert.deepEqual([res.status, ((await res.json()) as { error: { code: string } }).error.code], [401, 'UNAUTHENTICATED'], `${method} ${route}`);
    }
  });

  it('refuses a whole request for one invalid observation, naming its index and field, and queues nothing', async () => {
    const res = await post(shopmart, '/v1/observations', {
      observations: [
        { kind: 'keyword', text: '犀牛角', ...common },
        { kind: 'seller', identifier: { type: 'phone', value: '999' }, ...common },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body['error'], { code: 'INVALID_OBSERVATION', index: 1, field: 'identifier.value', message: (res.body['error'] as { message: string }).message });
    assert.ok(!JSON.stringify(res.body).includes('999'), 'the raw value is not echoed');
    assert.equal((await shopmart.status()).outbox.pending, 0);
  });

  it('turns observations into indicators an agency sees at the hub, with audited receipts', async () => {
    const res = await post(shopmart, '/v1/observations', {
      observations: [
        { kind: 'seller', identifier: { type: 'phone', value: RAW.phone }, ...common },
        { kind: 'seller', identifier: { type: 'account', value: RAW.account }, ...common, tlp: 'GREEN' },
        { kind: 'keyword', text: '象 牙 手鐲', language: 'zh', ...common },
        { kind: 'image', data: picture.toString('base64'), ...common },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const indicators = res.body['indicators'] as Made[][];
    made['shopmart'] = indicators;
    assert.deepEqual(indicators.map((list) => list.map((i) => i.type)), [['SELLER'], ['SELLER'], ['KEYWORD'], ['IMAGE_PDQ', 'IMAGE_SHA256']]);
    assert.match(indicators[0]![0]!.value, /^fp1\.2026-01\.[A-Za-z0-9_-]{43}$/);
    assert.equal(indicators[2]![0]!.value, '象牙手镯');
    assert.ok((indicators[3]![0]!.quality ?? 0) >= 50);

    const status = await settled(shopmart);
    assert.deepEqual([status.outbox.accepted, status.outbox.refused, status.audit.verified, status.alarms.count], [2, 0, 2, 0], 'one AMBER and one GREEN batch');
    assert.equal(status.audit.logKey, fed.hub.services.log.verifierKey, 'the log key pinned on first contact');
    for (const id of indicators.flat().map((i) => i.id)) assert.deepEqual(await indicatorAtHub(id), { members: ['shopmart'], sightingCount: 1 });
  });

  it('takes images as multipart uploads', async () => {
    const photo = await testPicture(7);
    const form = new FormData();
    form.set('observations', JSON.stringify({ observations: [{ kind: 'image', file: 'photo', ...common, commodity: 'RHINO_HORN' }] }));
    form.set('photo', new Blob([photo]), 'photo.png');
    const res = await fetch(`${chatapp.url}/v1/observations`, { method: 'POST', headers: { authorization: `Bearer ${keys.chatapp}` }, body: form });
    const body = (await res.json()) as { indicators: Made[][] };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body.indicators[0]!.map((i) => i.type), ['IMAGE_PDQ', 'IMAGE_SHA256']);
    assert.equal(body.indicators[0]![1]!.value, createHash('sha256').update(photo).digest('hex'));
  });

  it('correlates the same seller seen by both members into one SELLER indicator with two members', async () => {
    const res = await post(chatapp, '/v1/observations', {
      observations: [
        { kind: 'seller', identifier: { type: 'phone', value: RAW.phoneLocal }, ...common },
        { kind: 'seller', identifier: { type: 'email', value: RAW.email }, ...common },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const phone = (res.body['indicators'] as Made[][])[0]![0];
    assert.equal(phone!.id, made['shopmart']![0]![0]!.id, 'same fingerprint from +86 138 0013 8000 and 13800138000 (region CN)');
    await settled(chatapp);
    assert.deepEqual(await indicatorAtHub(phone!.id), { members: ['chatapp', 'shopmart'], sightingCount: 2 });
  });

  it("screens chatapp's listings against shopmart's keywords and image hashes, locally", async () => {
    const copy = await sharp(picture).resize(200).jpeg({ quality: 80 }).toBuffer();
    const scan = () => post(chatapp, '/v1/scan', { text: '出售 象牙手鐲 包邮', image: { data: copy.toString('base64') } });
    const result = await eventually('shopmart’s batches in chatapp’s feed', async () => {
      const res = await scan();
      const body = res.body as { keywords: unknown[]; images: unknown[] };
      return body.keywords.length > 0 && body.images.length > 0 ? body : undefined;
    });
    const [keyword] = made['shopmart']![2]!;
    const [pdq] = made['shopmart']![3]!;
    assert.deepEqual(result.keywords, [{ indicatorId: keyword!.id, members: ['shopmart'], commodities: ['IVORY'], status: 'UNREVIEWED', keyword: '象牙手镯', start: 3, end: 7 }]);
    const [image] = result.images as Array<{ indicatorId: string; members: string[]; distance: number; hash: string }>;
    assert.deepEqual([image!.indicatorId, image!.members, image!.hash], [pdq!.id, ['shopmart'], pdq!.value]);
    assert.ok(image!.distance <= 31, `a smaller JPEG copy is near (distance ${image!.distance})`);
    const form = new FormData();
    form.set('text', '象牙手镯');
    form.set('image', new Blob([copy]), 'listing.jpg');
    const multipart = (await (await fetch(`${chatapp.url}/v1/scan`, { method: 'POST', headers: { authorization: `Bearer ${keys.chatapp}` }, body: form })).json()) as typeof result;
    assert.deepEqual([multipart.keywords.length, multipart.images.length], [1, 1], 'the same scan as a multipart upload');
    const clean = await post(chatapp, '/v1/scan', { text: 'a wooden bracelet' });
    assert.deepEqual(clean.body, { keywords: [], images: [], suppressed: [] });
    const refusals = await Promise.all([post(chatapp, '/v1/scan', {}), post(chatapp, '/v1/scan', { image: { data: Buffer.from('no picture').toString('base64') } })]);
    assert.deepEqual(refusals.map((r) => [r.status, (r.body['error'] as { code: string; field: string }).field]), [[400, 'text'], [400, 'image.data']]);
    assert.ok((await chatapp.status()).feed.indexed.keywords >= 1);
  });

  it('publishes a retraction by raw text, and the other node stops matching it', async () => {
    const [keyword] = made['shopmart']![2]!;
    const res = await post(shopmart, '/v1/retractions', { retractions: [{ text: '象牙手镯', reason: 'false-positive' }] });
    assert.deepEqual([res.status, res.body], [200, { retractions: [{ indicatorIds: [keyword!.id], status: 'queued' }] }]);
    const unknown = await post(shopmart, '/v1/retractions', { retractions: [{ identifier: { type: 'phone', value: '+86 139 0000 0000' } }] });
    assert.deepEqual([unknown.status, (unknown.body['error'] as { code: string; index: number }).code, (unknown.body['error'] as { index: number }).index], [404, 'UNKNOWN_INDICATOR', 0]);
    await settled(shopmart);
    assert.equal(await indicatorAtHub(keyword!.id), null, 'no live sighting left');
    await eventually('the retraction in chatapp’s feed', async () => {
      const body = (await post(chatapp, '/v1/scan', { text: '出售 象牙手鐲' })).body as { keywords: unknown[] };
      return body.keywords.length === 0 ? true : undefined;
    });
  });

  it('never lets a raw identifier reach the hub: not in any table, not in its logs; nor the node logs or the node database in clear', async () => {
    const spellings = Object.values(RAW).flatMap((raw) => [raw, raw.toLowerCase(), Buffer.from(raw).toString('hex'), Buffer.from(raw).toString('base64')]);
    const hubDump = await dumpDatabase(fed.hub.database.dataSource);
    assert.ok(hubDump.includes('fp1.2026-01.'), 'the dump does hold the published fingerprints');
    for (const [where, text] of [
      ['hub database', hubDump],
      ['hub log', hubLogs.text()],
      ['node log', nodeLogs.text()],
      ['shopmart database', await dumpDatabase(shopmart.database.dataSource)],
      ['chatapp database', await dumpDatabase(chatapp.database.dataSource)],
    ] as const) {
      for (const raw of spellings) assert.ok(!text.includes(raw), `${where} holds ${raw}`);
    }
    assert.ok(hubLogs.text().includes('"msg":"request"'), 'the hub did log its requests');
  });
});
