/**
 * Found by the soak (bench/soak.ts): under concurrent publishing, matchText missed a code word
 * the hub held. Indicators take their `seq` when inserted, before the batch's transaction waits
 * for the log's lock, so concurrent batches commit out of `seq` order; an index that caught up
 * by `seq > last seen` skipped for good whatever committed late with a smaller `seq`. Commits
 * do come in log order (the leaf index is taken under the lock, held until commit), which is
 * what the indexes now follow. Two real transactions on a Postgres server reproduce the
 * interleaving; PGlite runs one transaction at a time, where it cannot happen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../db/test-database.js';
import { indicatorId } from '../indicators/index.js';
import { createLogger } from '../kernel/index.js';
import { createMatchIndexes } from './match-indexes.js';

describe('matching indexes', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.database.dataSource.query(`INSERT INTO members (slug, name) VALUES ('shopmart', 'ShopMart')`);
  });
  after(() => t.drop());

  /** What ingest writes for a batch of one keyword, up to (not including) the log append. */
  const store = async (qr: QueryRunner, keyword: string): Promise<string> => {
    const batchId = randomUUID();
    const id = indicatorId('KEYWORD', keyword);
    await qr.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ('shopmart', $1, 'AMBER', now(), 1, 'x', 'x')`, [batchId]);
    await qr.query(`INSERT INTO indicators (id, type, value) VALUES ($1, 'KEYWORD', $2)`, [id, keyword]);
    await qr.query(`INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp) VALUES ($1, 'shopmart', $2, now(), 'IVORY', 80, 'AMBER')`, [id, batchId]);
    return batchId;
  };

  it('finds an indicator whose batch committed after a later-inserted one was read', { skip: testServerUrl() === undefined ? 'PGlite runs one transaction at a time' : false }, async () => {
    const db = t.database.dataSource;
    const indexes = createMatchIndexes({ db, logger: createLogger('silent') });
    await indexes.load();
    const first = db.createQueryRunner();
    const second = db.createQueryRunner();
    try {
      await first.startTransaction();
      await second.startTransaction();
      const early = await store(first, '象牙手镯');
      const late = await store(second, '穿山甲鳞片');
      // The second takes the log's lock first: leaf 0, commits; the first waits, then gets leaf 1.
      await second.query(`UPDATE batches SET leaf_index = 0 WHERE batch_id = $1`, [late]);
      await second.commitTransaction();
      assert.deepEqual((await indexes.matchText('出售穿山甲鳞片')).map((h) => h.keyword), ['穿山甲鳞片']);
      await first.query(`UPDATE batches SET leaf_index = 1 WHERE batch_id = $1`, [early]);
      await first.commitTransaction();
      assert.deepEqual((await indexes.matchText('出售象牙手镯')).map((h) => h.keyword), ['象牙手镯'], 'the batch that committed second is found too');
    } finally {
      await first.release();
      await second.release();
    }
  });
});
