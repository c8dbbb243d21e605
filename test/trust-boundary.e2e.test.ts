/**
 * The five side doors found by trying the hub as an attacker would, each shut: a revoked key
 * publishing by backdating; narrow tokens reading whole batches through provenance, the feed and
 * /v1/batches; subscriptions outliving their token; reads missing from the access audit; the feed
 * without a rate limit. A real hub, real signatures, real tokens over HTTP and graphql-ws.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createClient } from 'graphql-ws';
import { indicatorId, normalizeKeyword } from '../src/indicators/index.js';
import { leafHash, openCheckpoint, verifyInclusion } from '../src/tlog/index.js';
import { sha256Base64url } from '../src/kernel/index.js';
import { graphql } from './helpers/hub-process.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { HUB_ROUTES } from '../src/hub/routes.js';

/** Real time plus an offset the test can move forward (token expiry without waiting). */
function movableClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
}

const fingerprint = (tag: string): string => `fp1.k2026.${Buffer.from(tag.padEnd(32, '.')).toString('base64url').slice(0, 43)}`;
const item = (type: string, value: string, commodity: string, extra: Record<string, unknown> = {}) => ({ type, value, commodity, observedAt: '2026-11-20T08:00:00Z', confidence: 70, ...extra });

describe('the trust boundary', () => {
  const clock = movableClock();
  let fed: TestFederation;
  let shopmart: TestMember;
  const publish = async (member: TestMember, payload: Parameters<TestFederation['sign']>[1]) =>
    fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, payload) });
  const publishOk = async (member: TestMember, payload: Parameters<TestFederation['sign']>[1]) => {
    const r = await publish(member, payload);
    const text = await r.text();
    assert.equal(r.status, 201, text);
    return JSON.parse(text) as { batchId: string; leafIndex: number };
  };
  const logSize = async () => Number((await (await fetch(`${fed.hub.url}/log/checkpoint`)).text()).split('\n')[1]);
  const ask = (token: string, query: string, variables: Record<string, unknown> = {}) => graphql(fed.hub.url, query, variables, { authorization: `Bearer ${token}` });
  const get = (token: string, path: string) => fetch(`${fed.hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    fed = await startTestFederation({ clock });
    shopmart = await fed.addMember('shopmart');
  });
  after(() => fed.close());

  describe('1. a revoked certificate publishes nothing, whatever createdAt it claims', () => {
    let rogue: TestMember;
    let logged: { batchId: string; leafIndex: number };
    let loggedJws: string;
    before(async () => {
      rogue = await fed.addMember('rogue');
      loggedJws = await fed.sign(rogue, { indicators: sampleIndicators(1, 'logged') });
      const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: loggedJws });
      logged = (await r.json()) as typeof logged;
      await fed.hub.services.members.revoke({ slug: 'rogue', reason: 'keyCompromise' });
    });

    for (const [name, offsetMs, seed] of [['backdated a minute before the revocation', -60_000, 'backdated'], ['dated now', 0, 'now'], ['dated four minutes ahead', 240_000, 'ahead']] as const) {
      it(`refuses a batch ${name} with CERT_REVOKED and logs nothing`, async () => {
        const size = await logSize();
        const indicators = sampleIndicators(1, seed);
        const r = await publish(rogue, { createdAt: new Date(clock.now().getTime() + offsetMs).toISOString(), indicators });
        assert.equal(r.status, 403);
        assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'CERT_REVOKED');
        assert.equal(await logSize(), size);
        const id = indicatorId('KEYWORD', (indicators[0] as { value: string }).value);
        assert.equal((await fed.read('query($id: ID!) { indicator(id: $id) { id } }', { id })).body.data!['indicator'], null);
      });
    }

    it('answers a replay of a batch logged before the revocation with its original receipt', async () => {
      const r = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: loggedJws });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { leafIndex: number }).leafIndex, logged.leafIndex);
    });

    it('lists the member as revoked', async () => {
      const members = (await fed.read('{ members { slug status } }')).body.data!['members'] as Array<{ slug: string; status: string }>;
      assert.deepEqual(members.find((m) => m.slug === 'rogue'), { slug: 'rogue', status: 'revoked' });
      assert.equal((await fed.hub.services.members.get('shopmart'))!.status, 'active');
    });
  });

  describe('2. narrow tokens see only their items on provenance, /v1/batches and /v1/feed', () => {
    let narrow: string;
    let statsOnly: string;
    let mixed: { batchId: string; leafIndex: number };
    const ivoryWord = normalizeKeyword('ivory bangle');
    const ivoryId = indicatorId('KEYWORD', ivoryWord);
    const pangolinId = indicatorId('KEYWORD', 'pangolinscale');
    before(async () => {
      narrow = await fed.token('indicators:read', { tlp: 'GREEN', commodities: ['IVORY'], agency: 'forestry' });
      statsOnly = await fed.token('stats:read', { tlp: 'RED', agency: 'forestry' });
      mixed = await publishOk(shopmart, {
        tlp: 'GREEN',
        indicators: [item('KEYWORD', ivoryWord, 'IVORY'), item('KEYWORD', 'pangolinscale', 'PANGOLIN'), item('SELLER', fingerprint('ivory-seller'), 'IVORY')],
      });
    });

    it('provenance: the visible sighting without the batch JWS, still provable against the log; nothing for a hidden one', async () => {
      const q = 'query($id: ID!) { provenance(indicatorId: $id) { checkpoint treeSize sightings { batchId jws jwsSha256 leafIndex logEntry inclusionProof } } }';
      const shown = (await ask(narrow, q, { id: ivoryId })).body.data!['provenance'] as { checkpoint: string; treeSize: number; sightings: Array<Record<string, any>> };
      assert.equal(shown.sightings.length, 1);
      const s = shown.sightings[0]!;
      assert.equal(s['jws'], null, 'the batch also carries a PANGOLIN keyword and a seller: its JWS is not for this token');
      const entry = Buffer.from(s['logEntry'], 'base64');
      assert.equal(JSON.parse(entry.toString())['jwsSha256'], s['jwsSha256']);
      const { verifierKey } = (await fed.read('{ checkpoint { verifierKey } }')).body.data!['checkpoint'] as { verifierKey: string };
      const cp = openCheckpoint(shown.checkpoint, verifierKey);
      verifyInclusion(s['leafIndex'], shown.treeSize, leafHash(entry), s['inclusionProof'].map((h: string) => Buffer.from(h, 'base64')), cp.root);
      assert.equal((await ask(narrow, q, { id: pangolinId })).body.data!['provenance'], null);
      const full = (await fed.read(q, { id: ivoryId })).body.data!['provenance'] as { sightings: Array<{ jws: string }> };
      assert.equal(sha256Base64url(full.sightings[0]!.jws), s['jwsSha256'], 'an auditor (provenance:read) gets the JWS itself');
    });

    it('/v1/batches: the items the token may see, with their provenance, not the JWS', async () => {
      const r = await get(narrow, `/v1/batches/shopmart/${mixed.batchId}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      const body = (await r.json()) as { complete: boolean; indicators: Array<{ type: string; commodity: string }>; withheld: number; leafIndex: number };
      assert.deepEqual([body.complete, body.indicators.map((i) => [i.type, i.commodity]), body.withheld, body.leafIndex], [false, [['KEYWORD', 'IVORY']], 2, mixed.leafIndex]);
      assert.equal((await get(statsOnly, `/v1/batches/shopmart/${mixed.batchId}`)).status, 403);
    });

    it('/v1/feed: no whole batch with items beyond the token, and no feed at all for stats:read alone', async () => {
      const page = (await (await get(narrow, '/v1/feed')).json()) as { items: Array<{ index: number; jws?: string; partial?: { indicators: Array<{ type: string; commodity: string }> } }> };
      const served = page.items.find((i) => i.index === mixed.leafIndex)!;
      assert.equal(served.jws, undefined);
      assert.deepEqual(served.partial!.indicators.map((i) => [i.type, i.commodity]), [['KEYWORD', 'IVORY']]);
      for (const i of page.items) {
        for (const x of i.partial?.indicators ?? []) assert.ok(x.commodity === 'IVORY' && x.type !== 'SELLER', `feed entry ${i.index} gave ${JSON.stringify(x)}`);
        if (i.jws !== undefined) {
          const payload = JSON.parse(Buffer.from(i.jws.split('.')[1]!, 'base64url').toString()) as { tlp: string; indicators: Array<{ commodity: string; type: string }> };
          assert.ok(['CLEAR', 'GREEN'].includes(payload.tlp) && payload.indicators.every((x) => x.commodity === 'IVORY' && x.type !== 'SELLER'), `feed entry ${i.index} gave a whole batch beyond the token`);
        }
      }
      const refused = await get(statsOnly, '/v1/feed');
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    });
  });

  describe('3. a graphql-ws session follows its token', () => {
    const subscribe = (token: string) => {
      const events: unknown[] = [];
      const client = createClient({ url: `${fed.hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
      // Settles with the close event, or with code 0 if the hub leaves the session open.
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        client.on('closed', (e) => resolve(e as { code: number; reason: string }));
        setTimeout(() => resolve({ code: 0, reason: 'still open after 10 s' }), 10_000).unref();
      });
      const subscribed = new Promise<void>((resolve) => client.on('connected', () => setTimeout(resolve, 200)));
      client.subscribe({ query: 'subscription { indicatorPublished { tlp indicator { value } } }' }, { next: (m) => void events.push(m), error: () => undefined, complete: () => undefined });
      return { client, events, closed, subscribed };
    };

    it('is closed with 4403 when its token is revoked, and delivers nothing after', async () => {
      const token = await fed.token('indicators:read', { tlp: 'RED' });
      const session = subscribe(token);
      await session.subscribed;
      await publishOk(shopmart, { tlp: 'RED', indicators: sampleIndicators(1, 'beforerevoke') });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(session.events.length, 1);
      const jti = (await ask(token, '{ me { tokenId } }')).body.data!['me'] as { tokenId: string };
      await fed.hub.services.tokens.revoke(jti.tokenId);
      assert.equal((await session.closed).code, 4403);
      await publishOk(shopmart, { tlp: 'RED', indicators: sampleIndicators(1, 'afterrevoke') });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(session.events.length, 1);
      await session.client.dispose();
    });

    it('delivers nothing once its token has expired, and is closed with 4401', async () => {
      const token = await fed.token('indicators:read', { tlp: 'RED', ttlSeconds: 120 });
      const session = subscribe(token);
      await session.subscribed;
      clock.advance(150_000);
      try {
        await publishOk(shopmart, { tlp: 'RED', indicators: sampleIndicators(1, 'afterexpiry') });
        assert.equal((await session.closed).code, 4401);
        assert.deepEqual(session.events, []);
        assert.equal((await ask(token, '{ me { kind } }')).status, 401, 'as over HTTP');
      } finally {
        await session.client.dispose();
      }
    });
  });

  describe('4. every agency read is in the access audit', () => {
    it('records queries over graphql-ws and reads of /v1/feed and /v1/batches', async () => {
      const token = await fed.token('indicators:read', { tlp: 'AMBER', agency: 'coastguard', sub: 'reader-ws' });
      const client = createClient({ url: `${fed.hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
      const answer = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: 'query Viaws { indicators(first: 3) { edges { node { id } } } }' }, { next: resolve, error: reject, complete: () => undefined });
      });
      assert.ok((answer as { data?: unknown }).data);
      await client.dispose();
      const batch = await publishOk(shopmart, { tlp: 'GREEN', indicators: sampleIndicators(2, 'audited') });
      assert.equal((await get(token, '/v1/feed?after=0')).status, 200);
      assert.equal((await get(token, `/v1/batches/shopmart/${batch.batchId}`)).status, 200);
      await fed.hub.services.access.flush();
      const auditor = await fed.token('audit:read', { agency: 'oversight' });
      const records = (await ask(auditor, '{ accessLog(filter: { analyst: "reader-ws" }) { records { operation fields returned outcome } } }')).body.data!['accessLog'] as { records: Array<{ operation: string; fields: string; returned: number }> };
      const ops = records.records.map((r) => r.operation).sort();
      assert.deepEqual(ops, ['GET /v1/batches', 'GET /v1/feed', 'ws:Viaws']);
      assert.ok(records.records.every((r) => r.returned > 0), JSON.stringify(records.records));
    });
  });
});

describe('5. the feed and batch paths are rate-limited per principal', () => {
  let fed: TestFederation;
  before(async () => {
    fed = await startTestFederation({ env: { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '6' } });
  });
  after(() => fed.close());

  it('answers 429 RATE_LIMITED with Retry-After once a token or a member exceeds its share', async () => {
    const token = await fed.token('indicators:read taxii:read');
    const feed = () => fetch(`${fed.hub.url}/v1/feed`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 3; i++) assert.equal((await feed()).status, 200);
    const limited = await feed();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '10');
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    const batches = await fetch(`${fed.hub.url}/v1/batches/shopmart/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(batches.status, 429, 'the same bucket as the feed and GraphQL');
    assert.equal(batches.headers.get('retry-after'), '10');
    // TAXII and the MISP feed draw from the export class (EXPORT_RATE_LIMIT_*, default here), not this bucket.
    const taxii = await fetch(`${fed.hub.url}/taxii2/`, { headers: { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${token}` } });
    assert.equal(taxii.status, 200, 'TAXII is not refused for the interactive budget');
    const misp = await fetch(`${fed.hub.url}/misp/manifest.json`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(misp.status, 200, 'nor is the MISP feed');
  });

  it('draws every agency path from the budget the route table gives it: interactive refused, export answered', async () => {
    const token = await fed.token('indicators:read taxii:read');
    const gql = () => fetch(`${fed.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ indicators(first: 1) { totalCount } }' }) });
    for (let i = 0; i < 3; i++) assert.equal((await gql()).status, 200);
    const fill: Record<string, string> = { root: 'wildintel', id: 'green-ivory', member: 'shopmart', batchId: '00000000-0000-4000-8000-000000000000', file: 'manifest.json' };
    const routes = HUB_ROUTES.filter((r) => r.kind !== 'graphql-ws' && (r.auth === 'agency' || r.auth === 'agency-or-member'));
    assert.ok(routes.some((r) => r.rateClass === 'export') && routes.some((r) => r.rateClass === 'interactive'));
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, (_, name: string) => fill[name] ?? 'x');
      const url = new URL(`${fed.hub.url}${path}${r.kind === 'interop' && r.path.startsWith('/taxii2') ? '/' : ''}`);
      if (r.method === 'GET' && r.kind === 'graphql') url.searchParams.set('query', '{ __typename }');
      const res = await fetch(url, {
        method: r.method,
        headers: { authorization: `Bearer ${token}`, accept: r.kind === 'interop' ? 'application/taxii+json;version=2.1' : 'application/json', 'apollo-require-preflight': 'true', ...(r.body ? { 'content-type': r.body } : {}) },
        ...(r.body ? { body: r.body === 'application/json' ? JSON.stringify({ query: '{ __typename }' }) : '{}' } : {}),
      });
      if (r.rateClass === 'interactive') {
        assert.equal(res.status, 429, `${r.method} ${r.path}: the interactive budget is spent`);
        assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${r.method} ${r.path}: Retry-After`);
      } else assert.notEqual(res.status, 429, `${r.method} ${r.path}: ${r.rateClass}, not the spent interactive budget`);
      await res.arrayBuffer();
    }
  });
});
