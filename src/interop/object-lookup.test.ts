import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { stixIds } from './stix-ids.js';

/**
 * TAXII pages read each row's STIX id from its stored column, and `match[id]` probes the index
 * on it (migration 1766400000000); the id was derived in Node for every object of every page
 * before, and a lookup took a scan of every candidate row (24 s at a million indicators) before
 * that. What Postgres stores must be exactly the id stix-ids.ts derives, or a page and a lookup
 * would name the same object differently.
 */
describe('STIX ids stored in the rows', () => {
  let t: TestDatabase;
  const query = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => (await t.database.dataSource.query(sql, params)) as Record<string, unknown>[];
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  it('stores the ids stix-ids.ts derives (the generation expressions, read back from the catalog)', async () => {
    const generated = await query(`SELECT table_name AS t, generation_expression AS e FROM information_schema.columns WHERE column_name = 'stix_uuid' ORDER BY table_name`);
    assert.deepEqual(generated.map((r) => r['t']), ['indicators', 'opinions', 'sightings']);
    const expression = new Map(generated.map((r) => [String(r['t']), String(r['e'])]));
    for (let i = 0; i < 20; i += 1) {
      const [indicator, member, batch, leaf] = [randomUUID().replace(/-/g, '').slice(0, 43).padEnd(43, 'x'), `member-${i}`, randomUUID(), 1000 * i + 7];
      // The expressions name the columns of their own table; one row of VALUES carries all of them.
      const [row] = await query(
        `SELECT ${expression.get('indicators')}::text AS indicator, ${expression.get('sightings')}::text AS sighting, ${expression.get('opinions')}::text AS opinion
           FROM (VALUES ($1::text, $2::text, $3::uuid, $4::bigint, $1::text)) AS v(id, member, batch_id, leaf_index, indicator_id)`,
        [indicator, member, batch, leaf],
      );
      assert.equal(`indicator--${row!['indicator']}`, stixIds.indicator(indicator));
      assert.equal(`sighting--${row!['sighting']}`, stixIds.sighting(member, batch, indicator));
      assert.equal(`opinion--${row!['opinion']}`, stixIds.opinion(leaf));
    }
  });

  for (const table of ['indicators', 'sightings', 'opinions']) {
    it(`finds ${table} by the index on their stored id, not by a scan`, async () => {
      // With sequential scans off, a plan names the index exactly when it can serve the lookup.
      const plan = await t.database.dataSource.transaction(async (m) => {
        await m.query('SET LOCAL enable_seqscan = off');
        const lines = (await m.query(`EXPLAIN SELECT 1 FROM ${table} WHERE stix_uuid = ANY($1::uuid[])`, [[randomUUID()]])) as Record<string, unknown>[];
        return lines.map((r) => String(r['QUERY PLAN'])).join('\n');
      });
      assert.match(plan, new RegExp(`${table}_stix_uuid_idx`), plan);
    });
  }
});
