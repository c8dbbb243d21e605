import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../kernel/index.js';
import { analyzeStaleTables, startStatisticsKeeper } from './statistics.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

describe('planner statistics', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  const analyzed = async (table: string): Promise<{ stale: number; analyzedAt: Date | null }> => {
    const [row] = (await t.database.dataSource.query(`SELECT n_mod_since_analyze::int AS stale, coalesce(last_analyze, last_autoanalyze) AS "analyzedAt" FROM pg_stat_user_tables WHERE relname = $1`, [table])) as Array<{ stale: number; analyzedAt: Date | null }>;
    return row!;
  };

  /** Backends report their row changes to the statistics views a second or so after committing. */
  const changesCounted = async (table: string, atLeast: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while ((await analyzed(table)).stale < atLeast) {
      if (Date.now() > deadline) assert.fail(`${table}: fewer than ${atLeast} changes counted after 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('analyzes a table once more than 50 rows and a tenth of it changed, as autovacuum would', async () => {
    const db = t.database.dataSource;
    await analyzeStaleTables(t.database);
    await db.query(`INSERT INTO members (slug, name) SELECT 'member' || g, 'M' FROM generate_series(1, 40) g`);
    assert.deepEqual(await analyzeStaleTables(t.database), [], '40 changed rows are not enough');
    await db.query(`INSERT INTO members (slug, name) SELECT 'more' || g, 'M' FROM generate_series(1, 30) g`);
    await changesCounted('members', 70);
    assert.deepEqual(await analyzeStaleTables(t.database), ['members']);
    const after = await analyzed('members');
    assert.equal(after.stale, 0);
    assert.ok(after.analyzedAt instanceof Date);
    const [{ reltuples }] = (await db.query(`SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'members'`)) as [{ reltuples: number }];
    assert.equal(reltuples, 70, 'the planner now knows the table’s size');
  });

  it('the keeper runs where nothing else keeps statistics, and stops cleanly', async () => {
    const db = t.database.dataSource;
    const [{ on }] = (await db.query(`SELECT current_setting('autovacuum') AS on`)) as [{ on: string }];
    const ownsStatistics = t.database.kind === 'postgres' && on === 'on';
    await db.query(`INSERT INTO members (slug, name) SELECT 'keeper' || g, 'M' FROM generate_series(1, 100) g`);
    await changesCounted('members', 100);
    const keeper = await startStatisticsKeeper(t.database, createLogger('silent'), 60_000);
    await keeper.stop();
    assert.equal((await analyzed('members')).stale === 0, !ownsStatistics, ownsStatistics ? 'left to autovacuum' : 'analyzed at start');
  });
});
