import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub-wide token bucket of each rate-limited key (an agency token's jti, `member:<slug>`),
 * shared by every hub process on this database (src/auth/shared-rate-limit.ts): `tokens` as of
 * `updated_at` (ms since epoch), and `granted`, what the last lease took from it (returned by the
 * same statement). UNLOGGED: leases write no WAL (no fsync on a request's way, nothing sent to
 * replicas); after a crash the table is empty, which only lets each key start with a full burst.
 */
export class SharedRateLimits1765296000000 implements MigrationInterface {
  name = 'SharedRateLimits1765296000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_buckets (
        key        text NOT NULL CONSTRAINT rate_limit_buckets_pk PRIMARY KEY CONSTRAINT rate_limit_buckets_key_length CHECK (length(key) <= 200),
        tokens     double precision NOT NULL,
        updated_at bigint NOT NULL,
        granted    double precision NOT NULL
      );
      CREATE INDEX rate_limit_buckets_updated_idx ON rate_limit_buckets (updated_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_buckets`);
  }
}
