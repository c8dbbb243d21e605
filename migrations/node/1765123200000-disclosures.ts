import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lawful re-identification requests at the member node (docs/disclosure.md).
 *
 * The feed follower keeps, from the log it has verified, every `agency` entry (an agency's key set
 * hash) and every `disclosure` entry (step, request, record hash): a request is trusted only when
 * the log itself says it was filed and routed as served, with the keys the agency registered.
 * `node_disclosures` holds each request routed to this member and the operator's decision;
 * `node_disclosure_outbox` the signed step records to send (an answer is ciphertext to the agency:
 * the raw identifier is never stored in clear).
 */
export class NodeDisclosures1765123200000 implements MigrationInterface {
  name = 'NodeDisclosures1765123200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_agency_keys (
        leaf_index  bigint CONSTRAINT node_agency_keys_pk PRIMARY KEY,
        agency      text NOT NULL,
        keys_sha256 text NOT NULL
      );
      CREATE INDEX node_agency_keys_agency_idx ON node_agency_keys (agency, leaf_index);

      CREATE TABLE node_disclosure_log (
        leaf_index    bigint CONSTRAINT node_disclosure_log_pk PRIMARY KEY,
        request_id    uuid NOT NULL,
        step          text NOT NULL,
        record_sha256 text NOT NULL
      );
      CREATE INDEX node_disclosure_log_request_idx ON node_disclosure_log (request_id);

      CREATE TABLE node_disclosures (
        request_id   uuid CONSTRAINT node_disclosures_pk PRIMARY KEY,
        state        text NOT NULL CONSTRAINT node_disclosures_state_valid CHECK (state IN ('waiting', 'pending', 'answered', 'declined', 'invalid', 'expired')),
        agency       text NOT NULL,
        case_id      text,
        fingerprint  text,
        request_jws  text NOT NULL,
        routed       text NOT NULL,
        agency_keys  text NOT NULL,
        filed_leaf   bigint NOT NULL,
        expires_at   timestamptz,
        received_at  timestamptz NOT NULL,
        in_vault     boolean,
        problem      text,
        decision     jsonb
      );
      CREATE INDEX node_disclosures_state_idx ON node_disclosures (state, received_at);

      CREATE TABLE node_disclosure_outbox (
        request_id  uuid NOT NULL CONSTRAINT node_disclosure_outbox_request_fk REFERENCES node_disclosures (request_id),
        step        text NOT NULL CONSTRAINT node_disclosure_outbox_step_valid CHECK (step IN ('delivered', 'answered', 'declined')),
        record      text NOT NULL,
        state       text NOT NULL CONSTRAINT node_disclosure_outbox_state_valid CHECK (state IN ('queued', 'sent', 'refused')),
        attempts    integer NOT NULL DEFAULT 0,
        last_error  text,
        leaf_index  bigint,
        created_at  timestamptz NOT NULL,
        CONSTRAINT node_disclosure_outbox_pk PRIMARY KEY (request_id, step)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_disclosure_outbox; DROP TABLE node_disclosures; DROP TABLE node_disclosure_log; DROP TABLE node_agency_keys;`);
  }
}
