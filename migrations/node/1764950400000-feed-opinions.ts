import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opinions read from the feed (agencies' and members' verdicts on federation indicators), each
 * party's latest verdict per indicator, so that a scan can say when a matched indicator is
 * disputed or judged a false positive.
 */
export class FeedOpinions1764950400000 implements MigrationInterface {
  name = 'FeedOpinions1764950400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_feed_opinions (
        indicator_id text NOT NULL,
        by_party     text NOT NULL,
        verdict      text NOT NULL CONSTRAINT node_feed_opinions_verdict_valid CHECK (verdict IN ('CONFIRMED', 'FALSE_POSITIVE')),
        leaf_index   bigint NOT NULL,
        CONSTRAINT node_feed_opinions_pk PRIMARY KEY (indicator_id, by_party)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_feed_opinions`);
  }
}
