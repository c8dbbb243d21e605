import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TAXII `match[id]` and `objects/<id>/` by index (src/interop/object-lookup.ts). A STIX id is a
 * UUIDv5 of wildintel's own keys (src/interop/stix-ids.ts, docs/interop.md); these expression
 * indexes hold each row's id, derived by Postgres itself with `uuid_generate_v5` from the
 * `uuid-ossp` extension (a trusted extension: the database's owner may create it), so a lookup
 * reads a few index pages instead of deriving the id of every candidate row (24 s at a million
 * indicators). Each insert derives its row's id once, in C; nothing else changes. The
 * expressions must stay exactly as the lookups write them (STIX_ID_SQL in object-lookup.ts), or
 * the planner will not use them; `object-lookup.test.ts` checks the plans.
 */
export class StixIdIndexes1765700000000 implements MigrationInterface {
  name = 'StixIdIndexes1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
      CREATE INDEX indicators_stix_id_idx ON indicators (uuid_generate_v5('571a0613-dce3-4b9a-aa03-219ab3aa8ed0'::uuid, id));
      CREATE INDEX sightings_stix_id_idx ON sightings
        (uuid_generate_v5('571a0613-dce3-4b9a-aa03-219ab3aa8ed0'::uuid, 'sighting:' || member || ':' || batch_id::text || ':' || indicator_id));
      CREATE INDEX opinions_stix_id_idx ON opinions (uuid_generate_v5('571a0613-dce3-4b9a-aa03-219ab3aa8ed0'::uuid, 'opinion:' || leaf_index::text));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX opinions_stix_id_idx; DROP INDEX sightings_stix_id_idx; DROP INDEX indicators_stix_id_idx;`);
  }
}
