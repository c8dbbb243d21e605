import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { indicatorId } from '../indicators/index.js';
import { createLogger, fixedClock } from '../kernel/index.js';
import { encodeEntry, generateSignerKey, inclusionProofSync, leafHash, MemoryHashStore, parseSignerKey, signCheckpoint } from '../tlog/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { createAlarms, recentAlarms } from './alarms.js';
import { NodeError } from './errors.js';
import { createHubWitness } from './hub-witness.js';
import { auditNextReceipt } from './receipt-audit.js';

const ORIGIN = 'hub.test/wildintel';
const keys = generateSignerKey(ORIGIN);
const clock = fixedClock('2026-03-01T00:00:00Z');
const logger = createLogger('silent');

/**
 * Found by the failure suite (test/faults): a hub that could not answer the inclusion proof
 * (killed, its database restarting, the network down) was reported as one whose log does not
 * include the batch — an INCONSISTENT_PROOF alarm and a receipt marked failed for good.
 */
describe('receipt audit', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrations: nodeMigrations });
  });
  after(() => t.drop());

  it('tries again later when the hub cannot serve the inclusion proof, and verifies the receipt once it can', async () => {
    const db = t.database.dataSource;
    const batchId = randomUUID();
    const indicator = { type: 'KEYWORD', value: 'ivory' } as const;
    const payload = Buffer.from(JSON.stringify({ batchId, indicators: [indicator] })).toString('base64url');
    const jws = `e30.${payload}.c2ln`;
    const store = new MemoryHashStore();
    const entries = [Buffer.from('member entry'), encodeEntry({ kind: 'batch', ts: 1, member: 'shopmart', batchId, tlp: 'AMBER', count: 1, jwsSha256: createHash('sha256').update(jws).digest('base64url') })];
    store.append(entries.map((e) => leafHash(e)));
    const checkpoint = signCheckpoint({ origin: ORIGIN, size: 2, root: store.treeHash() }, parseSignerKey(keys.signerKey));
    const receipt = { batchId, leafIndex: 1, indicatorIds: [indicatorId(indicator.type, indicator.value)], checkpoint, duplicate: false };
    await db.query(
      `INSERT INTO node_batches (batch_id, tlp, created_at, jws, indicator_count, retraction_count, next_attempt_at, state, receipt, leaf_index, accepted_at) VALUES ($1, 'AMBER', now(), $2, 1, 0, now(), 'accepted', $3::jsonb, 1, now())`,
      [batchId, jws, JSON.stringify(receipt)],
    );
    let hubDown = true;
    const client = {
      entries: async (start: number, end: number) => entries.slice(start, end).map((e) => new Uint8Array(e)),
      inclusionProof: async (index: number, size: number) => {
        if (hubDown) throw new NodeError('HUB_UNAVAILABLE', '/log/proof/inclusion: HTTP 500 INTERNAL_SERVER_ERROR');
        return inclusionProofSync(index, size, store.read);
      },
      consistencyProof: async () => [],
    };
    const alarms = createAlarms(db, clock, logger);
    const witness = createHubWitness({ db, client, configuredKey: keys.verifierKey, fetchLogKey: async () => keys.verifierKey, alarms, clock, logger });
    const audit = (): Promise<string> => auditNextReceipt({ db, client, witness, alarms, logger });
    const auditState = async (): Promise<string | null> => ((await db.query(`SELECT audit FROM node_batches WHERE batch_id = $1`, [batchId])) as Array<{ audit: string | null }>)[0]!.audit;

    assert.equal(await audit(), 'unavailable');
    assert.equal(await auditState(), null, 'the receipt is still to be audited');
    assert.equal((await recentAlarms(db)).count, 0, 'an unreachable hub is no alarm');
    hubDown = false;
    assert.equal(await audit(), 'audited');
    assert.equal(await auditState(), 'verified');
    assert.equal((await recentAlarms(db)).count, 0);
  });
});
