import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { nodeSocketPath, type Config } from '../config/index.js';
import { WildintelError } from '../kernel/index.js';

export type NodeReply = { reached: false } | { reached: true; status: number; body: unknown };

/** A request to the running node over its Unix socket; `reached: false` when none runs. */
export function callNode(config: Readonly<Config>, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<NodeReply> {
  const socketPath = nodeSocketPath(config.DATA_DIR);
  if (!existsSync(socketPath)) return Promise.resolve({ reached: false });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath, method, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ reached: true, status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    // A socket file with no node behind it (the node was killed) means: work on the database here.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? resolve({ reached: false }) : reject(err)));
    req.end(payload);
  });
}

export function replyOrThrow<T>(reply: Extract<NodeReply, { reached: true }>): T {
  if (reply.status === 200) return reply.body as T;
  const error = (reply.body as { error?: { code?: string; message?: string; index?: number } }).error;
  throw new WildintelError(error?.code ?? 'NODE_ERROR', error?.message ?? `the node answered HTTP ${reply.status}`, error?.index === undefined ? {} : { details: { index: error.index } });
}
