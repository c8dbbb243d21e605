import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flood quarantine (src/guards/quarantine-store.ts): an indicator held back from matching
 * everywhere, who decided (`hub`, `member:<slug>`), on what rate, and the `quarantine` log
 * entries of the hold and of its release by the operator. A released indicator is not held again
 * by rates: a human decided.
 */
export class Quarantines1765821100000 implements MigrationInterface {
  name = 'Quarantines1765821100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quarantines (
        indicator_id        text NOT NULL CONSTRAINT quarantines_pk PRIMARY KEY,
        source              text NOT NULL,
        reason              text NOT NULL CONSTRAINT quarantines_reason_known CHECK (reason IN ('FLOOD', 'DISPUTED_FLOOD')),
        hits                integer NOT NULL,
        scans               integer NOT NULL,
        held_at             timestamptz NOT NULL,
        held_leaf_index     bigint NOT NULL,
        released_at         timestamptz,
        released_leaf_index bigint
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quarantines`);
  }
}
