import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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
  /** The process role's migrations (each role has its own schema); the hub's by default. */
  migrations?: ReadonlyArray<new () => MigrationInterface>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly kind: DatabaseKind;
  readonly dataSource: DataSource;
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
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl, options.poolSize ?? 10, list) : await openPglite(options.dataDir, list);
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

async function openPostgres(url: string, poolSize: number, migrations: MigrationList): Promise<Database> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    ...baseOptions(migrations),
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
  try {
    await dataSource.initialize();
  } catch (cause) {
    throw new DatabaseError('DATABASE_UNREACHABLE', `cannot connect to ${describeUrl(url)}: ${reasonOf(cause)}`, { cause });
  }
  return wrap('postgres', dataSource, async () => dataSource.destroy(), (channel, onNotify) => listenOnServer(url, channel, onNotify));
}

async function openPglite(dataDir: string, migrations: MigrationList): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) makePrivateDir(dataDir);
  const unlock = inMemory ? () => undefined : lockDataDir(dataDir);
  let pglite: PGlite | undefined;
  try {
    pglite = new PGlite(inMemory ? dataDir : path.join(dataDir, 'pglite'));
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

function wrap(kind: DatabaseKind, dataSource: DataSource, close: () => Promise<void>, listen: Listen): Database {
  let closing: Promise<void> | undefined;
  return {
    kind,
    dataSource,
    listen,
    async migrate() {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
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
