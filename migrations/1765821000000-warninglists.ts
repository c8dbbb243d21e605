import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Warninglists the federation operator published (src/guards/warninglist-store.ts): every version
 * kept, the highest of a name in effect. `sha256` is what the `warninglist` log entry at
 * `leaf_index` commits to (base64url SHA-256 of the RFC 8785 JSON of the list).
 */
export class Warninglists1765821000000 implements MigrationInterface {
  name = 'Warninglists1765821000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE warninglists (
        name         text NOT NULL,
        version      bigint NOT NULL CONSTRAINT warninglists_version_positive CHECK (version > 0),
        kind         text NOT NULL CONSTRAINT warninglists_kind_known CHECK (kind IN ('phrases', 'generic')),
        description  text NOT NULL,
        entries      jsonb NOT NULL,
        sha256       text NOT NULL,
        leaf_index   bigint NOT NULL,
        published_at timestamptz NOT NULL,
        CONSTRAINT warninglists_pk PRIMARY KEY (name, version)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE warninglists`);
  }
}
