import { leafHash, parseEntry, verifyInclusion, type Checkpoint, type LogEntry } from '../tlog/index.js';
import { AuditError } from './errors.js';

/**
 * An entry carried with its inclusion proof (base64 entry bytes, base64 proof hashes), checked
 * against a checkpoint already verified: the entry is well-formed, and RFC 9162 §2.1.3 inclusion
 * at `leafIndex` holds. Returns the parsed entry.
 * @throws AuditError `MALFORMED_ENTRY` | `INCONSISTENT_PROOF`
 */
export function proveEntryIncluded(logged: { readonly logEntry: string; readonly leafIndex: number; readonly inclusionProof: readonly string[] }, checkpoint: Checkpoint, where: string): LogEntry {
  const bytes = Buffer.from(logged.logEntry, 'base64');
  let entry: LogEntry;
  try {
    entry = parseEntry(bytes);
  } catch (cause) {
    throw new AuditError('MALFORMED_ENTRY', `${where}: the log entry is not a well-formed entry: ${(cause as Error).message}`, { cause });
  }
  try {
    verifyInclusion(logged.leafIndex, checkpoint.size, leafHash(bytes), logged.inclusionProof.map((h) => Buffer.from(h, 'base64')), checkpoint.root);
  } catch (cause) {
    throw new AuditError('INCONSISTENT_PROOF', `${where}: the entry is not in the checkpoint's tree at ${logged.leafIndex}: ${(cause as Error).message}`, { cause });
  }
  return entry;
}
