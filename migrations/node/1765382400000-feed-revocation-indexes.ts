import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feed follower applies the revocation rule by log position (src/pki/revocation-rule.ts): it
 * keeps, per certificate serial, the index of the `revocation` entry it read, beside the time it
 * already kept for the createdAt check.
 */
export class FeedRevocationIndexes1765382400000 implements MigrationInterface {
  name = 'FeedRevocationIndexes1765382400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE node_state ADD COLUMN feed_revocation_indexes jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE node_state DROP COLUMN feed_revocation_indexes`);
  }
}
