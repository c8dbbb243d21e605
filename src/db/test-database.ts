/**
 * Gives each test file a database of its own: a new uniquely named database on
 * the Postgres server named by TEST_DATABASE_URL (or DATABASE_URL), or a fresh
 * PGlite directory when neither is set. Dropped by `drop()`.
 * Test support only: production code never imports this file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseOptions } from './database.js';

export interface TestDatabase {
  readonly database: Database;
  /** Options that open the same database again (e.g. for a hub process the test spawns). */
  readonly options: DatabaseOptions;
  /** Environment variables that point a child process at this database. */
  readonly env: Record<string, string>;
  /** Closes the database and drops it. */
  drop(): Promise<void>;
}

export function testServerUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

export async function createTestDatabase({ migrate = true, migrations }: { migrate?: boolean; migrations?: DatabaseOptions['migrations'] } = {}): Promise<TestDatabase> {
  const server = testServerUrl();
  return server === undefined ? createPgliteTestDatabase(migrate, migrations) : createPostgresTestDatabase(server, migrate, migrations);
}

/** Makes an empty database (or data dir) for a child process to open, without opening it here. */
export async function reserveTestDatabase(): Promise<{ options: DatabaseOptions; env: Record<string, string>; drop(): Promise<void> }> {
  const server = testServerUrl();
  if (server === undefined) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'wildintel-test-'));
    return { options: { dataDir }, env: { DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const { url, drop } = await createServerDatabase(server);
  return { options: { databaseUrl: url, dataDir: tmpdir() }, env: { DATABASE_URL: url }, drop };
}

async function createPgliteTestDatabase(migrate: boolean, migrations: DatabaseOptions['migrations']): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'wildintel-test-'));
  const options: DatabaseOptions = { dataDir, ...(migrations ? { migrations } : {}) };
  const database = await openDatabase(options, { migrate });
  return {
    database,
    options,
    env: { DATA_DIR: dataDir },
    async drop() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function createPostgresTestDatabase(server: string, migrate: boolean, migrations: DatabaseOptions['migrations']): Promise<TestDatabase> {
  const { url, drop: dropDatabase } = await createServerDatabase(server);
  const options: DatabaseOptions = { databaseUrl: url, dataDir: tmpdir(), poolSize: 5, ...(migrations ? { migrations } : {}) };
  const database = await openDatabase(options, { migrate });
  return {
    database,
    options,
    env: { DATABASE_URL: url },
    async drop() {
      await database.close();
      await dropDatabase();
    },
  };
}

function uniqueName(prefix = 'wildintel_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A new, uniquely named database on a Postgres server (tests, benchmarks); `drop()` removes it. */
export async function createServerDatabase(server: string, prefix?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  await adminQuery(server, `CREATE DATABASE ${name}`);
  return { url: withDatabase(server, name), drop: () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
