import type { MigrationInterface, QueryRunner } from 'typeorm';

const TLP_CHECK = `IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')`;

/**
 * The member node's own schema (a database apart from the hub's).
 *
 * - node_pending: indicators and retractions accepted from the platform, waiting to be signed
 *   into a batch. Durable once the platform API answers.
 * - node_batches: the outbox. A batch is signed and stored here before it is ever sent; the
 *   publisher resends exactly these bytes until the hub answers, so a crash cannot double it.
 * - node_sightings: what this member has published, so that a retraction names only indicators
 *   the hub holds a live sighting of.
 * - node_pseudonyms: the pseudonym vault, fingerprint → raw identifier, AES-256-GCM encrypted.
 * - node_state (one row): the vault key's check value, the pinned log key, the last verified
 *   checkpoint of the hub's log, and the feed position with the right edge of the Merkle tree
 *   of every entry read.
 * - node_feed_indicators: every member's KEYWORD and IMAGE_PDQ sightings read from the feed, for
 *   local scanning.
 * - node_alarms: what the node found wrong with the hub.
 */
export class MemberNode1764864000000 implements MigrationInterface {
  name = 'MemberNode1764864000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_pending (
        seq          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT node_pending_pk PRIMARY KEY,
        tlp          text NOT NULL CONSTRAINT node_pending_tlp_valid CHECK (tlp ${TLP_CHECK}),
        indicator_id text NOT NULL CONSTRAINT node_pending_indicator_id_format CHECK (indicator_id ~ '^[A-Za-z0-9_-]{43}$'),
        retraction   boolean NOT NULL,
        body         jsonb NOT NULL,
        received_at  timestamptz NOT NULL
      );
      CREATE INDEX node_pending_indicator_idx ON node_pending (indicator_id);

      CREATE TABLE node_batches (
        seq              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT node_batches_pk PRIMARY KEY,
        batch_id         uuid NOT NULL CONSTRAINT node_batches_batch_id_unique UNIQUE,
        tlp              text NOT NULL CONSTRAINT node_batches_tlp_valid CHECK (tlp ${TLP_CHECK}),
        created_at       timestamptz NOT NULL,
        jws              text NOT NULL,
        indicator_count  integer NOT NULL CONSTRAINT node_batches_indicator_count_nonnegative CHECK (indicator_count >= 0),
        retraction_count integer NOT NULL CONSTRAINT node_batches_retraction_count_nonnegative CHECK (retraction_count >= 0),
        state            text NOT NULL DEFAULT 'queued' CONSTRAINT node_batches_state_valid CHECK (state IN ('queued', 'accepted', 'refused')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL,
        last_error       text,
        refusal          jsonb,
        receipt          jsonb,
        leaf_index       bigint,
        accepted_at      timestamptz,
        audit            text CONSTRAINT node_batches_audit_valid CHECK (audit IN ('verified', 'failed')),
        CONSTRAINT node_batches_receipt_when_accepted CHECK ((state = 'accepted') = (receipt IS NOT NULL)),
        CONSTRAINT node_batches_refusal_when_refused CHECK ((state = 'refused') = (refusal IS NOT NULL))
      );
      CREATE INDEX node_batches_queued_idx ON node_batches (seq) WHERE state = 'queued';
      CREATE INDEX node_batches_unaudited_idx ON node_batches (seq) WHERE state = 'accepted' AND audit IS NULL;

      CREATE TABLE node_sightings (
        indicator_id text NOT NULL,
        batch_seq    bigint NOT NULL CONSTRAINT node_sightings_batch_fk REFERENCES node_batches (seq),
        tlp          text NOT NULL CONSTRAINT node_sightings_tlp_valid CHECK (tlp ${TLP_CHECK}),
        retracted_in bigint CONSTRAINT node_sightings_retracted_in_fk REFERENCES node_batches (seq),
        CONSTRAINT node_sightings_pk PRIMARY KEY (indicator_id, batch_seq)
      );
      CREATE INDEX node_sightings_live_idx ON node_sightings (indicator_id) WHERE retracted_in IS NULL;

      CREATE TABLE node_pseudonyms (
        fingerprint   text CONSTRAINT node_pseudonyms_pk PRIMARY KEY,
        kind          text NOT NULL CONSTRAINT node_pseudonyms_kind_valid CHECK (kind IN ('phone', 'email', 'account', 'chat', 'payment', 'url')),
        key_id        text NOT NULL,
        nonce         bytea NOT NULL CONSTRAINT node_pseudonyms_nonce_length CHECK (length(nonce) = 12),
        ciphertext    bytea NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at  timestamptz NOT NULL
      );

      CREATE TABLE node_state (
        id                 smallint CONSTRAINT node_state_pk PRIMARY KEY CONSTRAINT node_state_single_row CHECK (id = 1),
        vault_key_check    text,
        log_key            text,
        checkpoint_origin  text,
        checkpoint_size    bigint,
        checkpoint_root    bytea,
        checkpoint_note    text,
        checkpoint_at      timestamptz,
        feed_next          bigint NOT NULL DEFAULT 0,
        feed_range         jsonb NOT NULL DEFAULT '[]',
        feed_revocations   jsonb NOT NULL DEFAULT '{}',
        feed_at            timestamptz
      );
      INSERT INTO node_state (id) VALUES (1);

      CREATE TABLE node_feed_indicators (
        indicator_id text NOT NULL,
        member       text NOT NULL,
        type         text NOT NULL CONSTRAINT node_feed_indicators_type_valid CHECK (type IN ('KEYWORD', 'IMAGE_PDQ')),
        value        text NOT NULL,
        quality      smallint,
        commodity    text NOT NULL,
        tlp          text NOT NULL CONSTRAINT node_feed_indicators_tlp_valid CHECK (tlp ${TLP_CHECK}),
        expires_at   timestamptz,
        leaf_index   bigint NOT NULL,
        CONSTRAINT node_feed_indicators_pk PRIMARY KEY (indicator_id, member)
      );

      CREATE TABLE node_alarms (
        id        bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT node_alarms_pk PRIMARY KEY,
        code      text NOT NULL,
        message   text NOT NULL,
        details   jsonb,
        raised_at timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE node_alarms; DROP TABLE node_feed_indicators; DROP TABLE node_state; DROP TABLE node_pseudonyms;
      DROP TABLE node_sightings; DROP TABLE node_batches; DROP TABLE node_pending;
    `);
  }
}
