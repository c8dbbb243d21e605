import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flood quarantine at the node: the latest `quarantine` entry of each indicator as the feed
 * carried it (`hold` or `release`, and who decided), and the node's own holds on its scan rates
 * (`source` = `local`, until the hub's entry arrives).
 */
export class FeedQuarantines1765821100000 implements MigrationInterface {
  name = 'FeedQuarantines1765821100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_feed_quarantines (
        indicator_id text NOT NULL CONSTRAINT node_feed_quarantines_pk PRIMARY KEY,
        action       text NOT NULL CONSTRAINT node_feed_quarantines_action_known CHECK (action IN ('hold', 'release')),
        source       text NOT NULL,
        leaf_index   bigint
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_feed_quarantines`);
  }
}
