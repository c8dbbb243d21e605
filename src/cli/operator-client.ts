import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { adminSocketPath, type Config } from '../config/index.js';
import type { HubServices } from '../hub/index.js';
import { WildintelError, systemClock, type Logger } from '../kernel/index.js';

/**
 * Runs an operator action where the database is: through a running hub's admin
 * socket when one holds the embedded database, otherwise in this process.
 * With a Postgres server, the action always runs here: Postgres serves many
 * processes at once.
 */
export async function operate(config: Readonly<Config>, logger: Logger, name: string, input: unknown = {}): Promise<unknown> {
  const socket = adminSocketPath(config.DATA_DIR);
  if (config.DATABASE_URL === undefined && existsSync(socket)) {
    const viaHub = await callAdminSocket(socket, name, input);
    if (viaHub.reached) return viaHub.result;
  }
  // Loaded only here: through a running hub, the command needs neither.
  const [{ openDatabase }, { createHubServices, runOperation }] = await Promise.all([import('../db/index.js'), import('../hub/index.js')]);
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  let services: Promise<HubServices> | undefined;
  const ctx = { database, db: database.dataSource, clock: systemClock, logger, services: () => (services ??= createHubServices({ config, database, logger, clock: systemClock })) };
  try {
    return await runOperation(ctx, name, input);
  } finally {
    await database.close();
  }
}

type SocketReply = { reached: false } | { reached: true; result: unknown };

function callAdminSocket(socketPath: string, name: string, input: unknown): Promise<SocketReply> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: `/ops/${name}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: unknown; error?: { code: string; message: string; details?: Record<string, unknown> } };
          if (reply.error) {
            reject(new WildintelError(reply.error.code, reply.error.message, reply.error.details ? { details: reply.error.details } : {}));
          } else resolve({ reached: true, result: reply.result });
        });
      },
    );
    // A socket file with no hub behind it (the hub was killed) means: run here.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? resolve({ reached: false }) : reject(err)));
    req.end(body);
  });
}
