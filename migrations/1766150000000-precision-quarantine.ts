import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A HOLD outcome-precision verdict quarantines like a flood (src/guards/hold.ts): the quarantines
 * table knows the reason PRECISION, whose hits and scans are the NO_VIOLATION outcomes and all
 * judged ones (removals and NO_VIOLATION) when it was held.
 */
export class PrecisionQuarantine1766150000000 implements MigrationInterface {
  name = 'PrecisionQuarantine1766150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE quarantines DROP CONSTRAINT quarantines_reason_known`);
    await q.query(`ALTER TABLE quarantines ADD CONSTRAINT quarantines_reason_known CHECK (reason IN ('FLOOD', 'DISPUTED_FLOOD', 'PRECISION'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM quarantines WHERE reason = 'PRECISION'`);
    await q.query(`ALTER TABLE quarantines DROP CONSTRAINT quarantines_reason_known`);
    await q.query(`ALTER TABLE quarantines ADD CONSTRAINT quarantines_reason_known CHECK (reason IN ('FLOOD', 'DISPUTED_FLOOD'))`);
  }
}
