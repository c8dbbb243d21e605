import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21: links between indicators come from listings, never from batches. Each sighting may
 * name the listings it was seen in (the signed item's `listings`, pseudonyms only); this table
 * holds one row per (sighting, listing). Two indicators are linked when visible sightings of
 * both name the same listing of the same member (src/indicators/listing-links.ts), so the
 * member is kept beside the listing for that join. Sightings from before the change name none
 * and link nothing: a batch cannot be re-split into the listings it came from.
 */
export class SightingListings1765810000000 implements MigrationInterface {
  name = 'SightingListings1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sighting_listings (
        sighting_id bigint NOT NULL CONSTRAINT sighting_listings_sighting_fk REFERENCES sightings (id),
        member      text NOT NULL,
        listing     text NOT NULL CONSTRAINT sighting_listings_listing_format CHECK (listing ~ '^lp1\\.[a-z0-9][a-z0-9-]{0,31}\\.[A-Za-z0-9_-]{43}$'),
        CONSTRAINT sighting_listings_pk PRIMARY KEY (sighting_id, listing)
      );
      CREATE INDEX sighting_listings_listing_idx ON sighting_listings (member, listing);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sighting_listings`);
  }
}
