import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transparency log (RFC 6962/9162 Merkle tree, design item 3).
 *
 * - tlog_entries: the entry bytes (JCS) by index; entries commit to content by hash only.
 * - tlog_hashes: the hash of every complete subtree, stored at Go sumdb's StoredHashIndex
 *   (src/tlog storedHashIndex): an append-only array, so tiles can be cut from it later.
 *   Any root, inclusion or consistency proof needs O(log n) of these rows, read in one
 *   round trip, never a recomputation from leaves.
 * - tlog_state: one row holding the tree size; appenders lock it (SELECT … FOR UPDATE),
 *   which makes one writer at a time and consecutive indexes, on Postgres and PGlite alike.
 * - tlog_checkpoints: every signed checkpoint, by size.
 */
export class TransparencyLog1764518400000 implements MigrationInterface {
  name = 'TransparencyLog1764518400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tlog_entries (
        idx        bigint PRIMARY KEY CONSTRAINT tlog_entries_idx_nonnegative CHECK (idx >= 0),
        kind       text NOT NULL,
        entry      bytea NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX tlog_entries_kind_idx ON tlog_entries (kind, idx);

      CREATE TABLE tlog_hashes (
        idx  bigint PRIMARY KEY CONSTRAINT tlog_hashes_idx_nonnegative CHECK (idx >= 0),
        hash bytea NOT NULL CONSTRAINT tlog_hashes_hash_length CHECK (length(hash) = 32)
      );

      CREATE TABLE tlog_state (
        id   smallint PRIMARY KEY CONSTRAINT tlog_state_single_row CHECK (id = 1),
        size bigint NOT NULL CONSTRAINT tlog_state_size_nonnegative CHECK (size >= 0)
      );
      INSERT INTO tlog_state (id, size) VALUES (1, 0);

      CREATE TABLE tlog_checkpoints (
        size       bigint PRIMARY KEY,
        root       bytea NOT NULL CONSTRAINT tlog_checkpoints_root_length CHECK (length(root) = 32),
        note       text NOT NULL,
        created_at timestamptz NOT NULL
      );

      ALTER TABLE batches ADD COLUMN leaf_index bigint CONSTRAINT batches_leaf_index_unique UNIQUE;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE batches DROP COLUMN leaf_index; DROP TABLE tlog_checkpoints; DROP TABLE tlog_state; DROP TABLE tlog_hashes; DROP TABLE tlog_entries;`);
  }
}
