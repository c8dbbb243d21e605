import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocation is decided by where the hub recorded things, not by what a signer claims about time
 * (src/pki/revocation-rule.ts): each revoked certificate keeps the log index of its `revocation`
 * entry, which ingest and the auditor compare with a batch's position. Existing revocations are
 * backfilled from their entries.
 *
 * The index on sightings' `retracted_by` serves the entitlement decision, which reads the
 * sightings a batch retracted whenever that batch is served (feed, /v1/batches, provenance).
 */
export class RevocationByReceipt1764864000000 implements MigrationInterface {
  name = 'RevocationByReceipt1764864000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE member_certificates ADD COLUMN revoked_leaf_index bigint;
      UPDATE member_certificates c SET revoked_leaf_index = e.first_idx
      FROM (SELECT convert_from(entry, 'UTF8')::jsonb ->> 'serial' AS serial, min(idx) AS first_idx FROM tlog_entries WHERE kind = 'revocation' GROUP BY 1) e
      WHERE e.serial = c.serial AND c.revoked_at IS NOT NULL;
      ALTER TABLE member_certificates ADD CONSTRAINT member_certificates_revocation_logged CHECK ((revoked_at IS NULL) = (revoked_leaf_index IS NULL));
      CREATE INDEX sightings_retracted_by_idx ON sightings (member, retracted_by) WHERE retracted_by IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX sightings_retracted_by_idx;
      ALTER TABLE member_certificates DROP CONSTRAINT member_certificates_revocation_logged;
      ALTER TABLE member_certificates DROP COLUMN revoked_leaf_index;
    `);
  }
}
