import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { indicatorId } from '../src/indicators/index.js';
import { graphql } from './helpers/hub-process.js';
import { signMemberRequest } from '../src/provenance/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

describe('content behind the log, for members', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  let chatapp: TestMember;
  const batchIds = { amber: randomUUID(), red: randomUUID() };

  const tokenFor = (m: TestMember): Promise<string> =>
    signMemberRequest({ keyPem: m.keyPem, chainPem: [m.certPem], member: m.slug, audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
  const get = async (path: string, token?: string): Promise<Response> =>
    fetch(`${fed.hub.url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    chatapp = await fed.addMember('chatapp');
    for (const [tlp, batchId] of [['AMBER', batchIds.amber], ['RED', batchIds.red]] as const) {
      const jws = await fed.sign(shopmart, { batchId, tlp, indicators: sampleIndicators(2, tlp.toLowerCase()) });
      const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
      assert.equal(res.status, 201);
    }
  });
  after(() => fed.close());

  it('serves another member AMBER batches but not RED ones', async () => {
    const amber = await get(`/v1/batches/shopmart/${batchIds.amber}`, await tokenFor(chatapp));
    assert.equal(amber.status, 200);
    assert.equal(amber.headers.get('content-type'), 'application/jose; charset=utf-8');
    assert.equal((await amber.text()).split('.').length, 3);
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.red}`, await tokenFor(chatapp))).status, 404);
  });

  it('serves a member its own RED batch', async () => {
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.red}`, await tokenFor(shopmart))).status, 200);
  });

  it('refuses a request without a token, and a replayed token', async () => {
    const none = await get(`/v1/batches/shopmart/${batchIds.amber}`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
    const token = await tokenFor(chatapp);
    assert.equal((await get('/v1/feed', token)).status, 200);
    const replay = await get('/v1/feed', token);
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: { details: { reason: string } } }).error.details.reason, 'REPLAYED');
  });

  it('feeds every log entry, with the JWS of each batch the member may read', async () => {
    const res = await get('/v1/feed', await tokenFor(chatapp));
    const feed = (await res.json()) as { items: Array<{ index: number; entry: string; jws?: string }>; next: number; size: number };
    assert.equal(feed.items.length, feed.size);
    const kinds = feed.items.map((i) => (JSON.parse(Buffer.from(i.entry, 'base64').toString()) as { kind: string; tlp?: string }));
    assert.deepEqual(kinds.map((k) => k.kind), ['member', 'member', 'batch', 'batch']);
    assert.equal(typeof feed.items[2]!.jws, 'string', 'AMBER batch content is included');
    assert.equal(feed.items[3]!.jws, undefined, 'RED batch content is withheld');
    const rest = (await (await get(`/v1/feed?after=${feed.next}`, await tokenFor(chatapp))).json()) as { items: unknown[] };
    assert.deepEqual(rest.items, []);
  });

  it('carries opinions with the record their entry hashes, only on indicators the member may see', async () => {
    const report = async (token: string, value: string) =>
      graphql(fed.hub.url, 'mutation($id: ID!) { reportOpinion(indicatorId: $id, opinion: FALSE_POSITIVE, note: "a toy") { leafIndex } }', { id: indicatorId('KEYWORD', value) }, { authorization: `Bearer ${token}` });
    const byMember = await report(await tokenFor(chatapp), 'ivoryamber0');
    assert.equal(byMember.body.errors, undefined, 'a member reports through its own request token');
    const agency = await fed.token('indicators:read', { tlp: 'RED' });
    const onRed = await report(agency, 'ivoryred0');
    const from = (byMember.body.data!['reportOpinion'] as { leafIndex: number }).leafIndex;
    const feed = (await (await get(`/v1/feed?after=${from - 1}`, await tokenFor(chatapp))).json()) as { items: Array<{ index: number; entry: string; opinion?: string }> };
    const entries = feed.items.map((i) => ({ ...i, e: JSON.parse(Buffer.from(i.entry, 'base64').toString()) as { kind: string; recordSha256?: string } }));
    const opinions = entries.filter((i) => i.e.kind === 'opinion');
    assert.equal(opinions.length, 2);
    const [mine, red] = opinions;
    assert.equal(createHash('sha256').update(mine!.opinion!).digest('base64url'), mine!.e.recordSha256, 'the record is what the entry commits to');
    assert.match(mine!.opinion!, /"by":"member:chatapp"/);
    assert.equal(red!.index, (onRed.body.data!['reportOpinion'] as { leafIndex: number }).leafIndex);
    assert.equal(red!.opinion, undefined, 'an opinion on a RED-only indicator is not disclosed to a member');
  });
});
