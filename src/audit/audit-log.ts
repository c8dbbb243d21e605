import { certFingerprint, parseCertificate, pemToDerCertificates, vouchesFor, type RecordedRevocation } from '../pki/index.js';
import { createBatchVerifier, issuerJwtOf, loggedItemCount, type VerifiedBatchView } from '../provenance/index.js';
import type { Clock } from '../kernel/index.js';
import { isWildintelError, sha256Base64url } from '../kernel/index.js';
import { leafHash, openCheckpoint, parseEntry, verifyConsistency, type Checkpoint, type LogEntry } from '../tlog/index.js';
import type { AuditState } from './audit-state.js';
import { appendLeaves, EMPTY_RANGE, rangeRoot, type CompactRange } from './compact-range.js';
import { AuditError } from './errors.js';
import type { LogClient } from './log-client.js';

export interface AuditOptions {
  readonly client: LogClient;
  /** The log's verifier key (`wildintel hub keys`). */
  readonly verifierKey: string;
  /** PEM of the federation root: needed to verify batches when the client can fetch them. */
  readonly rootPem?: string;
  readonly previous?: AuditState;
  readonly clock: Clock;
  readonly onProgress?: (done: number, total: number) => void;
  /** Hears every new entry once it parsed, in order (e.g. to collect disclosure entries). */
  readonly onEntry?: (index: number, entry: LogEntry) => void;
  /** Hears every batch once it verified against its entry (with read access), e.g. to count its items. */
  readonly onBatch?: (index: number, entry: Extract<LogEntry, { kind: 'batch' }>, batch: VerifiedBatchView) => void;
}

export interface AuditReport {
  readonly state: AuditState;
  readonly from: number;
  readonly to: number;
  readonly entriesChecked: number;
  readonly batchesVerified: number;
  readonly kinds: Readonly<Record<string, number>>;
}

const PAGE = 1000;
/** Pages of entries and hash tiles requested ahead of the one being checked (a few dozen requests in flight at most). */
const PAGES_AHEAD = 4;

/**
 * One audit pass, as named steps: open the checkpoint → prove it extends the last one →
 * fetch and check every new entry → recompute the root → (with access) verify every new batch.
 * Throws AuditError at the first thing that does not hold.
 */
export async function auditLog(options: AuditOptions): Promise<AuditReport> {
  const note = await options.client.checkpoint();
  const checkpoint = openSigned(note, options.verifierKey);
  const previous = options.previous ?? { origin: checkpoint.origin, range: EMPTY_RANGE, note: '', certificates: {}, revocations: {}, revocationIndexes: {}, memberSerials: {} };
  await proveExtends(options.client, previous, checkpoint);
  const walk = await walkEntries(options, previous, checkpoint);
  const root = rangeRoot(walk.range);
  if (!Buffer.from(root).equals(Buffer.from(checkpoint.root))) {
    throw new AuditError('ROOT_MISMATCH', `the entries 0..${checkpoint.size - 1} hash to ${b64(root)}, but the signed checkpoint says ${b64(checkpoint.root)}: the log's entries were altered`);
  }

  const state: AuditState = { origin: checkpoint.origin, range: walk.range, note, certificates: walk.certificates, revocations: walk.revocations, revocationIndexes: walk.revocationIndexes, memberSerials: walk.memberSerials };
  return { state, from: previous.range.size, to: checkpoint.size, entriesChecked: checkpoint.size - previous.range.size, batchesVerified: walk.batchesVerified, kinds: walk.kinds };
}

function openSigned(note: string, verifierKey: string): Checkpoint {
  try {
    return openCheckpoint(note, verifierKey);
  } catch (cause) {
    throw new AuditError('CHECKPOINT_SIGNATURE', `the checkpoint does not verify under the log key: ${(cause as Error).message}`, { cause });
  }
}

async function proveExtends(client: LogClient, previous: AuditState, checkpoint: Checkpoint): Promise<void> {
  const oldSize = previous.range.size;
  if (previous.origin !== checkpoint.origin) throw new AuditError('FORK_DETECTED', `the log's origin changed from ${previous.origin} to ${checkpoint.origin}`);
  if (checkpoint.size < oldSize) throw new AuditError('LOG_SHRANK', `the log shrank from ${oldSize} to ${checkpoint.size} entries`);
  if (oldSize === 0) return;
  const oldRoot = rangeRoot(previous.range);
  if (checkpoint.size === oldSize) {
    if (!Buffer.from(oldRoot).equals(Buffer.from(checkpoint.root))) {
      throw new AuditError('FORK_DETECTED', `two checkpoints of size ${oldSize} with different roots: the log forked or rewrote history`);
    }
    return;
  }
  const proof = await client.consistencyProof(oldSize, checkpoint.size);
  try {
    verifyConsistency(oldSize, checkpoint.size, proof, oldRoot, checkpoint.root);
  } catch (cause) {
    throw new AuditError('INCONSISTENT_PROOF', `the log at size ${checkpoint.size} does not extend the one verified at size ${oldSize}: history was rewritten (${(cause as Error).message})`, { cause });
  }
}

interface Walk {
  range: CompactRange;
  certificates: Record<string, string>;
  revocations: Record<string, number>;
  revocationIndexes: Record<string, number>;
  memberSerials: Record<string, string[]>;
  batchesVerified: number;
  kinds: Record<string, number>;
}

async function walkEntries(options: AuditOptions, previous: AuditState, checkpoint: Checkpoint): Promise<Walk> {
  const walk: Walk = {
    range: previous.range,
    certificates: { ...previous.certificates },
    revocations: { ...previous.revocations },
    revocationIndexes: { ...previous.revocationIndexes },
    memberSerials: Object.fromEntries(Object.entries(previous.memberSerials).map(([m, s]) => [m, [...s]])),
    batchesVerified: 0,
    kinds: {},
  };
  const batchCheck = options.client.batch !== undefined && options.rootPem !== undefined ? batchChecker(options, walk) : undefined;
  // Pages are fetched up to PAGES_AHEAD ahead of the one being checked, so the network and the
  // hashing overlap; what is checked, and in which order, is the same as one page at a time.
  const fetchPage = (start: number): Promise<[Uint8Array[], Uint8Array[] | undefined]> => {
    const end = Math.min(checkpoint.size, start + PAGE);
    return Promise.all([options.client.entries(start, end), hashTiles(options.client, start, end, checkpoint)]);
  };
  const ahead: Array<Promise<[Uint8Array[], Uint8Array[] | undefined]>> = [];
  let nextStart = previous.range.size;
  const refill = (): void => {
    while (ahead.length < PAGES_AHEAD && nextStart < checkpoint.size) {
      const page = fetchPage(nextStart);
      // A page fetched ahead may fail after an earlier one already ended the walk: handled when awaited.
      page.catch(() => undefined);
      ahead.push(page);
      nextStart += PAGE;
    }
  };
  for (let start = previous.range.size; start < checkpoint.size; start += PAGE) {
    const end = Math.min(checkpoint.size, start + PAGE);
    refill();
    const [entries, tileHashes] = await ahead.shift()!;
    refill();
    if (entries.length !== end - start) throw new AuditError('ENTRIES_UNAVAILABLE', `asked for entries ${start}..${end - 1}, got ${entries.length}`);
    const leaves: Uint8Array[] = [];
    for (const [i, bytes] of entries.entries()) {
      const entry = parseChecked(bytes, start + i);
      walk.kinds[entry.kind] = (walk.kinds[entry.kind] ?? 0) + 1;
      record(walk, entry, start + i);
      if (entry.kind === 'batch') assertMemberVouched(walk, entry, start + i);
      options.onEntry?.(start + i, entry);
      if (entry.kind === 'batch' && batchCheck !== undefined) await batchCheck(entry, start + i);
      const leaf = leafHash(bytes);
      if (tileHashes !== undefined && !sameHash(tileHashes[i]!, leaf)) {
        throw new AuditError('ROOT_MISMATCH', `the log's hash tile holds another hash for entry ${start + i} than its entry bundle: the tiles were altered`, { details: { index: start + i } });
      }
      leaves.push(leaf);
    }
    walk.range = appendLeaves(walk.range, leaves);
    options.onProgress?.(end - previous.range.size, checkpoint.size - previous.range.size);
  }
  return walk;
}

/**
 * Read from tiles: the level-0 hashes of these entries, from hash tiles authenticated up to the
 * signed root (each full tile against its parent, the right edge against the root), so that
 * every tile served, not only the entries, is checked: a mirror or CDN serving a wrong tile would
 * mislead whoever computes proofs from it.
 */
async function hashTiles(client: LogClient, start: number, end: number, checkpoint: Checkpoint): Promise<Uint8Array[] | undefined> {
  if (client.leafHashes === undefined) return undefined;
  try {
    return await client.leafHashes(start, end, checkpoint.size, checkpoint.root);
  } catch (cause) {
    if (!isWildintelError(cause) || (cause.code !== 'INCONSISTENT_TILE' && cause.code !== 'MALFORMED_TILE')) throw cause;
    throw new AuditError('ROOT_MISMATCH', `the log's hash tiles do not hash to the signed checkpoint of size ${checkpoint.size}: ${cause.message}`, { cause });
  }
}

function parseChecked(bytes: Uint8Array, index: number): LogEntry {
  try {
    return parseEntry(bytes);
  } catch (cause) {
    throw new AuditError('MALFORMED_ENTRY', `entry ${index} is not a well-formed log entry: ${(cause as Error).message}`, { cause, details: { index } });
  }
}

function record(walk: Walk, entry: LogEntry, index: number): void {
  if (entry.kind === 'member') {
    const der = Buffer.from(entry.cert, 'base64');
    walk.certificates[certFingerprint(der)] = entry.member;
    (walk.memberSerials[entry.member] ??= []).push(parseCertificate(der).serialHex);
  }
  if (entry.kind === 'revocation') {
    walk.revocations[entry.serial] ??= entry.ts;
    walk.revocationIndexes[entry.serial] ??= index;
  }
}

function revocationOf(walk: Walk, serial: string): RecordedRevocation | undefined {
  const index = walk.revocationIndexes[serial];
  return index === undefined ? undefined : { index, reason: 'logged' };
}

/**
 * The revocation rule (src/pki/revocation-rule.ts) on the entries alone: a batch logged after
 * the revocation entries of every certificate its member ever enrolled was signed by none that
 * still vouched. (With read access, {@link batchChecker} checks the batch's own certificate.)
 */
function assertMemberVouched(walk: Walk, entry: Extract<LogEntry, { kind: 'batch' }>, index: number): void {
  const serials = walk.memberSerials[entry.member] ?? [];
  if (serials.length === 0 || serials.some((s) => vouchesFor(revocationOf(walk, s), index))) return;
  throw new AuditError('BATCH_AFTER_REVOCATION', `entry ${index}: batch ${entry.member}/${entry.batchId} was logged after every certificate of ${entry.member} had been revoked (entries ${serials.map((s) => walk.revocationIndexes[s]).join(', ')}): the hub accepted what no certificate vouched for`, {
    details: { index, member: entry.member, batchId: entry.batchId },
  });
}

/** With read access: each batch's bytes hash to its entry, and its signature and chain hold as the log itself recorded membership and revocation. */
function batchChecker(options: AuditOptions, walk: Walk) {
  const verifier = createBatchVerifier({
    roots: pemToDerCertificates(options.rootPem!),
    isRevoked: (serial) => (walk.revocations[serial] === undefined ? undefined : new Date(walk.revocations[serial]!)),
    clock: options.clock,
  });
  return async (entry: Extract<LogEntry, { kind: 'batch' }>, index: number): Promise<void> => {
    const batch = await options.client.batch!(entry.member, entry.batchId);
    const hash = sha256Base64url(issuerJwtOf(batch));
    if (hash !== entry.jwsSha256) throw new AuditError('BATCH_HASH_MISMATCH', `entry ${index}: batch ${entry.member}/${entry.batchId} hashes to ${hash}, the log says ${entry.jwsSha256}`);
    let verified: VerifiedBatchView;
    try {
      // A version 2 batch verifies whatever disclosures the token may see: the signature covers every item's digest.
      verified = await verifier.verifyView(batch, new Date(entry.ts));
      if (walk.certificates[verified.chain.leafFingerprintSha256] !== entry.member) throw new Error('its certificate was never enrolled in the log for this member');
      const count = loggedItemCount(verified);
      if (count !== entry.count) throw new Error(`it holds ${count} indicators and outcomes, the log says ${entry.count}`);
    } catch (cause) {
      const code = isWildintelError(cause) ? ` [${cause.code}]` : '';
      throw new AuditError('BATCH_INVALID', `entry ${index}: batch ${entry.member}/${entry.batchId} does not verify: ${(cause as Error).message}${code}`, { cause });
    }
    const serial = verified.chain.leafSerialHex;
    if (!vouchesFor(revocationOf(walk, serial), index)) {
      throw new AuditError('BATCH_AFTER_REVOCATION', `entry ${index}: batch ${entry.member}/${entry.batchId} is signed by certificate ${serial}, whose revocation the log recorded earlier at entry ${walk.revocationIndexes[serial]}: the hub accepted it after the revocation`, {
        details: { index, member: entry.member, batchId: entry.batchId, serial, revocationIndex: walk.revocationIndexes[serial] },
      });
    }
    walk.batchesVerified++;
    options.onBatch?.(index, entry, verified);
  };
}

/** Compares in place (Buffer.from of a Uint8Array would copy both, for every entry). */
function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
