/**
 * What a report is computed from, fetched and verified against a hub as `audit verify` does:
 * the checkpoint (signed by the log key), every entry (the root recomputed from them), with read
 * access every batch (hash = its entry's jwsSha256, member signature and chain), and with an
 * audit:read token the disclosure records (each = its entry's recordSha256, signed by its party).
 * Then the figures come from reportFigures over the entries below `treeSize` only, so a report
 * written at one checkpoint is recomputed at that checkpoint however far the log has grown.
 */
import { appendLeaf, auditLog, checkDisclosures, EMPTY_RANGE, listDisclosures, rangeRoot, type AgencyVolume, type ListedDisclosure, type LogClient, type LoggedDisclosureEntry } from '../audit/index.js';
import { DisclosureError } from '../disclosure/index.js';
import { indicatorId, parseIndicator } from '../indicators/index.js';
import type { Clock } from '../kernel/index.js';
import type { VerifiedBatchView } from '../provenance/index.js';
import { encodeEntry, leafHash, type LogEntry } from '../tlog/index.js';
import { ReportError } from './errors.js';
import type { BatchContents, ReportInput } from './figures.js';
import { isReferralEntry, type ReferralEntry } from './referrals.js';

export type HubGraphql = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

export interface CollectOptions {
  /** A client with `batch` (a token with provenance:read) reads every batch; without it the item figures are null. */
  readonly client: LogClient;
  readonly verifierKey: string;
  readonly rootPem: string;
  readonly clock: Clock;
  /** GraphQL with an audit:read token: the disclosure figures by agency; without it they are null. */
  readonly graphql?: HubGraphql;
  /** Recompute at this size (a report's checkpoint) rather than at the hub's latest checkpoint. */
  readonly treeSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface CollectedLog {
  readonly origin: string;
  readonly treeSize: number;
  /** base64 of the root hash of the first `treeSize` entries. */
  readonly rootHash: string;
  readonly entries: ReportInput['entries'];
  readonly referrals: ReportInput['referrals'];
  readonly batches: ReadonlyMap<number, BatchContents> | undefined;
  readonly disclosureRequests: readonly ListedDisclosure[] | undefined;
}

export async function collectLog(options: CollectOptions): Promise<CollectedLog> {
  const entries: Array<{ index: number; entry: LogEntry }> = [];
  const referrals: Array<ReferralEntry & { index: number }> = [];
  const batches = new Map<number, BatchContents>();
  let range = EMPTY_RANGE;
  const limit = options.treeSize ?? Number.MAX_SAFE_INTEGER;
  const audited = await auditLog({
    client: options.client,
    verifierKey: options.verifierKey,
    rootPem: options.rootPem,
    clock: options.clock,
    onEntry: (index, entry) => {
      if (index >= limit) return;
      entries.push({ index, entry });
      // The referral kind comes with src/referrals: recognised by shape until LogEntry names it.
      const loose: { readonly kind: string } = entry;
      if (isReferralEntry(loose)) referrals.push({ ...loose, index });
      // Parsed entries are canonical: re-encoding gives the logged bytes, so their leaf hash.
      range = appendLeaf(range, leafHash(encodeEntry(entry)));
    },
    onBatch: (index, entry, view) => {
      if (index < limit) batches.set(index, batchContents(entry.member, view));
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const treeSize = options.treeSize ?? audited.to;
  if (treeSize > audited.to) throw new ReportError('REPORT_NOT_IN_LOG', `the report is at tree size ${treeSize}, but the hub's verified checkpoint is at ${audited.to}`);
  const disclosureRequests = options.graphql === undefined ? undefined : await listDisclosures(options.graphql, treeSize);
  return {
    origin: audited.state.origin,
    treeSize,
    rootHash: Buffer.from(rangeRoot(range)).toString('base64'),
    entries,
    referrals,
    batches: options.client.batch === undefined ? undefined : batches,
    disclosureRequests,
  };
}

function batchContents(member: string, view: VerifiedBatchView): BatchContents {
  return {
    member,
    indicators: view.indicators.map((item, i) => {
      if (item === undefined) return undefined;
      // The hub parsed it before accepting the batch; parsing again gives its normalized value, so its id.
      const parsed = parseIndicator(item, i);
      return { id: indicatorId(parsed.type, parsed.value), type: parsed.type, commodity: parsed.commodity };
    }),
    outcomes: view.outcomes,
  };
}

/**
 * The disclosure requests filed in the period, verified (checkDisclosures): each record is the one
 * its entry commits to and signed by its party. Every `filed` entry of the period must be listed,
 * or the hub is hiding a request from the count.
 */
export async function disclosureVolume(log: CollectedLog, period: { from: number; to: number }, rootPem: string): Promise<AgencyVolume[] | undefined> {
  if (log.disclosureRequests === undefined) return undefined;
  const logged: LoggedDisclosureEntry[] = log.entries.flatMap(({ index, entry }) => (entry.kind === 'agency' || entry.kind === 'disclosure' ? [{ ...entry, index }] : []));
  const filedAt = new Map(logged.flatMap((e) => (e.kind === 'disclosure' && e.step === 'filed' ? [[e.requestId, e.ts] as const] : [])));
  const inPeriod = (ts: number | undefined) => ts !== undefined && ts >= period.from && ts < period.to;
  const requests = log.disclosureRequests.filter((r) => inPeriod(filedAt.get(r.id)));
  const listed = new Set(requests.map((r) => r.id));
  const unlisted = [...filedAt].find(([id, ts]) => inPeriod(ts) && !listed.has(id));
  if (unlisted !== undefined) throw new DisclosureError('UNLISTED_DISCLOSURE', `disclosure request ${unlisted[0]} was filed in the period (its filed step is in the log) but the hub does not list it`);
  const entries = logged.filter((e) => e.kind === 'agency' || listed.has(e.requestId));
  return [...(await checkDisclosures({ entries, requests, rootPem, treeSize: log.treeSize })).volume];
}
