import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { signCheckpoint } from './checkpoint.js';
import { encodeEntry, type LogEntry } from './entry.js';
import { TlogError } from './errors.js';
import { leafHash } from './merkle.js';
import type { NoteSigner } from './note.js';
import { consistencyProof, inclusionProof, storedHashesForLeaves, treeHash, withPendingHashes, type HashReader } from './stored-hashes.js';
import { MAX_BUNDLED_ENTRY_BYTES, TILE_WIDTH, tileHashIndexes, tilePath, tileWidth, type Tile } from './tiles.js';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** An entry before the log stamps it with its time. */
export type UnstampedEntry = LogEntry extends infer E ? (E extends LogEntry ? Omit<E, 'ts'> : never) : never;

export interface AppendResult {
  /** Index of the first appended entry; the others follow consecutively. */
  readonly firstIndex: number;
  /** Tree size after the append. */
  readonly size: number;
  /** The signed checkpoint (C2SP signed note) of that size: it includes every appended entry. */
  readonly checkpoint: string;
}

export interface TransparencyLog {
  readonly origin: string;
  readonly verifierKey: string;
  /**
   * Appends entries inside the caller's transaction, so that what they describe and the
   * entries commit together or not at all. Locks the log's state row until commit: one
   * writer at a time, consecutive indexes. Signs the new checkpoint in the same transaction.
   */
  append(tx: EntityManager, entries: readonly UnstampedEntry[]): Promise<AppendResult>;
  size(db: Queryable): Promise<number>;
  /** The newest signed checkpoint (of the empty tree when nothing was logged yet). */
  latestCheckpoint(db: Queryable): Promise<{ size: number; note: string }>;
  /** The note of the checkpoint of exactly `size` (every size the log had is kept). */
  checkpointAt(db: Queryable, size: number): Promise<string | undefined>;
  entries(db: Queryable, start: number, end: number): Promise<Uint8Array[]>;
  inclusionProof(db: Queryable, index: number, size: number): Promise<Uint8Array[]>;
  consistencyProof(db: Queryable, from: number, to: number): Promise<Uint8Array[]>;
  /** The bytes of a C2SP hash tile; `INDEX_OUT_OF_RANGE` until the log holds all its hashes. */
  tile(db: Queryable, tile: Tile): Promise<Uint8Array>;
  /** The C2SP entry bundle of level-0 tile (index, width): its entries, each length-prefixed. */
  entryBundle(db: Queryable, tile: Pick<Tile, 'index' | 'width'>): Promise<Uint8Array>;
}

export function createTransparencyLog(options: { origin: string; signer: NoteSigner; clock: Clock }): TransparencyLog {
  const { origin, signer, clock } = options;
  const sign = (size: number, root: Uint8Array): string => signCheckpoint({ origin, size, root }, signer);

  const size = async (db: Queryable): Promise<number> => {
    const rows: Array<{ size: string | number }> = await db.query(`SELECT size FROM tlog_state WHERE id = 1`);
    return Number(rows[0]?.size ?? 0);
  };

  const requireWithin = async (db: Queryable, wanted: number, what: string): Promise<void> => {
    const current = await size(db);
    if (wanted > current) {
      throw new TlogError('INDEX_OUT_OF_RANGE', `${what} ${wanted} is beyond the log's size ${current}`, { details: { size: current } });
    }
  };

  const entries = async (db: Queryable, start: number, end: number): Promise<Uint8Array[]> => {
    await requireWithin(db, end, 'end');
    const rows: Array<{ entry: Uint8Array }> = await db.query(`SELECT entry FROM tlog_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, [start, end]);
    if (rows.length !== end - start) throw new TlogError('STORE_INCONSISTENT', `entries ${start}..${end} are not all stored`);
    return rows.map((r) => new Uint8Array(r.entry));
  };

  return {
    origin,
    verifierKey: signer.verifierKey,
    async append(tx, entries) {
      if (entries.length === 0) throw new Error('internal: nothing to append');
      const locked: Array<{ size: string | number }> = await tx.query(`SELECT size FROM tlog_state WHERE id = 1 FOR UPDATE`);
      const start = Number(locked[0]?.size ?? 0);
      const ts = clock.now().getTime();
      const encoded = entries.map((e) => encodeEntry({ ...e, ts } as LogEntry));
      const reader = hashReader(tx);
      const rows = await storedHashesForLeaves(start, encoded.map(leafHash), reader);
      const newSize = start + encoded.length;
      const root = await treeHash(newSize, withPendingHashes(reader, rows));
      const note = sign(newSize, root);
      const at = new Date(ts);
      await tx.query(
        `INSERT INTO tlog_entries (idx, kind, entry, created_at) SELECT t.idx, t.kind, t.entry, $4 FROM unnest($1::bigint[], $2::text[], $3::bytea[]) AS t(idx, kind, entry)`,
        [encoded.map((_, i) => start + i), entries.map((e) => e.kind), encoded.map((b) => Buffer.from(b)), at],
      );
      await tx.query(`INSERT INTO tlog_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [rows.map((r) => r.index), rows.map((r) => Buffer.from(r.hash))]);
      await tx.query(`INSERT INTO tlog_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4)`, [newSize, Buffer.from(root), note, at]);
      await tx.query(`UPDATE tlog_state SET size = $1 WHERE id = 1`, [newSize]);
      return { firstIndex: start, size: newSize, checkpoint: note };
    },
    size,
    async latestCheckpoint(db) {
      const rows: Array<{ size: string | number; note: string }> = await db.query(
        `SELECT c.size, c.note FROM tlog_checkpoints c JOIN tlog_state s ON s.id = 1 AND c.size = s.size`,
      );
      const row = rows[0];
      if (row !== undefined) return { size: Number(row.size), note: row.note };
      return { size: 0, note: sign(0, await treeHash(0, hashReader(db))) };
    },
    async checkpointAt(db, wanted) {
      const rows: Array<{ note: string }> = await db.query(`SELECT note FROM tlog_checkpoints WHERE size = $1`, [wanted]);
      return rows[0]?.note;
    },
    entries,
    async inclusionProof(db, index, treeSize) {
      await requireWithin(db, treeSize, 'size');
      return inclusionProof(index, treeSize, hashReader(db));
    },
    async consistencyProof(db, from, to) {
      await requireWithin(db, to, 'to');
      return consistencyProof(from, to, hashReader(db));
    },
    async tile(db, tile) {
      // One round trip, and one value back: Postgres joins the hashes in tile order.
      const [row]: Array<{ size: string | number; n: number; bytes: Uint8Array | null }> = await db.query(
        `SELECT s.size, t.n, t.bytes FROM tlog_state s, (
           SELECT count(*)::int AS n, string_agg(h.hash, ''::bytea ORDER BY w.ord) AS bytes
           FROM unnest($1::bigint[]) WITH ORDINALITY AS w(idx, ord) JOIN tlog_hashes h ON h.idx = w.idx) t
         WHERE s.id = 1`,
        [tileHashIndexes(tile)],
      );
      const current = Number(row?.size ?? 0);
      if (tile.width > tileWidth(current, tile.level, tile.index)) {
        throw new TlogError('INDEX_OUT_OF_RANGE', `${tilePath(tile)} is beyond the log's size ${current}`, { details: { size: current } });
      }
      if (row?.n !== tile.width || row.bytes === null || row.bytes.length !== tile.width * 32) throw new TlogError('STORE_INCONSISTENT', `the hashes of ${tilePath(tile)} are not all stored`);
      return new Uint8Array(row.bytes);
    },
    async entryBundle(db, tile) {
      const start = tile.index * TILE_WIDTH;
      const end = start + tile.width;
      // The bundle is built by Postgres (each entry behind its length as a big-endian uint16),
      // checked against the reference encoder's rule: no entry over 65,535 bytes.
      const [row]: Array<{ size: string | number; n: number; longest: number | null; bytes: Uint8Array | null }> = await db.query(
        `SELECT s.size, t.n, t.longest, t.bytes FROM tlog_state s, (
           SELECT count(*)::int AS n, max(length(entry)) AS longest,
                  string_agg(substring(int4send(length(entry)) FROM 3 FOR 2) || entry, ''::bytea ORDER BY idx) AS bytes
           FROM tlog_entries WHERE idx >= $1 AND idx < $2) t
         WHERE s.id = 1`,
        [start, end],
      );
      const current = Number(row?.size ?? 0);
      if (end > current) throw new TlogError('INDEX_OUT_OF_RANGE', `entry bundle ${tile.index} of width ${tile.width} is beyond the log's size ${current}`, { details: { size: current } });
      if (row?.n !== tile.width || row.bytes === null) throw new TlogError('STORE_INCONSISTENT', `entries ${start}..${end} are not all stored`);
      if ((row.longest ?? 0) > MAX_BUNDLED_ENTRY_BYTES) {
        throw new TlogError('ENTRY_TOO_LARGE', `an entry in ${start}..${end} is ${row.longest} bytes; a bundle carries at most ${MAX_BUNDLED_ENTRY_BYTES}`);
      }
      return new Uint8Array(row.bytes);
    },
  };
}

/** One round trip per proof: the stored hashes at the requested indexes, in the requested order. */
function hashReader(db: Queryable): HashReader {
  return async (indexes) => {
    if (indexes.length === 0) return [];
    const rows: Array<{ idx: string | number; hash: Uint8Array }> = await db.query(`SELECT idx, hash FROM tlog_hashes WHERE idx = ANY($1::bigint[])`, [indexes]);
    const byIndex = new Map(rows.map((r) => [Number(r.idx), new Uint8Array(r.hash)]));
    return indexes.map((i) => {
      const hash = byIndex.get(i);
      if (hash === undefined) throw new TlogError('STORE_INCONSISTENT', `stored hash ${i} is missing`);
      return hash;
    });
  };
}
