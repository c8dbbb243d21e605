import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Machine feeds for agencies' own tools (TAXII 2.1 and the MISP feed, docs/interop.md).
 *
 * `interop_sighting_policy` records whether a member lets its sightings travel as STIX `sighting`
 * objects. A row applies to the member's batches from log index `from_leaf` on (the log's size
 * when it was set, read under the log's lock), so a change never rewrites what a feed already
 * carried; no row means withheld, the default.
 *
 * The indexes serve the feeds' walks in log order: entries by time (TAXII `added_after` and the
 * `date_added` tie-break, MISP's days), batches by member in log order (a member's first batch
 * in a collection), sightings by the batch that retracted them, opinions by log index.
 */
export class Interop1765209600000 implements MigrationInterface {
  name = 'Interop1765209600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interop_sighting_policy (
        member    text NOT NULL CONSTRAINT interop_sighting_policy_member_fk REFERENCES members (slug),
        from_leaf bigint NOT NULL CONSTRAINT interop_sighting_policy_from_leaf_nonnegative CHECK (from_leaf >= 0),
        share     boolean NOT NULL,
        set_at    timestamptz NOT NULL,
        CONSTRAINT interop_sighting_policy_pk PRIMARY KEY (member, from_leaf)
      );
      CREATE INDEX tlog_entries_created_at_idx ON tlog_entries (created_at, idx);
      CREATE INDEX batches_member_leaf_idx ON batches (member, leaf_index);
      CREATE INDEX opinions_leaf_index_idx ON opinions (leaf_index);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX opinions_leaf_index_idx; DROP INDEX batches_member_leaf_idx;
      DROP INDEX tlog_entries_created_at_idx; DROP TABLE interop_sighting_policy;
    `);
  }
}
