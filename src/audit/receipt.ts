import { sha256Base64url } from '../kernel/index.js';
import { issuerJwtOf } from '../provenance/index.js';
import { leafHash, openCheckpoint, parseEntry, verifyInclusion, type Checkpoint } from '../tlog/index.js';
import { AuditError } from './errors.js';
import type { LogClient } from './log-client.js';

export interface ReceiptToVerify {
  readonly batchId: string;
  readonly leafIndex: number;
  readonly checkpoint: string;
}

/**
 * What a member checks of the hub's receipt for a batch it sent: the checkpoint is signed by the
 * log key, includes the leaf, and the leaf is a `batch` entry committing to exactly the bytes the
 * member sent (of a version 2 batch, its issuer-signed JWT). Returns the verified checkpoint, for proving consistency with the next one.
 */
export async function verifyReceipt(options: { receipt: ReceiptToVerify; jws: string; verifierKey: string; client: Pick<LogClient, 'entries' | 'inclusionProof'> }): Promise<Checkpoint> {
  const { receipt, client } = options;
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(receipt.checkpoint, options.verifierKey);
  } catch (cause) {
    throw new AuditError('CHECKPOINT_SIGNATURE', `the receipt's checkpoint does not verify under the log key: ${(cause as Error).message}`, { cause });
  }
  if (!(receipt.leafIndex < checkpoint.size)) throw new AuditError('INCONSISTENT_PROOF', `leaf ${receipt.leafIndex} is not in a checkpoint of size ${checkpoint.size}`);
  const [entryBytes] = await client.entries(receipt.leafIndex, receipt.leafIndex + 1);
  if (entryBytes === undefined) throw new AuditError('ENTRIES_UNAVAILABLE', `entry ${receipt.leafIndex} is not served`);
  const entry = parseEntry(entryBytes);
  const sent = sha256Base64url(issuerJwtOf(options.jws));
  if (entry.kind !== 'batch' || entry.batchId !== receipt.batchId || entry.jwsSha256 !== sent) {
    throw new AuditError('BATCH_HASH_MISMATCH', `entry ${receipt.leafIndex} does not commit to the batch ${receipt.batchId} as sent`);
  }
  // Fetched outside the check: a hub that cannot answer now is unreachable, not inconsistent.
  const proof = await client.inclusionProof(receipt.leafIndex, checkpoint.size);
  try {
    verifyInclusion(receipt.leafIndex, checkpoint.size, leafHash(entryBytes), proof, checkpoint.root);
  } catch (cause) {
    throw new AuditError('INCONSISTENT_PROOF', `the batch's entry is not in the receipt's checkpoint: ${(cause as Error).message}`, { cause });
  }
  return checkpoint;
}
