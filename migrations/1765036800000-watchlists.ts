import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Watchlists and their alerts (the analyst console, issue 14).
 *
 * A watchlist is a saved search of one agency. It matches new sightings with the entitlement of
 * the token that created it (`owner_*`: its TLP, commodities and scopes, never the token), so an
 * alert is never made from more than that token could read; each alert is shown only to a reading
 * token whose own visibility covers the sighting it names (joined back to `sightings` on read).
 * An alert names one sighting (member, batch, indicator) once per watchlist, so every hub process
 * may match every batch and the rows stay unique. Acknowledgement is per agency.
 */
export class Watchlists1765036800000 implements MigrationInterface {
  name = 'Watchlists1765036800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE watchlists (
        id                uuid NOT NULL DEFAULT gen_random_uuid() CONSTRAINT watchlists_pk PRIMARY KEY,
        agency            text NOT NULL CONSTRAINT watchlists_agency_fk REFERENCES agencies (slug),
        name              text NOT NULL CONSTRAINT watchlists_name_length CHECK (length(name) BETWEEN 1 AND 200),
        criteria          jsonb NOT NULL,
        created_by        text NOT NULL,
        created_jti       text NOT NULL,
        owner_tlp         text NOT NULL CONSTRAINT watchlists_owner_tlp_valid CHECK (owner_tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED')),
        owner_commodities text,
        owner_scopes      text NOT NULL,
        created_at        timestamptz NOT NULL,
        deleted_at        timestamptz
      );
      CREATE INDEX watchlists_live_agency_idx ON watchlists (agency, created_at) WHERE deleted_at IS NULL;

      CREATE TABLE watchlist_alerts (
        id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT watchlist_alerts_pk PRIMARY KEY,
        watchlist_id    uuid NOT NULL CONSTRAINT watchlist_alerts_watchlist_fk REFERENCES watchlists (id),
        indicator_id    text NOT NULL,
        member          text NOT NULL,
        batch_id        uuid NOT NULL,
        leaf_index      bigint NOT NULL,
        reason          text NOT NULL CONSTRAINT watchlist_alerts_reason_valid CHECK (reason IN ('KEYWORD', 'SELLER', 'IMAGE', 'COMMODITY')),
        matched         text,
        distance        smallint,
        created_at      timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        CONSTRAINT watchlist_alerts_sighting_fk FOREIGN KEY (member, batch_id, indicator_id) REFERENCES sightings (member, batch_id, indicator_id),
        CONSTRAINT watchlist_alerts_once UNIQUE (watchlist_id, member, batch_id, indicator_id)
      );
      CREATE INDEX watchlist_alerts_batch_idx ON watchlist_alerts (member, batch_id);
      CREATE INDEX watchlist_alerts_watchlist_idx ON watchlist_alerts (watchlist_id, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE watchlist_alerts; DROP TABLE watchlists;`);
  }
}
