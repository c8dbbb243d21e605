import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outcomes (issue #22, docs/auditor.md item kinds): what a member did about a sighting it had
 * published, one row per outcome item of an accepted batch. `tlp`, `commodities` and `type` are
 * the entitlement facts summarized at ingest from the sightings the outcome concerns
 * (src/auth `outcomeFacts`), so that a reader's visibility is decided in SQL as for sightings.
 * An outcome retraction marks its outcome; history stays in the batch and the log.
 */
export class Outcomes1765900000000 implements MigrationInterface {
  name = 'Outcomes1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outcomes (
        member         text NOT NULL,
        outcome_id     uuid NOT NULL,
        batch_id       uuid NOT NULL,
        indicator_id   text NOT NULL CONSTRAINT outcomes_indicator_fk REFERENCES indicators (id),
        type           text NOT NULL,
        action         text NOT NULL CONSTRAINT outcomes_action_valid CHECK (action IN ('REMOVED', 'ACCOUNT_SUSPENDED', 'WARNED', 'NO_VIOLATION', 'ESCALATED')),
        acted_at       timestamptz NOT NULL,
        tlp            text NOT NULL CONSTRAINT outcomes_tlp_valid CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')),
        commodities    text[] NOT NULL CONSTRAINT outcomes_commodities_nonempty CHECK (cardinality(commodities) > 0),
        received_at    timestamptz NOT NULL DEFAULT now(),
        retracted_at   timestamptz,
        retracted_by   uuid,
        retract_reason text,
        CONSTRAINT outcomes_pk PRIMARY KEY (member, outcome_id),
        CONSTRAINT outcomes_batch_fk FOREIGN KEY (member, batch_id) REFERENCES batches (member, batch_id)
      );
      CREATE INDEX outcomes_batch_idx ON outcomes (member, batch_id);
      CREATE INDEX outcomes_retracted_by_idx ON outcomes (member, retracted_by) WHERE retracted_by IS NOT NULL;
      CREATE INDEX outcomes_indicator_idx ON outcomes (indicator_id);
      CREATE INDEX outcomes_acted_idx ON outcomes (acted_at) WHERE retracted_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outcomes;`);
  }
}
