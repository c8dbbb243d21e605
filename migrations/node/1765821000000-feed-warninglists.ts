import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The federation's warninglists as the feed carried them (src/node/feed-follower.ts): each one
 * checked against its `warninglist` log entry's hash before it is kept; the highest version of a
 * name is applied to /v1/scan beside the lists built into the release.
 */
export class FeedWarninglists1765821000000 implements MigrationInterface {
  name = 'FeedWarninglists1765821000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_feed_warninglists (
        name        text NOT NULL,
        version     bigint NOT NULL,
        list        jsonb NOT NULL,
        leaf_index  bigint NOT NULL,
        CONSTRAINT node_feed_warninglists_pk PRIMARY KEY (name, version)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_feed_warninglists`);
  }
}
