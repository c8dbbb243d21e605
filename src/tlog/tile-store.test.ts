import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { fixedClock } from '../kernel/index.js';
import { MemoryHashStore, TlogError, createTransparencyLog, encodeEntryBundle, encodeTile, generateSignerKey, leafHash, parseSignerKey, tileHashIndexes } from './index.js';

/** The database-backed log builds tiles and bundles in SQL: they must be the bytes of the reference encoders. */
describe('tiles and entry bundles from the database', () => {
  let db: TestDatabase;
  const log = createTransparencyLog({ origin: 'tiles.test/log', signer: parseSignerKey(generateSignerKey('tiles.test/log').signerKey), clock: fixedClock('2026-12-01T00:00:00Z') });
  // Raw entries of every awkward length: empty, one byte, across the uint16's high bit, the largest, one too large.
  const lengths = [0, 1, 255, 256, 32_767, 32_768, 65_535, 65_536];
  const entries = lengths.map((n, i) => new Uint8Array(n).fill(i + 1));
  const store = new MemoryHashStore();

  before(async () => {
    db = await createTestDatabase();
    const q = db.database.dataSource;
    const made = store.append(entries.map(leafHash));
    await q.query(`INSERT INTO tlog_entries (idx, kind, entry, created_at) SELECT t.idx, 'opinion', t.entry, now() FROM unnest($1::bigint[], $2::bytea[]) AS t(idx, entry)`, [entries.map((_, i) => i), entries.map((e) => Buffer.from(e))]);
    await q.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [made.map((m) => m.index), made.map((m) => Buffer.from(m.hash))]);
    await q.query(`UPDATE tlog_state SET size = $1 WHERE id = 1`, [entries.length]);
  });
  after(async () => {
    await db?.drop();
  });

  it('bundles each entry behind its big-endian uint16 length, byte for byte as encodeEntryBundle', async () => {
    const bundle = await log.entryBundle(db.database.dataSource, { index: 0, width: 7 });
    assert.deepEqual(Buffer.from(bundle), Buffer.from(encodeEntryBundle(entries.slice(0, 7))));
  });

  it('refuses to bundle an entry over 65,535 bytes (ENTRY_TOO_LARGE), and a bundle beyond the log', async () => {
    await assert.rejects(log.entryBundle(db.database.dataSource, { index: 0, width: 8 }), (err: unknown) => err instanceof TlogError && err.code === 'ENTRY_TOO_LARGE');
    await assert.rejects(log.entryBundle(db.database.dataSource, { index: 0, width: 9 }), (err: unknown) => err instanceof TlogError && err.code === 'INDEX_OUT_OF_RANGE');
  });

  it('cuts hash tiles byte for byte from the stored hashes, and refuses a tile beyond the log', async () => {
    for (let width = 1; width <= 8; width++) {
      const tile = { level: 0, index: 0, width };
      assert.deepEqual(Buffer.from(await log.tile(db.database.dataSource, tile)), Buffer.from(encodeTile(store.read(tileHashIndexes(tile)))));
    }
    await assert.rejects(log.tile(db.database.dataSource, { level: 0, index: 0, width: 9 }), (err: unknown) => err instanceof TlogError && err.code === 'INDEX_OUT_OF_RANGE');
    await assert.rejects(log.tile(db.database.dataSource, { level: 1, index: 0, width: 1 }), (err: unknown) => err instanceof TlogError && err.code === 'INDEX_OUT_OF_RANGE');
  });
});
