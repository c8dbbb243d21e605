import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { loadConfig } from '../config/index.js';
import { createLogger, sha256Base64url } from '../kernel/index.js';
import { startHub, type RunningHub } from '../hub/index.js';
import { graphql } from '../../test/helpers/hub-process.js';

const idOf = (type: string, value: string): string => sha256Base64url(canonicalize({ type, value })!);

/** Seeds rows straight into the store (ingest is tested on its own). */
async function seed(db: TestDatabase): Promise<void> {
  const q = db.database.dataSource;
  await q.query(`INSERT INTO members (slug, name) VALUES ('shopmart', 'ShopMart'), ('chatapp', 'ChatApp')`);
  const batches = { shopmart: randomUUID(), chatapp: randomUUID() };
  for (const [member, batchId] of Object.entries(batches)) {
    await q.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ($1, $2, 'AMBER', now(), 0, 'x', 'x')`, [member, batchId]);
  }
  for (let i = 0; i < 12; i++) {
    const value = `keyword${String(i).padStart(2, '0')}`;
    await q.query(`INSERT INTO indicators (id, type, value) VALUES ($1, 'KEYWORD', $2)`, [idOf('KEYWORD', value), value]);
    await q.query(
      `INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp) VALUES ($1, 'shopmart', $2, $3, $4, 80, 'AMBER')`,
      [idOf('KEYWORD', value), batches.shopmart, `2026-11-${String(i + 1).padStart(2, '0')}T00:00:00Z`, i % 2 === 0 ? 'IVORY' : 'PANGOLIN'],
    );
  }
  // keyword00 is also seen by chatapp; keyword11 only in a retracted sighting of chatapp besides shopmart's.
  await q.query(
    `INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp, context) VALUES ($1, 'chatapp', $2, '2026-11-20T00:00:00Z', 'IVORY', 60, 'AMBER', '{"language":"zh"}')`,
    [idOf('KEYWORD', 'keyword00'), batches.chatapp],
  );
  await q.query(
    `INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp, retracted_at) VALUES ($1, 'chatapp', $2, '2026-11-21T00:00:00Z', 'TIGER', 60, 'AMBER', now())`,
    [idOf('KEYWORD', 'keyword11'), batches.chatapp],
  );
}

describe('GraphQL indicators', () => {
  let db: TestDatabase;
  let hub: RunningHub;
  let certsDir: string;
  let token: string;
  const ask = (query: string, variables: Record<string, unknown> = {}) => graphql(hub.url, query, variables, { authorization: `Bearer ${token}` });
  before(async () => {
    db = await createTestDatabase();
    await seed(db);
    await db.database.close();
    certsDir = await mkdtemp(path.join(tmpdir(), 'wildintel-certs-'));
    hub = await startHub({ config: loadConfig({ ...db.env, PORT: '0', LOG_LEVEL: 'silent', CERTS_DIR: certsDir }), logger: createLogger('silent') });
    await hub.services.tokens.addAgency('customs', 'Customs');
    token = (await hub.services.tokens.issue({ agency: 'customs', sub: 'a', scope: 'indicators:read', tlp: 'RED', ttlSeconds: 600 })).token;
  });
  after(async () => {
    await hub.stop();
    await db.drop();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('pages newest first with stable cursors until the end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { body } = await ask(`query($after: String) { indicators(first: 5, after: $after) { totalCount edges { cursor node { value } } pageInfo { hasNextPage endCursor } } }`, { after });
      const conn = body.data!['indicators'] as { totalCount: number; edges: Array<{ node: { value: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
      assert.equal(conn.totalCount, 12);
      seen.push(...conn.edges.map((e) => e.node.value));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => `keyword${String(11 - i).padStart(2, '0')}`));
  });

  it('filters by commodity, member and time, with totals over the filter', async () => {
    const q = `query($f: IndicatorFilter) { indicators(filter: $f, first: 50) { totalCount edges { node { value } } } }`;
    const count = async (f: Record<string, unknown>): Promise<number> => ((await ask(q, { f })).body.data!['indicators'] as { totalCount: number }).totalCount;
    assert.equal(await count({ commodity: 'IVORY' }), 6);
    assert.equal(await count({ member: 'chatapp' }), 1, 'the retracted sighting does not count');
    assert.equal(await count({ commodity: 'TIGER' }), 0, 'only a retracted sighting has TIGER');
    assert.equal(await count({ observedAfter: '2026-11-10T00:00:00Z' }), 4);
    assert.equal(await count({ observedAfter: '2026-11-03T00:00:00Z', observedBefore: '2026-11-05T00:00:00Z' }), 2);
    assert.equal(await count({ type: 'SELLER' }), 0);
    assert.equal(await count({ value: 'keyword03' }), 1);
  });

  it('returns one indicator with its live sightings across members', async () => {
    const { body } = await ask(`query($id: ID!) { indicator(id: $id) { id type value sightingCount members commodities firstSeenAt lastSeenAt sightings { member confidence tlp context { language } } } }`, { id: idOf('KEYWORD', 'keyword00') });
    assert.deepEqual(body.data!['indicator'], {
      id: idOf('KEYWORD', 'keyword00'),
      type: 'KEYWORD',
      value: 'keyword00',
      sightingCount: 2,
      members: ['chatapp', 'shopmart'],
      commodities: ['IVORY'],
      firstSeenAt: '2026-11-01T00:00:00.000Z',
      lastSeenAt: '2026-11-20T00:00:00.000Z',
      sightings: [
        { member: 'shopmart', confidence: 80, tlp: 'AMBER', context: null },
        { member: 'chatapp', confidence: 60, tlp: 'AMBER', context: { language: 'zh' } },
      ],
    });
  });

  it('returns null for an unknown id', async () => {
    const { body } = await ask(`{ indicator(id: "nope") { id } }`);
    assert.deepEqual(body, { data: { indicator: null } });
  });

  describe('when arguments are bad', () => {
    const codeOf = async (query: string): Promise<unknown> => (await ask(query)).body.errors?.[0]?.extensions?.['code'];
    it('refuses a page size over 500', async () => assert.equal(await codeOf('{ indicators(first: 501) { totalCount } }'), 'INVALID_PAGE_SIZE'));
    it('refuses a page size of 0', async () => assert.equal(await codeOf('{ indicators(first: 0) { totalCount } }'), 'INVALID_PAGE_SIZE'));
    it('refuses a forged cursor', async () => assert.equal(await codeOf('{ indicators(first: 1, after: "djE6MDAx") { totalCount } }'), 'INVALID_CURSOR'));
    it('refuses a date without a time zone, saying what form it wants', async () => {
      const { body } = await ask('{ indicators(first: 1, filter: { observedAfter: "2026-11-01T00:00:00" }) { totalCount } }');
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED');
      assert.match(body.errors?.[0]?.message ?? '', /RFC 3339 date-time with a time zone/);
    });
    it('refuses an unknown field with a validation code', async () => assert.equal(await codeOf('{ indicators(first: 1) { nope } }'), 'GRAPHQL_VALIDATION_FAILED'));
  });
});
