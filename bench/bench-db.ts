import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_BENCH_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, uniquely named Postgres database for one benchmark; dropped by `drop()`. */
export async function createBenchDatabase(server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_BENCH_SERVER): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wildintel_bench_${randomBytes(4).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
