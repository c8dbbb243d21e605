import { createServerDatabase } from '../src/db/test-database.js';

export const DEFAULT_BENCH_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, uniquely named Postgres database for one benchmark; dropped by `drop()`. */
export function createBenchDatabase(server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_BENCH_SERVER): Promise<{ url: string; drop(): Promise<void> }> {
  return createServerDatabase(server, 'wildintel_bench');
}
