/**
 * A pg-compatible `Pool` over one embedded PGlite instance, for TypeORM's
 * postgres driver (`driver` option).
 *
 * Why not typeorm-pglite: it hands every query runner the same PGlite session
 * with no lock, so one request's ROLLBACK silently discards another request's
 * insert (reproduced in shared/research/stack.md §2.1). PGlite is a single
 * Postgres backend: a session *is* the database. So this pool behaves like a
 * pg pool of size 1: `connect()` waits until no other client holds the session
 * and the client owns it until `release()`. Transactions therefore never
 * interleave, and code inside a transaction must use that transaction's
 * EntityManager (as with any pool of size 1).
 *
 * Two details matter (both found by running TypeORM against it): a client's
 * `query` answers either through the callback or through the returned promise,
 * never both, or a rejection goes unhandled and Node exits; and parameterless
 * multi-statement SQL (migrations) must go through `exec`.
 */
import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

type Callback<T> = (err: Error | null, result?: T) => void;

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Array<{ name: string; dataTypeID: number }>;
}

/** A FIFO lock: the holder owns the PGlite session until it calls the returned release. */
class SessionLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return acquired;
  }
}

export class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(sql: string | { text: string; values?: unknown[] }, params?: unknown[] | Callback<PgResult>, callback?: Callback<PgResult>): Promise<PgResult> | undefined {
    const text = typeof sql === 'string' ? sql : sql.text;
    const values = typeof params === 'function' ? (typeof sql === 'string' ? undefined : sql.values) : (params ?? (typeof sql === 'string' ? undefined : sql.values));
    const cb = typeof params === 'function' ? params : callback;
    const run = this.run(text, values);
    if (cb === undefined) return run;
    run.then((r) => cb(null, r), (e: Error) => cb(e));
    return undefined;
  }

  private async run(text: string, values: unknown[] | undefined): Promise<PgResult> {
    if (values === undefined || values.length === 0) {
      // exec runs several statements (migrations) and returns one result per statement.
      const results = await this.db.exec(text);
      return toPgResult(text, results[results.length - 1]);
    }
    return toPgResult(text, await this.db.query(text, values));
  }

  release(): void {
    // Replaced per checkout by PGlitePool.connect.
  }
}

function toPgResult(text: string, result: Results | undefined): PgResult {
  const rows = result?.rows ?? [];
  return {
    rows,
    rowCount: result?.affectedRows ?? rows.length,
    command: commandOf(text),
    fields: (result?.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
}

function commandOf(sql: string): string {
  const match = /^\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)/.exec(sql);
  return (match?.[1] ?? '').toUpperCase();
}

export interface PGlitePoolOptions {
  pglite: PGlite;
}

/** The subset of pg.Pool that TypeORM's postgres driver calls. */
export class PGlitePool extends EventEmitter {
  private readonly lock = new SessionLock();
  private ended = false;

  constructor(private readonly options: PGlitePoolOptions) {
    super();
  }

  connect(callback?: (err: Error | undefined, client?: PGliteClient, release?: (err?: unknown) => void) => void): Promise<PGliteClient> | undefined {
    const checkout = this.checkout();
    if (callback === undefined) return checkout.then(({ client }) => client);
    checkout.then(({ client, release }) => callback(undefined, client, release), (e: Error) => callback(e));
    return undefined;
  }

  private async checkout(): Promise<{ client: PGliteClient; release: () => void }> {
    if (this.ended) throw new Error('PGlite pool has ended');
    const unlock = await this.lock.acquire();
    const client = new PGliteClient(this.options.pglite);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      unlock();
    };
    client.release = release;
    return { client, release };
  }

  async query(sql: string, params?: unknown[]): Promise<PgResult> {
    const { client, release } = await this.checkout();
    try {
      return (await client.query(sql, params ?? []))!;
    } finally {
      release();
    }
  }

  end(callback?: (err?: Error) => void): Promise<void> | undefined {
    this.ended = true;
    // The PGlite instance is owned and closed by whoever created it (openDatabase).
    if (callback === undefined) return Promise.resolve();
    callback();
    return undefined;
  }
}

/** What TypeORM receives as `driver`: a module-like object with a Pool class bound to one PGlite. */
export function pgliteDriverFor(pglite: PGlite): { Pool: new () => PGlitePool } {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super({ pglite });
      }
    },
  };
}
