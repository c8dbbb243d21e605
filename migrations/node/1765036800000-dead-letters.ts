import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters: what the hub refused for good, one row per indicator or retraction that will not
 * be published (the item the hub named, or every item of a batch refused as a whole), with the
 * hub's code and reason. The rest of a batch refused for one item goes back to node_pending, so
 * a poison item never holds the outbox up.
 */
export class DeadLetters1765036800000 implements MigrationInterface {
  name = 'DeadLetters1765036800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_dead_letters (
        seq          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT node_dead_letters_pk PRIMARY KEY,
        batch_id     uuid NOT NULL,
        item_index   integer NOT NULL CONSTRAINT node_dead_letters_item_index_nonnegative CHECK (item_index >= 0),
        kind         text NOT NULL CONSTRAINT node_dead_letters_kind_valid CHECK (kind IN ('indicator', 'retraction')),
        indicator_id text NOT NULL,
        body         jsonb NOT NULL,
        code         text NOT NULL,
        message      text NOT NULL,
        details      jsonb,
        dead_at      timestamptz NOT NULL
      );
      CREATE INDEX node_dead_letters_batch_idx ON node_dead_letters (batch_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_dead_letters`);
  }
}
