import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agencies and the tokens issued to their analysts (never the token itself: its id, claims and
 * state), and the public halves of the hub's token signing keys, kept after rotation until every
 * token they signed has expired.
 */
export class AgencyTokens1764691200000 implements MigrationInterface {
  name = 'AgencyTokens1764691200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        slug       text PRIMARY KEY CONSTRAINT agencies_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name       text NOT NULL CONSTRAINT agencies_name_length CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL
      );

      CREATE TABLE agency_tokens (
        jti         text PRIMARY KEY,
        agency      text NOT NULL CONSTRAINT agency_tokens_agency_fk REFERENCES agencies (slug),
        sub         text NOT NULL,
        scope       text NOT NULL,
        tlp         text NOT NULL CONSTRAINT agency_tokens_tlp_valid CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')),
        commodities text,
        kid         text NOT NULL,
        issued_at   timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz
      );
      CREATE INDEX agency_tokens_agency_idx ON agency_tokens (agency, issued_at);

      CREATE TABLE token_keys (
        kid        text PRIMARY KEY,
        jwk        text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE token_keys; DROP TABLE agency_tokens; DROP TABLE agencies;`);
  }
}
