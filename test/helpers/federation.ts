/**
 * A real federation for tests: a hub on a fresh database with its own development root CA
 * (in a temporary CERTS_DIR), and members whose keys and certificates are issued by that root
 * and enrolled through the member registry. Everything signs and verifies for real.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/db/test-database.js';
import { startHub, type RunningHub } from '../../src/hub/index.js';
import { createLogger, fixedClock, systemClock, systemRandom, type Clock, type Logger } from '../../src/kernel/index.js';
import { createMemberKeyAndCsr, signMemberCsr } from '../../src/pki/index.js';
import { signBatch, signBatchSdJwt, type BatchPayload } from '../../src/provenance/index.js';
import type { Commodity, Tlp } from '../../src/indicators/index.js';
import { graphql } from './hub-process.js';

export interface TestMember {
  readonly slug: string;
  readonly keyPem: string;
  readonly certPem: string;
}

export interface TestFederation {
  readonly hub: RunningHub;
  readonly db: TestDatabase;
  readonly config: Readonly<Config>;
  readonly certsDir: string;
  readonly rootCertPem: string;
  readonly rootKeyPem: string;
  /** Issues a member certificate from the federation root and enrols it. */
  addMember(slug: string, options?: { enroll?: boolean; validityDays?: number; now?: Date }): Promise<TestMember>;
  /**
   * Signs a batch as `member`: defaults fill in v, batchId, createdAt (now) and tlp (AMBER). Version 1
   * (a JWS) unless `version` is 2 (an SD-JWT with every disclosure, as nodes sign now).
   */
  sign(member: TestMember, payload: Partial<BatchPayload<object>> & { indicators: readonly object[] }, options?: { version?: 1 | 2 }): Promise<string>;
  /** A GraphQL request with a token that may read everything (every read scope, RED). */
  read(query: string, variables?: Record<string, unknown>): ReturnType<typeof graphql>;
  /** Issues a real agency token (agency `customs` unless named) with these scopes and TLP. */
  token(scope: string, options?: { tlp?: Tlp; commodities?: Commodity[]; agency?: string; sub?: string; ttlSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestFederation(options: { clock?: Clock; env?: Record<string, string>; logger?: Logger } = {}): Promise<TestFederation> {
  const clock = options.clock ?? systemClock;
  const certsDir = await mkdtemp(path.join(tmpdir(), 'wildintel-certs-'));
  const db = await createTestDatabase();
  await db.database.close();
  // DATA_DIR holds the hub's admin socket: on a Postgres server it must not default to ./data, which
  // every other hub started by a test (or by someone else in this tree) would share.
  const config = loadConfig({ DATA_DIR: path.join(certsDir, 'data'), ...db.env, PORT: '0', LOG_LEVEL: 'silent', CERTS_DIR: certsDir, ...options.env });
  const hub = await startHub({ config, logger: options.logger ?? createLogger('silent'), clock });
  const rootCertPem = await readFile(path.join(certsDir, 'dev/root.pem'), 'utf8');
  const rootKeyPem = await readFile(path.join(certsDir, 'dev/root-key.pem'), 'utf8');
  let reader: Promise<string> | undefined;
  const token: TestFederation['token'] = async (scope, { tlp = 'AMBER', commodities, agency = 'customs', sub = 'analyst', ttlSeconds = 3600 } = {}) => {
    await hub.services.tokens.addAgency(agency, agency);
    return (await hub.services.tokens.issue({ agency, sub, scope, tlp, ttlSeconds, ...(commodities ? { commodities } : {}) })).token;
  };
  return {
    hub,
    db,
    config,
    certsDir,
    rootCertPem,
    rootKeyPem,
    async addMember(slug, { enroll = true, validityDays, now } = {}) {
      const { keyPem, csrPem } = createMemberKeyAndCsr({ member: slug });
      const certPem = signMemberCsr({ csrPem, ca: { certPem: rootCertPem, keyPem: rootKeyPem }, now: now ?? clock.now(), ...(validityDays ? { validityDays } : {}) });
      if (enroll) await hub.services.members.enroll({ slug, name: slug, certPem });
      return { slug, keyPem, certPem };
    },
    sign(member, payload, { version = 1 } = {}) {
      const batch = { v: version, batchId: randomUUID(), member: member.slug, createdAt: clock.now().toISOString(), tlp: 'AMBER' as const, ...payload };
      const signer = { keyPem: member.keyPem, chainPem: [member.certPem] };
      return version === 2 ? signBatchSdJwt(batch, signer, systemRandom) : signBatch(batch, signer);
    },
    async read(query, variables = {}) {
      reader ??= token('indicators:read sellers:read match:image match:text stats:read provenance:read', { tlp: 'RED', agency: 'test-readers' });
      return graphql(hub.url, query, variables, { authorization: `Bearer ${await reader}` });
    },
    token,
    async close() {
      await hub.stop();
      await db.drop();
      await rm(certsDir, { recursive: true, force: true });
    },
  };
}

export { fixedClock };

/** A valid indicator of each type, for building batches. */
export function sampleIndicators(n: number, seed = 'x', observedAt = '2026-11-01T00:00:00Z'): object[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'KEYWORD',
    value: `ivory${seed}${i}`,
    commodity: 'IVORY',
    observedAt,
    confidence: 80,
  }));
}
