import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { createLogger, fixedClock } from '../kernel/index.js';
import { consistencyProofSync, generateSignerKey, leafHash, MemoryHashStore, parseSignerKey, signCheckpoint } from '../tlog/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { createAlarms, recentAlarms } from './alarms.js';
import { NodeError } from './errors.js';
import { createHubWitness, type HubWitness } from './hub-witness.js';

const ORIGIN = 'hub.test/wildintel';
const keys = generateSignerKey(ORIGIN);
const signer = parseSignerKey(keys.signerKey);
const impostor = parseSignerKey(generateSignerKey(ORIGIN).signerKey);

/** A log of `n` entries whose first `shared` are the honest ones and the rest `tag`ged. */
function log(n: number, shared = n, tag = 'forked'): MemoryHashStore {
  const store = new MemoryHashStore();
  store.append(Array.from({ length: n }, (_, i) => leafHash(Buffer.from(i < shared ? `entry ${i}` : `${tag} ${i}`))));
  return store;
}
const checkpoint = (store: MemoryHashStore, size: number, by = signer): string => signCheckpoint({ origin: ORIGIN, size, root: store.treeHash(size) }, by);
const misbehaving = (check: string) => (err: unknown): boolean => err instanceof NodeError && err.code === 'HUB_MISBEHAVING' && err.details?.['check'] === check;

describe('hub witness', () => {
  let t: TestDatabase;
  const honest = log(20);
  let served = honest;
  let fetched = 0;
  const witness = (configuredKey?: string): HubWitness =>
    createHubWitness({
      db: t.database.dataSource,
      client: { consistencyProof: async (m, n) => consistencyProofSync(m, n, served.read) },
      configuredKey,
      fetchLogKey: async () => {
        fetched++;
        return keys.verifierKey;
      },
      alarms: createAlarms(t.database.dataSource, fixedClock('2026-03-01T00:00:00Z'), createLogger('silent')),
      clock: fixedClock('2026-03-01T00:00:00Z'),
      logger: createLogger('silent'),
    });
  const alarmCodes = async (): Promise<string[]> => (await recentAlarms(t.database.dataSource)).recent.map((a) => a.code).reverse();

  before(async () => {
    t = await createTestDatabase({ migrations: nodeMigrations });
  });
  after(() => t.drop());
  beforeEach(async () => {
    served = honest;
    await t.database.dataSource.query(`UPDATE node_state SET log_key = NULL, checkpoint_origin = NULL, checkpoint_size = NULL, checkpoint_root = NULL, checkpoint_note = NULL`);
    await t.database.dataSource.query(`TRUNCATE node_alarms`);
  });

  it('pins the log key on first contact and keeps using the pinned one', async () => {
    fetched = 0;
    assert.equal(await witness().logKey(), keys.verifierKey);
    assert.equal(await witness().logKey(), keys.verifierKey, 'after a restart');
    assert.equal(fetched, 1);
  });

  it('accepts checkpoints that grow, and older ones of the same history, remembering the largest', async () => {
    const w = witness(keys.verifierKey);
    for (const size of [3, 8, 5, 8, 20]) assert.equal((await w.observe(checkpoint(honest, size))).size, size);
    const [row]: Array<{ checkpoint_size: string | number }> = await t.database.dataSource.query(`SELECT checkpoint_size FROM node_state`);
    assert.equal(Number(row!.checkpoint_size), 20);
    assert.deepEqual(await alarmCodes(), []);
  });

  describe('when the hub misbehaves', () => {
    it('raises CHECKPOINT_SIGNATURE for a checkpoint the log key did not sign', async () => {
      await assert.rejects(witness(keys.verifierKey).observe(checkpoint(honest, 4, impostor)), misbehaving('CHECKPOINT_SIGNATURE'));
      assert.deepEqual(await alarmCodes(), ['CHECKPOINT_SIGNATURE']);
    });

    it('raises FORK_DETECTED for two checkpoints of one size with different roots', async () => {
      const w = witness(keys.verifierKey);
      await w.observe(checkpoint(honest, 10));
      await assert.rejects(w.observe(checkpoint(log(10, 6), 10)), misbehaving('FORK_DETECTED'));
      assert.deepEqual(await alarmCodes(), ['FORK_DETECTED']);
    });

    it('raises INCONSISTENT_PROOF when a later checkpoint rewrote history', async () => {
      const w = witness(keys.verifierKey);
      await w.observe(checkpoint(honest, 10));
      served = log(14, 6);
      await assert.rejects(w.observe(checkpoint(served, 14)), misbehaving('INCONSISTENT_PROOF'));
      await assert.rejects(w.observe(checkpoint(served, 7)), misbehaving('INCONSISTENT_PROOF'), 'an older view that is not a prefix either');
      assert.deepEqual(await alarmCodes(), ['INCONSISTENT_PROOF', 'INCONSISTENT_PROOF']);
    });

    it('raises FORK_DETECTED when the origin changes', async () => {
      const w = witness(keys.verifierKey);
      await w.observe(checkpoint(honest, 4));
      const sameKeyOtherOrigin = signCheckpoint({ origin: 'other.test/log', size: 5, root: honest.treeHash(5) }, signer);
      await assert.rejects(w.observe(sameKeyOtherOrigin), misbehaving('FORK_DETECTED'));
    });
  });
});
