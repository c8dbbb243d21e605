import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21: observations name their listing; the node publishes only its pseudonym (lp1.…) and
 * keeps raw listing id → pseudonym in the vault beside seller identifiers, as kind `listing`.
 */
export class ListingPseudonyms1765810000000 implements MigrationInterface {
  name = 'ListingPseudonyms1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE node_pseudonyms DROP CONSTRAINT node_pseudonyms_kind_valid;
      ALTER TABLE node_pseudonyms ADD CONSTRAINT node_pseudonyms_kind_valid CHECK (kind IN ('phone', 'email', 'account', 'chat', 'payment', 'url', 'listing'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM node_pseudonyms WHERE kind = 'listing';
      ALTER TABLE node_pseudonyms DROP CONSTRAINT node_pseudonyms_kind_valid;
      ALTER TABLE node_pseudonyms ADD CONSTRAINT node_pseudonyms_kind_valid CHECK (kind IN ('phone', 'email', 'account', 'chat', 'payment', 'url'));
    `);
  }
}
