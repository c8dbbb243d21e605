/**
 * Checks each receipt the hub gave this node: its checkpoint is signed by the log key and
 * consistent with every checkpoint seen before, the leaf is in it (inclusion proof), the leaf is
 * a `batch` entry committing to exactly the bytes sent, and the receipt lists the ids of exactly
 * the indicators signed. A receipt that fails is an alarm; an unreachable hub is tried again.
 */
import type { EntityManager } from 'typeorm';
import { verifyReceipt, type LogClient } from '../audit/index.js';
import { indicatorId, type IndicatorType } from '../indicators/index.js';
import { isWildintelError, type Logger } from '../kernel/index.js';
import { readStoredBatch } from '../provenance/index.js';
import type { Alarms } from './alarms.js';
import type { HubWitness } from './hub-witness.js';
import type { BatchReceipt } from './outbox.js';
import { NodeError } from './errors.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface ReceiptAuditDeps {
  readonly db: Queryable;
  readonly client: Pick<LogClient, 'entries' | 'inclusionProof'>;
  readonly witness: HubWitness;
  readonly alarms: Alarms;
  readonly logger: Logger;
}

/** Audits the oldest unaudited receipt. */
export async function auditNextReceipt(deps: ReceiptAuditDeps): Promise<'audited' | 'none' | 'unavailable'> {
  const [row]: Array<{ seq: string | number; batch_id: string; jws: string; receipt: BatchReceipt }> = await deps.db.query(
    `SELECT seq, batch_id, jws, receipt FROM node_batches WHERE state = 'accepted' AND audit IS NULL ORDER BY seq LIMIT 1`,
  );
  if (row === undefined) return 'none';
  const seq = Number(row.seq);
  try {
    assertListsSignedIds(row.receipt, row.jws);
    const checkpoint = await deps.witness.observe(row.receipt.checkpoint);
    await verifyReceipt({ receipt: row.receipt, jws: row.jws, verifierKey: await deps.witness.logKey(), client: deps.client });
    await setAudit(deps.db, seq, 'verified');
    deps.logger.debug({ batchId: row.batch_id, leafIndex: row.receipt.leafIndex, treeSize: checkpoint.size }, 'receipt verified');
    return 'audited';
  } catch (err) {
    if (isWildintelError(err) && err.code === 'HUB_UNAVAILABLE') return 'unavailable';
    // The witness raised its own alarm for a checkpoint; anything else found here is raised now.
    if (!(isWildintelError(err) && err.details?.['alarmed'] === true)) {
      const check = isWildintelError(err) ? String(err.details?.['check'] ?? err.code) : 'RECEIPT_INVALID';
      await deps.alarms.raise(check, `the receipt for batch ${row.batch_id} does not hold: ${(err as Error).message}`, { batchId: row.batch_id, leafIndex: row.receipt.leafIndex });
    }
    await setAudit(deps.db, seq, 'failed');
    return 'audited';
  }
}

function receiptMismatch(message: string): NodeError {
  return new NodeError('HUB_MISBEHAVING', message, { details: { check: 'RECEIPT_MISMATCH' } });
}

function assertListsSignedIds(receipt: BatchReceipt, batch: string): void {
  const { envelope, indicators } = readStoredBatch(batch);
  const payload = { batchId: envelope.batchId };
  const signed = indicators.map((i) => indicatorId(i['type'] as IndicatorType, String(i['value'])));
  if (receipt.batchId !== payload.batchId) throw receiptMismatch(`it names batch ${receipt.batchId}`);
  if (receipt.indicatorIds.length !== signed.length || signed.some((id, i) => receipt.indicatorIds[i] !== id)) {
    throw receiptMismatch('its indicator ids are not those of the indicators signed');
  }
}

async function setAudit(db: Queryable, seq: number, audit: 'verified' | 'failed'): Promise<void> {
  await db.query(`UPDATE node_batches SET audit = $2 WHERE seq = $1`, [seq, audit]);
}
