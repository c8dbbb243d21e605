/**
 * Precision guards (issue 21, item 2): an over-broad keyword (`e`, `包邮`, "free shipping") is
 * refused with KEYWORD_TOO_BROAD at the member node's platform API (with the observation's
 * index, nothing queued) and at the hub's ingest (the batch, naming the item, nothing stored), so
 * a member that skips its node cannot flood every platform either. A real node, a real hub over
 * HTTP, batches signed for real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GuardError, warninglistSha256, type Warninglist } from '../src/guards/index.js';
import { normalizeKeyword } from '../src/indicators/index.js';
import { parseEntry } from '../src/tlog/index.js';
import { signMemberRequest } from '../src/provenance/index.js';
import { randomUUID } from 'node:crypto';
import type { RunningNode } from '../src/node/index.js';
import type { TestFederation, TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';
import { callNode, eventually, federationWithNode, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'IVORY', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
const keyword = (text: string): object => ({ type: 'KEYWORD', value: normalizeKeyword(text), original: text, ...common });

describe('precision guards', () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: RunningNode;
  let member: TestMember;

  before(async () => {
    setup = await federationWithNode();
    ({ fed, fixture } = setup);
    node = setup.node!;
    member = await fed.addMember('searchco');
  });
  after(() => setup?.close());

  const observe = (observations: object[]) => callNode(node.url, fixture.apiKey, '/v1/observations', { observations });
  const stored = async (): Promise<number> => ((await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM batches WHERE member = 'searchco'`)) as Array<{ n: number }>)[0]!.n;

  describe('when a platform observes an over-broad keyword', () => {
    for (const [text, rule] of [['e', 'SINGLE_CHARACTER'], ['包邮', 'GENERIC_ONLY'], ['Free Shipping!', 'GENERIC_ONLY'], ['2024', 'NO_LETTERS']] as const) {
      it(`refuses ${JSON.stringify(text)} with 400 KEYWORD_TOO_BROAD, its index and rule, and queues nothing`, async () => {
        const res = await observe([{ kind: 'keyword', text: '象牙手镯', ...common }, { kind: 'keyword', text, ...common }]);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        const error = res.body['error'] as { code: string; index: number; field: string; reason: string };
        assert.deepEqual([error.code, error.index, error.field, error.reason], ['KEYWORD_TOO_BROAD', 1, 'text', rule]);
        assert.equal((await node.status()).outbox.pending, 0);
      });
    }

    it('publishes the seller of a text that is shop talk around a contact, without the keyword', async () => {
      const res = await observe([{ kind: 'keyword', text: '包邮 加我 +86 138 0013 8000', ...common }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const made = (res.body['indicators'] as Array<Array<{ type: string }>>)[0]!;
      assert.deepEqual(made.map((i) => i.type), ['SELLER']);
    });
  });

  describe('when a member signs an over-broad keyword itself', () => {
    for (const text of ['e', '包邮']) {
      it(`refuses a batch holding ${JSON.stringify(text)} with 422 KEYWORD_TOO_BROAD naming the item, and stores nothing`, async () => {
        const before = await stored();
        const jws = await fed.sign(member, { indicators: [keyword('象牙手镯'), keyword(text)] }, { version: 2 });
        const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/sd-jwt' }, body: jws });
        const body = (await res.json()) as { error: { code: string; message: string; details: { index: number; field: string; reason: string } } };
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.equal(body.error.code, 'KEYWORD_TOO_BROAD');
        assert.deepEqual([body.error.details.index, body.error.details.field], [1, 'value']);
        assert.match(body.error.message, /^indicator 1: the keyword/);
        assert.equal(await stored(), before);
      });
    }

    it('accepts the same batch without it', async () => {
      const jws = await fed.sign(member, { indicators: [keyword('包邮象牙手镯')] });
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
      assert.equal(res.status, 201, await res.text());
    });
  });

  describe('warninglists at the hub', () => {
    const MATCH = `query($t: String!, $w: Boolean) { matchText(text: $t, withSuppressed: $w) { matched indicator { value } suppressedBy { list version entry } } }`;
    type Hit = { matched: string; indicator: { value: string }; suppressedBy: { list: string; version: number; entry: string } | null };

    before(async () => {
      const jws = await fed.sign(member, { indicators: [keyword('象牙'), keyword('象牙手镯'), keyword('虎皮')] });
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
      assert.equal(res.status, 201, await res.text());
    });

    it('leaves out a hit inside a benign phrase of the built-in list, and shows it with withSuppressed', async () => {
      const text = '象牙白 手镯 包邮；老象牙手镯';
      const plain = (await fed.read(MATCH, { t: text })).body.data!['matchText'] as Hit[];
      assert.deepEqual(plain.map((h) => [h.matched, h.indicator.value]), [['象牙', '象牙'], ['象牙手镯', '象牙手镯']]);
      const all = (await fed.read(MATCH, { t: text, w: true })).body.data!['matchText'] as Hit[];
      assert.deepEqual(all.map((h) => [h.matched, h.suppressedBy?.list ?? null, h.suppressedBy?.entry ?? null]), [
        ['象牙', 'wildintel-benign-phrases', '象牙白'],
        ['象牙', null, null],
        ['象牙手镯', null, null],
      ]);
    });

    it('publishes a list as the operator: logged by its hash, served to members, applied to matchText at once', async () => {
      const text = '可爱虎皮鹦鹉一对，虎皮猫';
      const before = (await fed.read(MATCH, { t: text })).body.data!['matchText'] as Hit[];
      assert.equal(before.length, 1, 'the built-in list already knows 虎皮鹦鹉 (the budgerigar)');
      const published = await fed.hub.services.warninglists.publish({ name: 'pets', version: 1, kind: 'phrases', description: 'legal pets', entries: ['虎皮猫'] });
      const entries = (await (await fetch(`${fed.hub.url}/log/entries?start=${published.leafIndex}&end=${published.leafIndex! + 1}`)).json()) as { entries: string[] };
      const entry = parseEntry(Buffer.from(entries.entries[0]!, 'base64'));
      assert.deepEqual(entry.kind === 'warninglist' && [entry.name, entry.version, entry.listSha256], ['pets', 1, published.sha256]);
      assert.deepEqual((await fed.read(MATCH, { t: text })).body.data!['matchText'], []);

      // A member node reads the lists with its request token, and can check each against the log entry's hash.
      const served = await graphql(fed.hub.url, '{ warninglists { name version kind description entries sha256 leafIndex } }', {}, { authorization: `Bearer ${await signMemberRequest({ keyPem: member.keyPem, chainPem: [member.certPem], member: member.slug, audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() })}` });
      const lists = served.body.data!['warninglists'] as Array<Omit<Warninglist, 'kind'> & { kind: string; sha256: string; leafIndex: number | null }>;
      const pets = lists.find((l) => l.name === 'pets')!;
      assert.equal(warninglistSha256({ ...pets, kind: 'phrases' }), entry.kind === 'warninglist' ? entry.listSha256 : '');
      assert.deepEqual(lists.map((l) => [l.name, l.leafIndex === null]), [['pets', false], ['wildintel-benign-phrases', true]]);
    });

    it('reaches the member node through the feed, checked against its log entry, and suppresses in /v1/scan', async () => {
      type Scan = { keywords: Array<{ keyword: string }>; suppressed: Array<{ keyword: string; start: number; suppressedBy: { list: string; entry: string } }> };
      const text = '虎皮猫 象牙白 象牙手镯';
      const scan = await eventually('the node to apply the pets list', async () => {
        const res = await callNode(node.url, fixture.apiKey, '/v1/scan', { text });
        const body = res.body as unknown as Scan;
        return body.suppressed.some((h) => h.suppressedBy.list === 'pets') ? body : undefined;
      });
      assert.deepEqual(scan.keywords.map((h) => h.keyword).sort(), ['象牙', '象牙手镯']);
      assert.deepEqual(scan.suppressed.map((h) => [text.slice(h.start, h.start + h.keyword.length), h.suppressedBy.list, h.suppressedBy.entry]), [
        ['虎皮', 'pets', '虎皮猫'],
        ['象牙', 'wildintel-benign-phrases', '象牙白'],
      ]);
      const rows: Array<{ name: string; leaf_index: string }> = await node.database.dataSource.query(`SELECT name, leaf_index FROM node_feed_warninglists`);
      assert.deepEqual(rows.map((r) => r.name), ['pets']);
    });

    it('refuses a version that is not newer, and a malformed list, changing nothing', async () => {
      const publish = (input: object) => fed.hub.services.warninglists.publish(input);
      await assert.rejects(publish({ name: 'pets', version: 1, kind: 'phrases', entries: ['虎皮猫'] }), (e: unknown) => e instanceof GuardError && e.code === 'WARNINGLIST_VERSION_NOT_NEWER');
      await assert.rejects(publish({ name: 'wildintel-benign-phrases', version: 1, kind: 'phrases', entries: ['x'] }), (e: unknown) => e instanceof GuardError && e.code === 'WARNINGLIST_VERSION_NOT_NEWER');
      await assert.rejects(publish({ name: 'pets', version: 2, kind: 'phrases', entries: ['!!'] }), (e: unknown) => e instanceof GuardError && e.code === 'INVALID_WARNINGLIST');
      assert.equal((await fed.hub.services.warninglists.inEffect()).find((l) => l.name === 'pets')?.version, 1);
    });
  });
});
