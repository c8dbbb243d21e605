/**
 * Gives each test file a database of its own: a new uniquely named database on
 * the Postgres server named by TEST_DATABASE_URL (or DATABASE_URL), or a fresh
 * PGlite directory when neither is set. Dropped by `drop()`.
 * Test support only: production code never imports this file.
 */
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrations as hubMigrations } from '../../migrations/index.js';
import { openDatabase, type Database, type DatabaseOptions } from './database.js';
import { testServerUrl } from './test-server.js';

export { onlyInPass, testServerUrl } from './test-server.js';

export interface TestDatabase {
  readonly database: Database;
  /** Options that open the same database again (e.g. for a hub process the test spawns). */
  readonly options: DatabaseOptions;
  /** Environment variables that point a child process at this database. */
  readonly env: Record<string, string>;
  /** Closes the database and drops it. */
  drop(): Promise<void>;
}

export async function createTestDatabase({ migrate = true, migrations }: { migrate?: boolean; migrations?: DatabaseOptions['migrations'] } = {}): Promise<TestDatabase> {
  const server = testServerUrl();
  return server === undefined ? createPgliteTestDatabase(migrate, migrations) : createPostgresTestDatabase(server, migrate, migrations);
}

/**
 * Makes a database (or data dir) for a child process to open, without opening it here. An
 * embedded one is already migrated with `migrations` (the hub's by default), as a hub or node
 * that ran before would have left it; `{ fresh: true }` leaves the data dir empty instead.
 */
export async function reserveTestDatabase({ migrations, fresh = false }: { migrations?: MigrationList; fresh?: boolean } = {}): Promise<{ options: DatabaseOptions; env: Record<string, string>; drop(): Promise<void> }> {
  const server = testServerUrl();
  if (server === undefined) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'wildintel-test-'));
    if (!fresh) await seedPgliteDataDir(dataDir, migrations);
    return { options: { dataDir }, env: { DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const { url, drop } = await createServerDatabase(server);
  return { options: { databaseUrl: url, dataDir: tmpdir() }, env: { DATABASE_URL: url }, drop };
}

async function createPgliteTestDatabase(migrate: boolean, migrations: DatabaseOptions['migrations']): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'wildintel-test-'));
  const options: DatabaseOptions = { dataDir, ...(migrations ? { migrations } : {}) };
  if (migrate) await seedPgliteDataDir(dataDir, migrations);
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

type MigrationList = NonNullable<DatabaseOptions['migrations']>;

/**
 * Copies a migrated embedded database into `dataDir`: PGlite's initdb, in WebAssembly, takes
 * about 4 s of CPU, a copy of its result a tenth of a second, and the suite makes a database
 * per test file and per process it starts. One template per migration list (keyed by PGlite's
 * version and the migrations' code, so a changed migration makes a new one) is built once under
 * the system's temporary folder, concurrently safe: built aside, then renamed into place.
 */
export async function seedPgliteDataDir(dataDir: string, migrations: MigrationList = hubMigrations): Promise<void> {
  const template = await pgliteTemplate(migrations);
  await cp(template, path.join(dataDir, 'pglite'), { recursive: true });
}

async function pgliteTemplate(migrations: MigrationList): Promise<string> {
  const pgliteVersion = (JSON.parse(await readFile(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(pgliteVersion).update(migrations.map((m) => m.toString()).join('\n')).digest('hex').slice(0, 16);
  const root = path.join(tmpdir(), 'wildintel-pglite-templates');
  const template = path.join(root, key, 'pglite');
  if (await exists(template)) return template;
  await mkdir(root, { recursive: true });
  const building = await mkdtemp(path.join(root, `${key}-building-`));
  try {
    const database = await openDatabase({ dataDir: building, migrations }, { migrate: true });
    await database.close();
    await rm(path.join(building, 'pglite.pid'), { force: true });
    await rename(building, path.join(root, key)).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
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
