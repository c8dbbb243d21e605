import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { openDatabase, DatabaseError } from './index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('database', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    await db.database.dataSource.query(`INSERT INTO members (slug, name) VALUES ('shopmart', 'ShopMart')`);
  });
  after(() => db.drop());

  it('applies every migration and reports ready', async () => {
    assert.equal(await db.database.isReady(), true);
    const tables = await db.database.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    assert.deepEqual(
      tables.map((t: { table_name: string }) => t.table_name),
      [
        'access_digests', 'access_records', 'agencies', 'agency_keys', 'agency_tokens', 'batches', 'disclosure_requests', 'disclosure_routes', 'disclosure_steps', 'indicators',
        'interop_sighting_policy', 'member_certificates', 'member_request_jtis', 'members', 'migrations', 'opinion_latest', 'opinions', 'outcomes', 'quarantines', 'rate_limit_buckets',
        'referral_competence', 'referral_steps', 'referrals', 'sighting_listings', 'sightings', 'tlog_checkpoints', 'tlog_entries', 'tlog_hashes', 'tlog_state', 'token_keys', 'warninglists', 'watchlist_alerts', 'watchlists',
      ],
    );
    assert.deepEqual(await db.database.migrate(), [], 'a second migrate applies nothing');
  });

  describe('when two transactions run concurrently', () => {
    it('keeps them isolated: one rolling back never discards the other', async () => {
      const ds = db.database.dataSource;
      const t1 = ds.transaction(async (m) => {
        await m.query(`INSERT INTO members (slug, name) VALUES ('t1-member', 'T1')`);
        await sleep(100);
      });
      const t2 = ds.transaction(async (m) => {
        await m.query(`INSERT INTO members (slug, name) VALUES ('t2-member', 'T2')`);
        throw new Error('rollback-t2');
      });
      const [r1, r2] = await Promise.allSettled([t1, t2]);
      assert.equal(r1.status, 'fulfilled');
      assert.equal(r2.status, 'rejected');
      const rows = await ds.query(`SELECT slug FROM members WHERE slug LIKE 't%-member' ORDER BY slug`);
      assert.deepEqual(rows.map((r: { slug: string }) => r.slug), ['t1-member']);
    });

    it('does not lose any of many concurrent committed inserts', async () => {
      const ds = db.database.dataSource;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          ds.transaction(async (m) => {
            await m.query(`INSERT INTO members (slug, name) VALUES ($1, $2)`, [`c${i}-member`, `C${i}`]);
            if (i % 3 === 0) throw new Error('fail');
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'rejected').length, 7);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM members WHERE slug LIKE 'c%-member'`);
      assert.equal(n, 13);
    });
  });

  it('enforces the schema: a bad commodity is refused by the database', async () => {
    const ds = db.database.dataSource;
    await assert.rejects(
      ds.query(`INSERT INTO indicators (id, type, value) VALUES ($1, 'NOT_A_TYPE', 'x')`, ['A'.repeat(43)]),
      /indicators_type_valid/,
    );
  });

  it('returns bigint results of bit_count as numbers when cast to int on both drivers', async () => {
    const [{ d }] = await db.database.dataSource.query(`SELECT bit_count(B'1011' # B'0001')::int AS d`);
    assert.equal(d, 2);
  });
});

describe('openDatabase', () => {
  it('names an unreachable Postgres server in one line', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: '/nonexistent' }),
      (err: unknown) => err instanceof DatabaseError && err.code === 'DATABASE_UNREACHABLE' && /127\.0\.0\.1:1/.test(err.message),
    );
  });
});

describe('the embedded database', () => {
  it('refuses a second process-level opener of the same data directory', async (t) => {
    const db = await createTestDatabase({ migrate: false });
    t.after(() => db.drop());
    if (db.database.kind !== 'pglite') return t.skip('embedded only');
    await assert.rejects(
      openDatabase(db.options),
      (err: unknown) => err instanceof DatabaseError && err.code === 'DATABASE_IN_USE' && err.message.includes(String(process.pid)),
    );
  });
});
