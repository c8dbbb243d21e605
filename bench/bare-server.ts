/**
 * Baseline for the `indicator(id)` benchmark: a bare Node HTTP server with a pg pool answering
 * the same lookup (the same SQL as the hub's store, for the same token's visibility) as JSON,
 * with nothing else: no GraphQL, no token verification, no access audit, no logging. Run as a child process by bench/graphql.ts.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { findIndicator, type Visibility } from '../src/indicators/index.js';

/** The visibility of the hub's benchmark token (AMBER, indicators:read), so both run the same SQL. */
const visibility = (): Visibility => ({ tlps: ['CLEAR', 'GREEN', 'AMBER'], commodities: null, types: ['KEYWORD', 'IMAGE_PDQ', 'IMAGE_SHA256'], ownMember: null, now: new Date() });

const pool = new pg.Pool({ connectionString: process.env['BENCH_DATABASE_URL'], max: 10 });
const db = { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows };

const server = createServer((req, res) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
  findIndicator(db, id, visibility()).then(
    (record) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ indicator: record && { id: record.id, type: record.type, value: record.value, sightingCount: record.sightingCount } }));
    },
    () => res.writeHead(500).end(),
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
