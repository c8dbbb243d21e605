import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feedback on indicators and the record of what agencies asked.
 *
 * `opinions` keeps every opinion ever given (history is evidence); `opinion_latest` holds each
 * party's current verdict per indicator, so that a party that changes its mind counts once and
 * the aggregate status is one indexed lookup. Each opinion is committed to the log as an
 * `opinion` entry whose `recordSha256` hashes the JCS `record` stored beside it.
 *
 * `access_records` is the access audit (design: every agency request is recorded); each UTC hour
 * of one agency's records is committed to the log as an `access` entry (`access_digests`), so a
 * record cannot be deleted or edited afterwards without the digest failing to recompute.
 */
export class OpinionsAndAccess1764777600000 implements MigrationInterface {
  name = 'OpinionsAndAccess1764777600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE opinions (
        id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT opinions_pk PRIMARY KEY,
        indicator_id  text NOT NULL CONSTRAINT opinions_indicator_fk REFERENCES indicators (id),
        by_party      text NOT NULL CONSTRAINT opinions_by_format CHECK (by_party ~ '^(agency|member):[a-z0-9][a-z0-9-]{1,62}$'),
        analyst       text,
        verdict       text NOT NULL CONSTRAINT opinions_verdict_valid CHECK (verdict IN ('CONFIRMED', 'FALSE_POSITIVE')),
        note          text CONSTRAINT opinions_note_length CHECK (length(note) <= 2000),
        created_at    timestamptz NOT NULL,
        record        text NOT NULL,
        record_sha256 text NOT NULL,
        leaf_index    bigint NOT NULL
      );
      CREATE INDEX opinions_indicator_idx ON opinions (indicator_id, id);

      CREATE TABLE opinion_latest (
        indicator_id text NOT NULL,
        by_party     text NOT NULL,
        verdict      text NOT NULL,
        opinion_id   bigint NOT NULL CONSTRAINT opinion_latest_opinion_fk REFERENCES opinions (id),
        CONSTRAINT opinion_latest_pk PRIMARY KEY (indicator_id, by_party)
      );

      CREATE TABLE access_records (
        id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT access_records_pk PRIMARY KEY,
        at                timestamptz NOT NULL,
        hour              bigint NOT NULL,
        agency            text NOT NULL,
        analyst           text NOT NULL,
        jti               text NOT NULL,
        operation         text NOT NULL,
        fields            text NOT NULL,
        variables_sha256  text NOT NULL,
        returned          integer NOT NULL CONSTRAINT access_records_returned_nonnegative CHECK (returned >= 0),
        outcome           text NOT NULL CONSTRAINT access_records_outcome_valid CHECK (outcome IN ('OK', 'PARTIAL', 'ERROR'))
      );
      CREATE INDEX access_records_agency_hour_idx ON access_records (agency, hour, id);
      CREATE INDEX access_records_at_idx ON access_records (at);

      CREATE TABLE access_digests (
        agency        text NOT NULL,
        hour          bigint NOT NULL,
        count         integer NOT NULL,
        digest_sha256 text NOT NULL,
        leaf_index    bigint NOT NULL,
        CONSTRAINT access_digests_pk PRIMARY KEY (agency, hour)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_digests; DROP TABLE access_records; DROP TABLE opinion_latest; DROP TABLE opinions;`);
  }
}
