import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Referrals from members to agencies (issue #22, src/referrals): each agency's competence
 * (commodities and jurisdictions it covers), one referral per receiving agency with the member's
 * signed record, and each step's record with the index of the `referral` log entry committing to it.
 */
export class Referrals1766000000000 implements MigrationInterface {
  name = 'Referrals1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referral_competence (
        agency      text NOT NULL CONSTRAINT referral_competence_agency_fk REFERENCES agencies (slug),
        kind        text NOT NULL CONSTRAINT referral_competence_kind_valid CHECK (kind IN ('commodity', 'jurisdiction')),
        value       text NOT NULL,
        CONSTRAINT referral_competence_pk PRIMARY KEY (agency, kind, value)
      );
      CREATE INDEX referral_competence_value_idx ON referral_competence (kind, value);

      CREATE TABLE referrals (
        referral_id     uuid PRIMARY KEY,
        case_ref        uuid NOT NULL,
        member          text NOT NULL,
        agency          text NOT NULL CONSTRAINT referrals_agency_fk REFERENCES agencies (slug),
        routing         text NOT NULL CONSTRAINT referrals_routing_valid CHECK (routing IN ('NAMED', 'COMPETENCE')),
        urgency         text NOT NULL CONSTRAINT referrals_urgency_valid CHECK (urgency IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
        commodity       text NOT NULL,
        place           text NOT NULL,
        record          text NOT NULL,
        state           text NOT NULL CONSTRAINT referrals_state_valid CHECK (state IN ('filed', 'acknowledged', 'accepted', 'declined', 'closed')),
        filed_at        timestamptz NOT NULL,
        acknowledged_at timestamptz,
        updated_at      timestamptz NOT NULL
      );
      CREATE INDEX referrals_agency_idx ON referrals (agency, filed_at DESC, referral_id);
      CREATE INDEX referrals_member_idx ON referrals (member, filed_at DESC);
      CREATE INDEX referrals_unacknowledged_idx ON referrals (filed_at) WHERE acknowledged_at IS NULL;

      CREATE TABLE referral_steps (
        referral_id   uuid NOT NULL CONSTRAINT referral_steps_referral_fk REFERENCES referrals (referral_id),
        step          text NOT NULL CONSTRAINT referral_steps_step_valid CHECK (step IN ('filed', 'acknowledged', 'accepted', 'declined', 'closed')),
        by_party      text NOT NULL,
        record        text NOT NULL,
        record_sha256 text NOT NULL,
        result        text CONSTRAINT referral_steps_result_valid CHECK (result IN ('INVESTIGATION_OPENED', 'SEIZURE', 'PROSECUTION', 'NO_ACTION')),
        leaf_index    bigint NOT NULL,
        created_at    timestamptz NOT NULL,
        CONSTRAINT referral_steps_pk PRIMARY KEY (referral_id, step)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE referral_steps; DROP TABLE referrals; DROP TABLE referral_competence;`);
  }
}
