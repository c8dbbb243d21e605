import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:net';
import { WildintelError, isWildintelError } from '../kernel/index.js';
import { runOperation, type OperationContext } from './operations.js';

const MAX_BODY = 1 << 20;

/**
 * The hub's operator endpoint: HTTP over a Unix socket in DATA_DIR, mode 0600.
 * The file system is the access control: only the account that runs the hub
 * can connect, as with the Docker or Postgres sockets. It never listens on TCP.
 * Route: POST /ops/<name> with a JSON body → 200 {result} or 4xx/5xx {error:{code,message}}.
 */
export async function startAdminSocket(socketPath: string, ctx: OperationContext): Promise<Server> {
  if (existsSync(socketPath)) {
    // Left by a killed hub, or held by a live one sharing DATA_DIR (possible with a Postgres server).
    if (await answers(socketPath)) throw new WildintelError('DATA_DIR_IN_USE', `another hub is running with DATA_DIR ${path.dirname(socketPath)}: give each hub its own`);
    rmSync(socketPath);
  }
  const server = createServer((req, res) => {
    const name = /^\/ops\/([a-z][a-z0-9.-]{0,63})$/.exec(req.url ?? '')?.[1];
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || name === undefined) return reply(404, { error: { code: 'NOT_FOUND', message: 'POST /ops/<name>' } });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let input: unknown;
      try {
        input = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: { code: 'MALFORMED_REQUEST', message: 'the body is not JSON' } });
      }
      runOperation(ctx, name, input).then(
        (result) => reply(200, { result }),
        (err: unknown) => {
          if (isWildintelError(err)) return reply(400, { error: err.toJSON() });
          ctx.logger.error({ err, operation: name }, 'operator action failed');
          return reply(500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'the action failed; see the hub log' } });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return server;
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
