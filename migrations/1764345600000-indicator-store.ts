import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indicator store: members, batches, indicators and their sightings.
 *
 * An indicator is identified by the content address of {type, value} (design:
 * "Identity of an indicator"), so the same keyword published by two members is
 * one row with two sightings; cross-platform correlation is a join on it.
 * Sightings are never deleted: a retraction marks them (retracted_at, retracted_by).
 * `seq` gives indicators a stable, gap-tolerant order for cursor pagination.
 * Plain SQL that runs on Postgres 15 and on PGlite (Postgres 18).
 */
export class IndicatorStore1764345600000 implements MigrationInterface {
  name = 'IndicatorStore1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE members (
        slug        text PRIMARY KEY CONSTRAINT members_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name        text NOT NULL CONSTRAINT members_name_length CHECK (length(name) BETWEEN 1 AND 200),
        status      text NOT NULL DEFAULT 'active' CONSTRAINT members_status_valid CHECK (status IN ('active', 'suspended')),
        enrolled_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE batches (
        member          text NOT NULL CONSTRAINT batches_member_fk REFERENCES members (slug),
        batch_id        uuid NOT NULL,
        tlp             text NOT NULL CONSTRAINT batches_tlp_valid CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')),
        created_at      timestamptz NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        indicator_count integer NOT NULL CONSTRAINT batches_count_nonnegative CHECK (indicator_count >= 0),
        jws             text NOT NULL,
        jws_sha256      text NOT NULL,
        CONSTRAINT batches_pk PRIMARY KEY (member, batch_id)
      );
      CREATE INDEX batches_received_at_idx ON batches (received_at);

      CREATE TABLE indicators (
        id         text PRIMARY KEY CONSTRAINT indicators_id_format CHECK (id ~ '^[A-Za-z0-9_-]{43}$'),
        seq        bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT indicators_seq_unique UNIQUE,
        type       text NOT NULL CONSTRAINT indicators_type_valid CHECK (type IN ('KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256')),
        value      text NOT NULL,
        quality    smallint CONSTRAINT indicators_quality_range CHECK (quality BETWEEN 0 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT indicators_type_value_unique UNIQUE (type, value)
      );
      CREATE INDEX indicators_type_seq_idx ON indicators (type, seq);

      CREATE TABLE sightings (
        id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT sightings_pk PRIMARY KEY,
        indicator_id   text NOT NULL CONSTRAINT sightings_indicator_fk REFERENCES indicators (id),
        member         text NOT NULL,
        batch_id       uuid NOT NULL,
        observed_at    timestamptz NOT NULL,
        commodity      text NOT NULL CONSTRAINT sightings_commodity_valid CHECK (commodity IN
                         ('IVORY', 'RHINO_HORN', 'PANGOLIN', 'TIGER', 'LEOPARD', 'TURTLE_TORTOISE', 'BIRD', 'PRIMATE', 'REPTILE', 'OTHER')),
        species        text,
        purpose        text CONSTRAINT sightings_purpose_valid CHECK (purpose IN ('DECORATION', 'PET', 'MEDICINE', 'FOOD', 'OTHER')),
        confidence     smallint NOT NULL CONSTRAINT sightings_confidence_range CHECK (confidence BETWEEN 0 AND 100),
        tlp            text NOT NULL CONSTRAINT sightings_tlp_valid CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')),
        expires_at     timestamptz,
        context        jsonb,
        original_text  text,
        retracted_at   timestamptz,
        retracted_by   uuid,
        retract_reason text,
        CONSTRAINT sightings_batch_fk FOREIGN KEY (member, batch_id) REFERENCES batches (member, batch_id),
        CONSTRAINT sightings_once_per_batch UNIQUE (member, batch_id, indicator_id)
      );
      CREATE INDEX sightings_indicator_idx ON sightings (indicator_id);
      CREATE INDEX sightings_member_observed_idx ON sightings (member, observed_at);
      CREATE INDEX sightings_commodity_observed_idx ON sightings (commodity, observed_at);
      CREATE INDEX sightings_observed_idx ON sightings (observed_at);
      CREATE INDEX sightings_live_member_indicator_idx ON sightings (member, indicator_id) WHERE retracted_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sightings; DROP TABLE indicators; DROP TABLE batches; DROP TABLE members;`);
  }
}
