import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outcomes at the member node (issue #22):
 * - node_outcomes: what the platform did about an indicator this member published, with the
 *   platform's own reference (a listing or case id: it never leaves the node, and lets the
 *   platform list and retract by it); `batch_seq` once sealed into a batch.
 * - node_pending.outcome: a pending item that is an outcome item (its body the item as signed).
 * - node_batches.outcome_count: how many outcome items a batch carries.
 * - node_feed_outcomes: other members' outcomes read from the feed (as far as this member may see
 *   them), for the "acted on elsewhere" signal.
 */
export class NodeOutcomes1765900000000 implements MigrationInterface {
  name = 'NodeOutcomes1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE node_pending ADD COLUMN outcome boolean NOT NULL DEFAULT false;
      ALTER TABLE node_batches ADD COLUMN outcome_count integer NOT NULL DEFAULT 0 CONSTRAINT node_batches_outcome_count_nonnegative CHECK (outcome_count >= 0);
      CREATE TABLE node_outcomes (
        outcome_id     uuid CONSTRAINT node_outcomes_pk PRIMARY KEY,
        indicator_id   text NOT NULL,
        action         text NOT NULL CONSTRAINT node_outcomes_action_valid CHECK (action IN ('REMOVED', 'ACCOUNT_SUSPENDED', 'WARNED', 'NO_VIOLATION', 'ESCALATED')),
        acted_at       timestamptz NOT NULL,
        tlp            text NOT NULL,
        reference      text,
        recorded_at    timestamptz NOT NULL,
        retracted_at   timestamptz,
        retract_reason text
      );
      CREATE INDEX node_outcomes_reference_idx ON node_outcomes (reference) WHERE reference IS NOT NULL;
      CREATE INDEX node_outcomes_indicator_idx ON node_outcomes (indicator_id);
      CREATE TABLE node_feed_outcomes (
        member       text NOT NULL,
        outcome_id   uuid NOT NULL,
        indicator_id text NOT NULL,
        action       text NOT NULL,
        acted_at     timestamptz NOT NULL,
        leaf_index   bigint NOT NULL,
        retracted    boolean NOT NULL DEFAULT false,
        CONSTRAINT node_feed_outcomes_pk PRIMARY KEY (member, outcome_id)
      );
      CREATE INDEX node_feed_outcomes_indicator_idx ON node_feed_outcomes (indicator_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_feed_outcomes; DROP TABLE node_outcomes; ALTER TABLE node_batches DROP COLUMN outcome_count; ALTER TABLE node_pending DROP COLUMN outcome;`);
  }
}
