import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Member certificates, as enrolled on the hub. A member may hold several at once
 * (rotation: the new one is enrolled while the old one runs out). Revocation marks
 * a certificate with its time: batches whose createdAt is at or after it are refused,
 * earlier ones stay valid. Certificates are public; they are kept as DER.
 */
export class FederationPki1764432000000 implements MigrationInterface {
  name = 'FederationPki1764432000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_certificates (
        fingerprint       text PRIMARY KEY CONSTRAINT member_certificates_fingerprint_format CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
        member            text NOT NULL CONSTRAINT member_certificates_member_fk REFERENCES members (slug),
        serial            text NOT NULL CONSTRAINT member_certificates_serial_format CHECK (serial ~ '^[0-9a-f]{1,64}$'),
        der               bytea NOT NULL,
        not_before        timestamptz NOT NULL,
        not_after         timestamptz NOT NULL,
        enrolled_at       timestamptz NOT NULL,
        revoked_at        timestamptz,
        revocation_reason text,
        CONSTRAINT member_certificates_serial_unique UNIQUE (serial)
      );
      CREATE INDEX member_certificates_member_idx ON member_certificates (member);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE member_certificates;`);
  }
}
