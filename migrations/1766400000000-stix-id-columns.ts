import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each row's STIX id stored in the row (issue 28). Migration 1765700000000 indexed the ids as
 * expressions, so `match[id]` was an index probe, but a collection page still derived the id of
 * every object it gave (a SHA-1 per row in Node, 7.5 s per million). Now the UUIDv5 is a stored
 * generated column: Postgres derives it once, in C, when the row is written (and here, for the
 * rows already there: the ALTER rewrites each table once), the pages read it like any other
 * column, and the lookups probe a plain index on it. The expressions are exactly those of
 * src/interop/stix-ids.ts (object-lookup.test.ts reads them back from the catalog and compares);
 * they must never change, or ids already given out would. The expression indexes are dropped:
 * the column indexes replace them.
 */
const NS = `'571a0613-dce3-4b9a-aa03-219ab3aa8ed0'::uuid`;

export class StixIdColumns1766400000000 implements MigrationInterface {
  name = 'StixIdColumns1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
      DROP INDEX IF EXISTS indicators_stix_id_idx;
      DROP INDEX IF EXISTS sightings_stix_id_idx;
      DROP INDEX IF EXISTS opinions_stix_id_idx;
      ALTER TABLE indicators ADD COLUMN stix_uuid uuid GENERATED ALWAYS AS (uuid_generate_v5(${NS}, id)) STORED;
      ALTER TABLE sightings ADD COLUMN stix_uuid uuid
        GENERATED ALWAYS AS (uuid_generate_v5(${NS}, 'sighting:' || member || ':' || batch_id::text || ':' || indicator_id)) STORED;
      ALTER TABLE opinions ADD COLUMN stix_uuid uuid GENERATED ALWAYS AS (uuid_generate_v5(${NS}, 'opinion:' || leaf_index::text)) STORED;
      CREATE INDEX indicators_stix_uuid_idx ON indicators (stix_uuid);
      CREATE INDEX sightings_stix_uuid_idx ON sightings (stix_uuid);
      CREATE INDEX opinions_stix_uuid_idx ON opinions (stix_uuid);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE opinions DROP COLUMN stix_uuid;
      ALTER TABLE sightings DROP COLUMN stix_uuid;
      ALTER TABLE indicators DROP COLUMN stix_uuid;
      CREATE INDEX indicators_stix_id_idx ON indicators (uuid_generate_v5(${NS}, id));
      CREATE INDEX sightings_stix_id_idx ON sightings (uuid_generate_v5(${NS}, 'sighting:' || member || ':' || batch_id::text || ':' || indicator_id));
      CREATE INDEX opinions_stix_id_idx ON opinions (uuid_generate_v5(${NS}, 'opinion:' || leaf_index::text));
    `);
  }
}
