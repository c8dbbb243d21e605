import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lawful re-identification requests (docs/disclosure.md).
 *
 * `agency_keys` keeps every public key set an agency registered (encryption and signing), each
 * logged as an `agency` entry; the newest is in force. `disclosure_requests` holds each filed
 * request (the agency-signed JWS verbatim; the target is a pseudonymous fingerprint, never a raw
 * identifier), `disclosure_routes` the members it was routed to and how far each got, and
 * `disclosure_steps` every record of every step exactly as logged (`disclosure` entries commit to
 * SHA-256 of `record`): answers are ciphertext only the agency can open.
 */
export class Disclosures1765123200000 implements MigrationInterface {
  name = 'Disclosures1765123200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agency_keys (
        id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT agency_keys_pk PRIMARY KEY,
        agency         text NOT NULL CONSTRAINT agency_keys_agency_fk REFERENCES agencies (slug),
        jwks           text NOT NULL,
        keys_sha256    text NOT NULL,
        encryption_kid text NOT NULL,
        signing_kid    text NOT NULL,
        registered_at  timestamptz NOT NULL,
        leaf_index     bigint NOT NULL
      );
      CREATE INDEX agency_keys_agency_idx ON agency_keys (agency, id);

      CREATE TABLE disclosure_requests (
        request_id     uuid CONSTRAINT disclosure_requests_pk PRIMARY KEY,
        agency         text NOT NULL CONSTRAINT disclosure_requests_agency_fk REFERENCES agencies (slug),
        analyst        text NOT NULL,
        token_id       text NOT NULL,
        case_id        text NOT NULL,
        indicator_id   text NOT NULL CONSTRAINT disclosure_requests_indicator_fk REFERENCES indicators (id),
        agency_keys_id bigint NOT NULL CONSTRAINT disclosure_requests_keys_fk REFERENCES agency_keys (id),
        request_jws    text NOT NULL,
        filed_at       timestamptz NOT NULL,
        expires_at     timestamptz NOT NULL
      );
      CREATE INDEX disclosure_requests_case_idx ON disclosure_requests (agency, case_id, filed_at);
      CREATE INDEX disclosure_requests_filed_idx ON disclosure_requests (filed_at);

      CREATE TABLE disclosure_routes (
        request_id uuid NOT NULL CONSTRAINT disclosure_routes_request_fk REFERENCES disclosure_requests (request_id),
        member     text NOT NULL,
        state      text NOT NULL CONSTRAINT disclosure_routes_state_valid CHECK (state IN ('routed', 'delivered', 'answered', 'declined')),
        CONSTRAINT disclosure_routes_pk PRIMARY KEY (request_id, member)
      );
      CREATE INDEX disclosure_routes_member_idx ON disclosure_routes (member, state);

      CREATE TABLE disclosure_steps (
        id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT disclosure_steps_pk PRIMARY KEY,
        request_id    uuid NOT NULL CONSTRAINT disclosure_steps_request_fk REFERENCES disclosure_requests (request_id),
        step          text NOT NULL CONSTRAINT disclosure_steps_step_valid CHECK (step IN ('filed', 'routed', 'delivered', 'answered', 'declined', 'retrieved')),
        member        text,
        token_id      text,
        record        text NOT NULL,
        record_sha256 text NOT NULL,
        leaf_index    bigint NOT NULL,
        created_at    timestamptz NOT NULL
      );
      CREATE INDEX disclosure_steps_request_idx ON disclosure_steps (request_id, id);
      CREATE UNIQUE INDEX disclosure_steps_record_once ON disclosure_steps (record_sha256);
      CREATE UNIQUE INDEX disclosure_steps_member_once ON disclosure_steps (request_id, member, step) WHERE step IN ('delivered', 'answered', 'declined');
      CREATE UNIQUE INDEX disclosure_steps_retrieved_once ON disclosure_steps (request_id, member, token_id) WHERE step = 'retrieved';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disclosure_steps; DROP TABLE disclosure_routes; DROP TABLE disclosure_requests; DROP TABLE agency_keys;`);
  }
}
