/**
 * Member nodes for end-to-end tests: each gets its own database (a Postgres database or a PGlite
 * directory), its member key and certificate from the test federation, the federation's shared
 * pseudonym key file, and a platform API key. Nodes run in this process (startNode) or as a real
 * child process (spawnWildintel(['node'], …)).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { reserveTestDatabase } from '../../src/db/test-database.js';
import { createLogger, systemRandom, type Logger } from '../../src/kernel/index.js';
import { newApiKey, newPseudonymKeyFile, startNode, type RunningNode } from '../../src/node/index.js';
import type { TestFederation, TestMember } from './federation.js';
import { startTestFederation } from './federation.js';

export interface NodeFixture {
  readonly env: Record<string, string>;
  readonly apiKey: string;
  start(logger: Logger): Promise<RunningNode>;
  cleanup(): Promise<void>;
}

/** A pseudonym key file every member of a test federation shares. */
export async function sharedPseudonymKey(dir: string): Promise<string> {
  const file = path.join(dir, 'pseudonym-key.json');
  await writeFile(file, newPseudonymKeyFile('2026-01', systemRandom), { mode: 0o600 });
  return file;
}

export async function nodeFixture(fed: TestFederation, member: TestMember, pseudonymFile: string, extra: Record<string, string> = {}): Promise<NodeFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), `wildintel-node-${member.slug}-`));
  const reserved = await reserveTestDatabase({ migrations: nodeMigrations });
  const { key, line } = newApiKey('pipeline', systemRandom);
  await writeFile(path.join(dir, 'key.pem'), member.keyPem, { mode: 0o600 });
  await writeFile(path.join(dir, 'cert.pem'), member.certPem);
  await writeFile(path.join(dir, 'api-keys'), `${line}\n`, { mode: 0o600 });
  const env: Record<string, string> = {
    ...reserved.env,
    DATA_DIR: reserved.env['DATA_DIR'] ?? path.join(dir, 'data'),
    HOST: '127.0.0.1',
    NODE_PORT: '0',
    NODE_KEY_FILE: path.join(dir, 'key.pem'),
    NODE_CERT_FILE: path.join(dir, 'cert.pem'),
    NODE_API_KEYS_FILE: path.join(dir, 'api-keys'),
    PSEUDONYM_KEYS_FILE: pseudonymFile,
    ROOT_CA_CERT: path.join(fed.certsDir, 'dev/root.pem'),
    HUB_URL: fed.hub.url,
    HUB_AUDIENCE: fed.config.HUB_ORIGIN,
    DEFAULT_PHONE_REGION: 'CN',
    NODE_BATCH_DELAY_MS: '20',
    NODE_FEED_INTERVAL_MS: '100',
    NODE_RETRY_BASE_MS: '50',
    NODE_RETRY_MAX_MS: '400',
    LOG_LEVEL: 'info',
    ...extra,
  };
  return {
    env,
    apiKey: key,
    start: (logger) => startNode({ config: loadConfig(env), logger }),
    async cleanup() {
      await reserved.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to a node's platform API with its key; the status and parsed body. */
export async function callNode(url: string, apiKey: string | undefined, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A generated PNG with strong low-frequency structure (a grid of cells of pseudo-random colour),
 * so that PDQ has stable bits: its dihedral hashes find a rotated, re-encoded copy.
 */
export async function testPicture(seed = 1): Promise<Buffer> {
  const size = 256;
  const cell = 32;
  const data = Buffer.alloc(size * size * 3);
  let s = seed;
  const cells = Array.from({ length: (size / cell) ** 2 * 3 }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % 256;
  });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = (Math.floor(y / cell) * (size / cell) + Math.floor(x / cell)) * 3;
      data.set([cells[c]!, cells[c + 1]!, cells[c + 2]!], (y * size + x) * 3);
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

/** Every row of every table of a database, as text: what a privacy check searches. */
export async function dumpDatabase(db: { query(sql: string, params?: unknown[]): Promise<unknown> }): Promise<string> {
  const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)) as Array<{ table_name: string }>;
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = (await db.query(`SELECT t::text AS row FROM "${table_name}" t`)) as Array<{ row: string }>;
    parts.push(`# ${table_name}\n${rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

/** A JSON logger whose lines are kept in memory, to search them. */
export function capturingLogger(): { logger: Logger; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('debug', stream), text: () => chunks.join('') };
}

/** A test federation with one member, `shopmart`, and its node fixture (started in this process unless `start: false`). */
export async function federationWithNode(options: { nodeEnv?: Record<string, string>; start?: boolean } = {}): Promise<{
  fed: TestFederation;
  fixture: NodeFixture;
  node: RunningNode | undefined;
  pseudonymFile: string;
  close(): Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-fed-node-'));
  const fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
  const pseudonymFile = await sharedPseudonymKey(dir);
  const fixture = await nodeFixture(fed, await fed.addMember('shopmart'), pseudonymFile, options.nodeEnv);
  const node = options.start === false ? undefined : await fixture.start(createLogger('silent'));
  return {
    fed,
    fixture,
    node,
    pseudonymFile,
    async close() {
      await node?.stop();
      await fixture.cleanup();
      await fed.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every spelling of each raw value that could leak: as is, lower case, hex, base64 and base64url. */
export function rawSpellings(raws: readonly string[]): string[] {
  return raws.flatMap((raw) => [raw, raw.toLowerCase(), Buffer.from(raw).toString('hex'), Buffer.from(raw).toString('base64'), Buffer.from(raw).toString('base64url')]);
}

/** Fails naming the place and the spelling when any place's text holds any spelling. */
export function assertNoneIn(places: ReadonlyArray<readonly [string, string]>, spellings: readonly string[]): void {
  for (const [where, text] of places) {
    for (const raw of spellings) if (text.includes(raw)) throw new Error(`${where} holds ${raw}`);
  }
}
