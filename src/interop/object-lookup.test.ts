import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { STIX_ID_SQL } from './object-lookup.js';
import { stixIds } from './stix-ids.js';

/**
 * TAXII `match[id]` reads the STIX id indexes of migration 1765700000000; it took a scan of every
 * candidate row (24 s at a million indicators) before. The SQL must derive exactly the ids that
 * stix-ids.ts gives, and be the very expression each index holds, or the index is not used.
 */
describe('STIX ids in SQL', () => {
  let t: TestDatabase;
  const query = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => (await t.database.dataSource.query(sql, params)) as Record<string, unknown>[];
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  it('derives the ids stix-ids.ts derives', async () => {
    for (let i = 0; i < 20; i += 1) {
      const [indicator, member, batch, leaf] = [randomUUID().replace(/-/g, '').slice(0, 43).padEnd(43, 'x'), `member-${i}`, randomUUID(), 1000 * i + 7];
      const [row] = await query(
        `SELECT ${STIX_ID_SQL.indicator}::text AS indicator, ${STIX_ID_SQL.sighting}::text AS sighting, ${STIX_ID_SQL.opinion}::text AS opinion
           FROM (VALUES ($1::text, $2::text, $3::uuid, $4::bigint)) AS v(id, member, batch_id, leaf_index), LATERAL (SELECT v.id AS indicator_id) AS s`,
        [indicator, member, batch, leaf],
      );
      assert.equal(`indicator--${row!['indicator']}`, stixIds.indicator(indicator));
      assert.equal(`sighting--${row!['sighting']}`, stixIds.sighting(member, batch, indicator));
      assert.equal(`opinion--${row!['opinion']}`, stixIds.opinion(leaf));
    }
  });

  for (const [type, table] of [['indicator', 'indicators'], ['sighting', 'sightings'], ['opinion', 'opinions']] as const) {
    it(`finds ${table} by their index, not by a scan`, async () => {
      // With sequential scans off, a plan names the index exactly when the expression matches it.
      const plan = await t.database.dataSource.transaction(async (m) => {
        await m.query('SET LOCAL enable_seqscan = off');
        const lines = (await m.query(`EXPLAIN SELECT 1 FROM ${table} WHERE ${STIX_ID_SQL[type]} = ANY($1::uuid[])`, [[randomUUID()]])) as Record<string, unknown>[];
        return lines.map((r) => String(r['QUERY PLAN'])).join('\n');
      });
      assert.match(plan, new RegExp(`${table}_stix_id_idx`), plan);
    });
  }
});
