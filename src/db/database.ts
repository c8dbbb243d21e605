import { existsSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { MigrationInterface } from 'typeorm';
import { migrations as hubMigrations } from '../../migrations/index.js';
import { DatabaseError } from './errors.js';
import { lockDataDir } from './embedded-lock.js';
import { pgliteDriverFor } from './pglite-pool.js';
import { makePrivateDir } from './private-dir.js';

export interface DatabaseOptions {
  /** A Postgres server; when absent, the embedded PGlite under `dataDir`. */
  databaseUrl?: string | undefined;
  /** Where the embedded database lives (ignored with a databaseUrl). `memory://` keeps it in memory. */
  dataDir: string;
  /** Connections to a Postgres server. */
  poolSize?: number;
  /**
   * A streaming replica of `databaseUrl` for the read-only query path (DATABASE_READ_URL); checked
   * at open to be a hot standby of the same cluster and the same database (`INVALID_REPLICA`).
   */
  readUrl?: string | undefined;
  /** The process role's migrations (each role has its own schema); the hub's by default. */
  migrations?: ReadonlyArray<new () => MigrationInterface>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly kind: DatabaseKind;
  readonly dataSource: DataSource;
  /** The read replica's connections (DATABASE_READ_URL), when one is configured; read-routing.ts decides what runs there. */
  readonly replica: DataSource | undefined;
  /** Applies pending migrations; returns the names it applied. */
  migrate(): Promise<string[]>;
  /** True when the database answers and no migration is pending. */
  isReady(): Promise<boolean>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (from any process on a server). Returns the
   * function that stops listening. On a server the listener has its own connection, which it
   * re-opens after a failure; a caller that must not miss anything also polls.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Opens (and, with `migrate`, migrates) the database a process role uses. */
export async function openDatabase(options: DatabaseOptions, { migrate = false }: { migrate?: boolean } = {}): Promise<Database> {
  const list = options.migrations ?? hubMigrations;
  if (options.readUrl !== undefined && !options.databaseUrl) {
    throw new DatabaseError('INVALID_REPLICA', 'a read replica (DATABASE_READ_URL) needs a Postgres primary (DATABASE_URL): the embedded database has no replicas');
  }
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl, options.poolSize ?? 10, list, options.readUrl) : await openPglite(options.dataDir, list);
  if (migrate) {
    try {
      await database.migrate();
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  // PGlite restores some files of a new cluster with their own modes (chmod, which no umask narrows).
  if (!options.databaseUrl && !options.dataDir.startsWith('memory://')) makePrivateDir(options.dataDir);
  return database;
}

type MigrationList = ReadonlyArray<new () => MigrationInterface>;

function baseOptions(migrations: MigrationList): Pick<DataSourceOptions, 'migrations' | 'migrationsTableName' | 'synchronize' | 'logging'> & { installExtensions: false } {
  return {
    migrations: [...migrations],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    // Extensions need superuser on a server and do not exist in PGlite; migrations use built-ins only.
    installExtensions: false,
  };
}

async function openPostgres(url: string, poolSize: number, migrations: MigrationList, readUrl: string | undefined): Promise<Database> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    ...baseOptions(migrations),
    // With a replica, reads wait for the primary's flushed WAL (read-routing.ts): every commit this
    // hub acknowledges must be flushed first, whatever the server's default.
    extra: { max: poolSize, connectionTimeoutMillis: 5000, ...(readUrl === undefined ? {} : { options: '-c synchronous_commit=on' }) },
  });
  try {
    await dataSource.initialize();
  } catch (cause) {
    throw new DatabaseError('DATABASE_UNREACHABLE', `cannot connect to ${describeUrl(url)}: ${reasonOf(cause)}`, { cause });
  }
  let replica: DataSource | undefined;
  try {
    replica = readUrl === undefined ? undefined : await openReplica(dataSource, readUrl, poolSize);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  const close = async (): Promise<void> => {
    await replica?.destroy();
    await dataSource.destroy();
  };
  return wrap('postgres', dataSource, close, (channel, onNotify) => listenOnServer(url, channel, onNotify), replica);
}

/**
 * uuid-ossp: the hub's stored STIX ids (migrations/1766400000000-stix-id-columns.ts), loaded
 * only where a migration creates it. shared_buffers: PGlite's default of 160 MB is allocated in
 * its WebAssembly memory at start and touched, so it was a third of an idle hub's resident
 * memory; its files are read through the operating system's page cache anyway, which holds
 * them once for every process. 32 MB took an idle PGlite from 305 to 166 MB (docs/scaling.md).
 */
const PGLITE_OPTIONS = { extensions: { uuid_ossp }, postgresqlconf: ['shared_buffers=32MB'] };

/**
 * Creates the cluster in a PGlite of its own, closed at once: initdb's WebAssembly instance and
 * its memory (about 400 MB) then belong to an object nothing refers to, which the next collection
 * frees, instead of staying reachable from the PGlite the process keeps (a fresh hub idled at
 * 760 MB, the same hub restarted at 290 MB).
 */
async function initPglite(dir: string): Promise<void> {
  const init = new PGlite(dir, PGLITE_OPTIONS);
  await init.waitReady;
  await init.close();
}

async function openPglite(dataDir: string, migrations: MigrationList): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) makePrivateDir(dataDir);
  const unlock = inMemory ? () => undefined : lockDataDir(dataDir);
  let pglite: PGlite | undefined;
  try {
    const dir = inMemory ? dataDir : path.join(dataDir, 'pglite');
    if (!inMemory && !existsSync(path.join(dir, 'PG_VERSION'))) await initPglite(dir);
    pglite = new PGlite(dir, PGLITE_OPTIONS);
    await pglite.waitReady;
    const dataSource = new DataSource({ type: 'postgres', driver: pgliteDriverFor(pglite), ...baseOptions(migrations) });
    await dataSource.initialize();
    const owned = pglite;
    return wrap(
      'pglite',
      dataSource,
      async () => {
        await dataSource.destroy();
        await owned.close();
        unlock();
      },
      async (channel, onNotify) => {
        const stop = await owned.listen(channel, onNotify);
        return async () => {
          if (!owned.closed) await stop();
        };
      },
      undefined,
    );
  } catch (err) {
    await pglite?.close().catch(() => undefined);
    unlock();
    throw err;
  }
}

type Listen = Database['listen'];

/** A dedicated connection for LISTEN, re-opened (and re-subscribed) after an error. */
async function listenOnServer(url: string, channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnect = (): void => {
    if (!stopped) retry = setTimeout(() => void connect().catch(reconnect), 1000);
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel) onNotify(n.payload ?? '');
    });
    c.on('error', () => {
      c.end().catch(() => undefined);
      reconnect();
    });
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

function wrap(kind: DatabaseKind, dataSource: DataSource, close: () => Promise<void>, listen: Listen, replica: DataSource | undefined): Database {
  let closing: Promise<void> | undefined;
  return {
    kind,
    dataSource,
    replica,
    listen,
    async migrate() {
      const applied = kind === 'postgres' ? await migrateExclusively(dataSource) : await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((m) => m.name);
    },
    async isReady() {
      try {
        return !(await dataSource.showMigrations());
      } catch {
        return false;
      }
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}

/**
 * Connects to the replica and checks that it is what DATABASE_READ_URL promises: a hot standby
 * (or the primary itself, e.g. through a pooler) of the same cluster (`system_identifier`, the
 * same for every copy made by pg_basebackup) and the same database. Anything else would answer
 * reads from other data, so the hub refuses to start.
 */
async function openReplica(primary: DataSource, readUrl: string, poolSize: number): Promise<DataSource> {
  const replica = new DataSource({ type: 'postgres', url: readUrl, synchronize: false, logging: false, installExtensions: false, extra: { max: poolSize, connectionTimeoutMillis: 2000 } } as DataSourceOptions);
  try {
    await replica.initialize();
  } catch (cause) {
    throw new DatabaseError('DATABASE_UNREACHABLE', `cannot connect to the read replica, ${describeUrl(readUrl)} (DATABASE_READ_URL): ${reasonOf(cause)}`, { cause });
  }
  try {
    const ours = await clusterIdentity(primary);
    const theirs = await clusterIdentity(replica);
    // pg_control_system() may be withheld from the hub's role: then the database name alone is compared.
    if (ours.cluster !== undefined && theirs.cluster !== undefined && theirs.cluster !== ours.cluster) {
      throw new DatabaseError('INVALID_REPLICA', `DATABASE_READ_URL (${describeUrl(readUrl)}) is not a replica of DATABASE_URL: another Postgres cluster (system identifier ${theirs.cluster} ≠ ${ours.cluster})`);
    }
    if (theirs.name !== ours.name) {
      throw new DatabaseError('INVALID_REPLICA', `DATABASE_READ_URL names database ${theirs.name}, DATABASE_URL ${ours.name}: they must be the same database`);
    }
    return replica;
  } catch (err) {
    await replica.destroy();
    throw err;
  }
}

async function clusterIdentity(db: DataSource): Promise<{ name: string; cluster: string | undefined }> {
  const [row]: Array<{ name: string }> = await db.query(`SELECT current_database() AS name`);
  const cluster = await db.query(`SELECT system_identifier::text AS id FROM pg_control_system()`).then(
    (rows: Array<{ id: string }>) => rows[0]?.id,
    () => undefined,
  );
  return { name: row?.name ?? '', cluster };
}

/** Any number: the same for every process, so that hubs starting at once on one database take turns. */
const MIGRATION_LOCK = 0x77696c64;

/**
 * Several hub processes start at once on one Postgres database (`--workers`, a load balancer's
 * pool): each applies pending migrations under a session advisory lock held on a connection of its
 * own, so one applies them and the others then find nothing pending.
 */
async function migrateExclusively(dataSource: DataSource): Promise<Array<{ name: string }>> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    return await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await lock.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `Postgres at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'Postgres (DATABASE_URL)';
  }
}

function reasonOf(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return reasonOf(cause.errors[0]);
  const err = cause as { code?: string; message?: string };
  return err.message && err.message.length > 0 ? err.message : (err.code ?? 'unknown error');
}
