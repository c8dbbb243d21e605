/**
 * The node's view of the hub's transparency log: the log key it trusts, and the largest
 * checkpoint it has verified. Every checkpoint the node meets (in a receipt, in the feed) goes
 * through `observe`, which checks its signature and proves, with a consistency proof, that it
 * and the remembered one are the same history (RFC 9162 §2.1.4) — whichever is larger. A hub
 * that rewrote or forked its log cannot show this node two views without an alarm.
 */
import type { EntityManager } from 'typeorm';
import { isWildintelError, type Clock, type Logger } from '../kernel/index.js';
import type { LogClient } from '../audit/index.js';
import { openCheckpoint, verifyConsistency, type Checkpoint } from '../tlog/index.js';
import type { Alarms } from './alarms.js';
import { NodeError } from './errors.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface HubWitness {
  /** The log key: configured (HUB_LOG_KEY), or pinned on first contact. */
  logKey(): Promise<string>;
  /** Verifies a signed checkpoint against everything seen before; raises an alarm and throws HUB_MISBEHAVING if it does not hold. */
  observe(note: string): Promise<Checkpoint>;
}

export interface HubWitnessDeps {
  readonly db: Queryable;
  readonly client: Pick<LogClient, 'consistencyProof'>;
  /** HUB_LOG_KEY; when absent, `fetchLogKey` is asked once and its answer pinned. */
  readonly configuredKey: string | undefined;
  readonly fetchLogKey: () => Promise<string>;
  readonly alarms: Alarms;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Remembered {
  origin: string;
  size: number;
  root: Uint8Array;
}

export function createHubWitness(deps: HubWitnessDeps): HubWitness {
  let chain: Promise<unknown> = Promise.resolve();
  // One at a time: two checkpoints observed at once would each compare against a stale one.
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const witness: HubWitness = {
    logKey: () => serially(() => resolveLogKey(deps)),
    observe: (note) =>
      serially(async () => {
        const checkpoint = await openOrAlarm(deps, note, await resolveLogKey(deps));
        const remembered = await readRemembered(deps.db);
        if (remembered !== undefined) await proveSameHistory(deps, remembered, checkpoint);
        if (remembered === undefined || checkpoint.size > remembered.size) await remember(deps, checkpoint, note);
        return checkpoint;
      }),
  };
  return witness;
}

async function resolveLogKey(deps: HubWitnessDeps): Promise<string> {
  const [row]: Array<{ log_key: string | null }> = await deps.db.query(`SELECT log_key FROM node_state WHERE id = 1`);
  const pinned = row?.log_key ?? undefined;
  if (deps.configuredKey !== undefined) {
    if (pinned !== deps.configuredKey) await deps.db.query(`UPDATE node_state SET log_key = $1 WHERE id = 1`, [deps.configuredKey]);
    return deps.configuredKey;
  }
  if (pinned !== undefined) return pinned;
  const fetched = await deps.fetchLogKey();
  await deps.db.query(`UPDATE node_state SET log_key = $1 WHERE id = 1`, [fetched]);
  deps.logger.warn({ logKey: fetched }, 'pinned the hub log key on first contact (trust on first use): compare it with `wildintel hub keys` from the hub operator, or set HUB_LOG_KEY');
  return fetched;
}

async function openOrAlarm(deps: HubWitnessDeps, note: string, key: string): Promise<Checkpoint> {
  try {
    return openCheckpoint(note, key);
  } catch (cause) {
    throw await misbehaving(deps, 'CHECKPOINT_SIGNATURE', `a checkpoint from the hub does not verify under the log key: ${(cause as Error).message}`, cause);
  }
}

async function readRemembered(db: Queryable): Promise<Remembered | undefined> {
  const [row]: Array<{ checkpoint_origin: string | null; checkpoint_size: string | number | null; checkpoint_root: Uint8Array | null }> = await db.query(
    `SELECT checkpoint_origin, checkpoint_size, checkpoint_root FROM node_state WHERE id = 1`,
  );
  if (row?.checkpoint_origin == null || row.checkpoint_size == null || row.checkpoint_root == null) return undefined;
  return { origin: row.checkpoint_origin, size: Number(row.checkpoint_size), root: new Uint8Array(row.checkpoint_root) };
}

async function proveSameHistory(deps: HubWitnessDeps, known: Remembered, seen: Checkpoint): Promise<void> {
  if (seen.origin !== known.origin) {
    throw await misbehaving(deps, 'FORK_DETECTED', `the log's origin changed from ${known.origin} to ${seen.origin}`);
  }
  const [small, large] = seen.size <= known.size ? [seen, known] : [known, seen];
  if (small.size === 0) return; // every tree extends the empty one
  let proof: Uint8Array[];
  try {
    proof = small.size === large.size ? [] : await deps.client.consistencyProof(small.size, large.size);
  } catch (cause) {
    if (isWildintelError(cause) && cause.code === 'HUB_UNAVAILABLE') throw cause;
    throw await misbehaving(deps, 'INCONSISTENT_PROOF', `the hub serves no consistency proof from ${small.size} to ${large.size}: ${(cause as Error).message}`, cause);
  }
  try {
    verifyConsistency(small.size, large.size, proof, small.root, large.root);
  } catch (cause) {
    const code = small.size === large.size ? 'FORK_DETECTED' : 'INCONSISTENT_PROOF';
    throw await misbehaving(deps, code, `the log checkpoints of size ${small.size} and ${large.size} are not one history: the hub forked or rewrote its log (${(cause as Error).message})`, cause);
  }
}

async function remember(deps: HubWitnessDeps, checkpoint: Checkpoint, note: string): Promise<void> {
  await deps.db.query(
    `UPDATE node_state SET checkpoint_origin = $1, checkpoint_size = $2, checkpoint_root = $3, checkpoint_note = $4, checkpoint_at = $5 WHERE id = 1`,
    [checkpoint.origin, checkpoint.size, Buffer.from(checkpoint.root), note, deps.clock.now()],
  );
}

async function misbehaving(deps: HubWitnessDeps, check: string, message: string, cause?: unknown): Promise<NodeError> {
  await deps.alarms.raise(check, message);
  return new NodeError('HUB_MISBEHAVING', message, { cause, details: { check, alarmed: true } });
}
