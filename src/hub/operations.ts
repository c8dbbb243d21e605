import type { DataSource } from 'typeorm';
import type { Database } from '../db/index.js';
import { WildintelError, type Clock, type Logger } from '../kernel/index.js';

/**
 * Operator actions (migrate, enrol a member, issue a token…) are plain functions
 * over the database. The CLI runs them in its own process, or, when a hub holds
 * the embedded database, sends them to that hub's admin socket, which runs the
 * very same function (src/hub/admin-socket.ts). Inputs arrive as JSON and are
 * validated by each operation.
 */
export interface OperationContext {
  readonly database: Database;
  readonly db: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type Operation = (ctx: OperationContext, input: unknown) => Promise<unknown>;

export type OperationErrorCode = 'UNKNOWN_OPERATION';
export class OperationError extends WildintelError<OperationErrorCode> {}

const registry = new Map<string, Operation>();

export function registerOperation(name: string, operation: Operation): void {
  if (registry.has(name)) throw new Error(`operation ${name} is registered twice`);
  registry.set(name, operation);
}

export function runOperation(ctx: OperationContext, name: string, input: unknown): Promise<unknown> {
  const operation = registry.get(name);
  if (operation === undefined) {
    return Promise.reject(new OperationError('UNKNOWN_OPERATION', `no operator action named ${name}`));
  }
  return operation(ctx, input);
}

registerOperation('db.migrate', async (ctx) => ({ applied: await ctx.database.migrate() }));
registerOperation('db.status', async (ctx) => {
  const rows: Array<{ name: string }> = await ctx.db.query(`SELECT name FROM migrations ORDER BY id`);
  return { kind: ctx.database.kind, ready: await ctx.database.isReady(), migrations: rows.map((r) => r.name) };
});
