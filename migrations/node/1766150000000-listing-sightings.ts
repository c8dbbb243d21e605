import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outcomes by listing at the node (issue #22 follow-up): which of its indicators this node
 * published as sighted in which listing (by pseudonym, lp1.…, as the batch carried it), so that
 * `GET /v1/outcomes?listing=` finds the outcomes about what was seen there. Filled as batches are
 * made; sightings published before this migration name no listing here.
 */
export class NodeListingSightings1766150000000 implements MigrationInterface {
  name = 'NodeListingSightings1766150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_listing_sightings (
        listing      text NOT NULL,
        indicator_id text NOT NULL,
        batch_seq    bigint NOT NULL CONSTRAINT node_listing_sightings_batch_fk REFERENCES node_batches (seq),
        CONSTRAINT node_listing_sightings_pk PRIMARY KEY (listing, indicator_id, batch_seq)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_listing_sightings`);
  }
}
