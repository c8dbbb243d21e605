import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Public reports and volunteer review at the member node (issue #23, src/reports):
 * - report_reports: one report from the public; the receipt code is kept only as its SHA-256;
 *   `lineage` is the first report of a reporter's chain of receipts (their track record without
 *   knowing who they are); the contact is sealed with the vault key (AES-256-GCM).
 * - report_photos: photos as sent (kept on the node only, for the reviewers) with their PDQ.
 * - report_reviewers / report_sessions: review accounts (scrypt hashes) and their sessions (the
 *   token kept as its SHA-256).
 * - report_decisions: every decision, with who made it and in which role; kept when the
 *   reviewer's account is removed.
 * - report_refusals: refused reports counted by day and code (nothing else of them is kept).
 */
export class PublicReports1766200000000 implements MigrationInterface {
  name = 'PublicReports1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_reports (
        report_id          uuid CONSTRAINT report_reports_pk PRIMARY KEY,
        receipt_hash       text NOT NULL CONSTRAINT report_reports_receipt_unique UNIQUE,
        lineage            uuid NOT NULL,
        previous_id        uuid,
        state              text NOT NULL CONSTRAINT report_reports_state_valid CHECK (state IN ('pending', 'more-info', 'confirmed', 'rejected')),
        listing            text NOT NULL,
        commodity          text NOT NULL,
        description        text NOT NULL,
        contact_nonce      bytea,
        contact_ciphertext bytea,
        score              integer NOT NULL,
        score_parts        jsonb NOT NULL,
        photo_bytes        integer NOT NULL CONSTRAINT report_reports_photo_bytes_nonnegative CHECK (photo_bytes >= 0),
        filed_at           timestamptz NOT NULL,
        decided_at         timestamptz,
        published          jsonb,
        purged_at          timestamptz
      );
      CREATE INDEX report_reports_open_idx ON report_reports (score DESC, filed_at) WHERE state IN ('pending', 'more-info');
      CREATE INDEX report_reports_listing_idx ON report_reports (listing);
      CREATE INDEX report_reports_lineage_idx ON report_reports (lineage);
      CREATE TABLE report_photos (
        report_id uuid NOT NULL CONSTRAINT report_photos_report_fk REFERENCES report_reports (report_id) ON DELETE CASCADE,
        position  smallint NOT NULL,
        pdq       text NOT NULL,
        quality   smallint NOT NULL,
        bytes     bytea NOT NULL,
        CONSTRAINT report_photos_pk PRIMARY KEY (report_id, position)
      );
      CREATE TABLE report_reviewers (
        name          text CONSTRAINT report_reviewers_pk PRIMARY KEY,
        role          text NOT NULL CONSTRAINT report_reviewers_role_valid CHECK (role IN ('moderator', 'volunteer')),
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL
      );
      CREATE TABLE report_sessions (
        token_hash text CONSTRAINT report_sessions_pk PRIMARY KEY,
        reviewer   text NOT NULL CONSTRAINT report_sessions_reviewer_fk REFERENCES report_reviewers (name) ON DELETE CASCADE,
        csrf       text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE report_decisions (
        decision_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT report_decisions_pk PRIMARY KEY,
        report_id  uuid NOT NULL CONSTRAINT report_decisions_report_fk REFERENCES report_reports (report_id) ON DELETE CASCADE,
        reviewer   text NOT NULL,
        role       text NOT NULL CONSTRAINT report_decisions_role_valid CHECK (role IN ('moderator', 'volunteer')),
        decision   text NOT NULL CONSTRAINT report_decisions_decision_valid CHECK (decision IN ('confirm', 'reject', 'more-info')),
        note       text,
        decided_at timestamptz NOT NULL
      );
      -- One confirm or reject per reviewer and report; asking for more may come first.
      CREATE UNIQUE INDEX report_decisions_one_verdict ON report_decisions (report_id, reviewer) WHERE decision IN ('confirm', 'reject');
      CREATE TABLE report_refusals (
        day   date NOT NULL,
        code  text NOT NULL,
        count bigint NOT NULL,
        CONSTRAINT report_refusals_pk PRIMARY KEY (day, code)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_refusals; DROP TABLE report_decisions; DROP TABLE report_sessions; DROP TABLE report_reviewers; DROP TABLE report_photos; DROP TABLE report_reports;`);
  }
}
