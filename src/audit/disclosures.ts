/**
 * `wildintel audit disclosures`: every disclosure the hub lists is in the log, and the log holds
 * no disclosure step the hub does not list — so none happened through the federation outside what
 * the auditor sees. Named steps: walk and verify the whole log (auditLog), keeping its `agency` and
 * `disclosure` entries → page through every request with every record (audit:read) → each record
 * is the one its entry commits to, and each request's keys the ones in force when it was filed →
 * each history holds (verifyHistory) → every disclosure entry is accounted for → volume per agency.
 */
import { DisclosureError, keysSha256, parseAgencyKeySet, recordSha256, verifyHistory, type LoggedRecord } from '../disclosure/formats/index.js';
import type { Clock } from '../kernel/index.js';
import { pemToDerCertificates } from '../pki/index.js';
import type { AgencyEntry, DisclosureEntry, LogEntry } from '../tlog/index.js';
import { auditLog } from './audit-log.js';
import type { LogClient } from './log-client.js';

/** A request as the hub's `disclosures` query serves it to an auditor. */
export interface ListedDisclosure {
  readonly id: string;
  readonly agency: string;
  readonly records: ReadonlyArray<{ readonly step: string; readonly member: string | null; readonly record: string; readonly leafIndex: number }>;
  readonly agencyKeys: { readonly agency: string; readonly jwks: string; readonly leafIndex: number };
}

export interface AgencyVolume {
  agency: string;
  requests: number;
  membersAsked: number;
  answered: number;
  declined: number;
  unanswered: number;
  retrieved: number;
  declineReasons: Record<string, number>;
}

export interface DisclosureAuditReport {
  readonly treeSize: number;
  readonly requests: number;
  readonly entries: number;
  readonly agencyKeyRegistrations: number;
  readonly volume: readonly AgencyVolume[];
}

/** An agency or disclosure entry with its log index, as checkDisclosures takes them. */
export type LoggedDisclosureEntry = (AgencyEntry | DisclosureEntry) & { index: number };
type Logged = LoggedDisclosureEntry;

function unlogged(message: string): DisclosureError {
  return new DisclosureError('UNLOGGED_DISCLOSURE', message);
}

function loggedRecords(request: ListedDisclosure, entries: ReadonlyMap<number, Logged>, claimed: Set<number>): LoggedRecord[] {
  return request.records.map((r) => {
    const entry = entries.get(r.leafIndex);
    if (entry?.kind !== 'disclosure' || entry.step !== r.step || entry.requestId !== request.id) throw unlogged(`request ${request.id}: its ${r.step} record is not at log entry ${r.leafIndex} as the hub says`);
    if (entry.recordSha256 !== recordSha256(r.record)) throw unlogged(`request ${request.id}: the ${r.step} record served is not the one log entry ${r.leafIndex} commits to`);
    if (claimed.has(r.leafIndex)) throw unlogged(`log entry ${r.leafIndex} is claimed by two records`);
    claimed.add(r.leafIndex);
    return { step: entry.step, record: r.record, loggedAt: entry.ts, leafIndex: r.leafIndex };
  });
}

async function checkKeys(request: ListedDisclosure, entries: ReadonlyMap<number, Logged>, filedLeaf: number) {
  const entry = entries.get(request.agencyKeys.leafIndex);
  const keys = await parseAgencyKeySet(JSON.parse(request.agencyKeys.jwks) as unknown);
  if (entry?.kind !== 'agency' || entry.agency !== request.agency || entry.keysSha256 !== keysSha256(keys)) {
    throw new DisclosureError('AGENCY_KEY_MISMATCH', `request ${request.id}: its agency keys are not the ones log entry ${request.agencyKeys.leafIndex} registered for ${request.agency}`);
  }
  const newer = [...entries.values()].find((e) => e.kind === 'agency' && e.agency === request.agency && e.index > entry.index && e.index < filedLeaf);
  if (newer !== undefined) throw new DisclosureError('AGENCY_KEY_MISMATCH', `request ${request.id} was checked with keys ${request.agency} had replaced (log entry ${newer.index}) before it was filed`);
  return keys;
}

function tally(volume: Map<string, AgencyVolume>, agency: string, history: Awaited<ReturnType<typeof verifyHistory>>): void {
  const v = volume.get(agency) ?? { agency, requests: 0, membersAsked: 0, answered: 0, declined: 0, unanswered: 0, retrieved: 0, declineReasons: {} };
  v.requests++;
  v.membersAsked += history.members.length;
  for (const m of history.members) {
    if (m.outcome?.step === 'answered') v.answered++;
    else if (m.outcome?.step === 'declined') {
      v.declined++;
      v.declineReasons[m.outcome.reason ?? '?'] = (v.declineReasons[m.outcome.reason ?? '?'] ?? 0) + 1;
    } else v.unanswered++;
  }
  v.retrieved += history.retrievals.length;
  volume.set(agency, v);
}

/** The checks over what was already fetched: pure, so tests can hand it a doctored listing. */
export async function checkDisclosures(input: { entries: readonly Logged[]; requests: readonly ListedDisclosure[]; rootPem: string; treeSize: number }): Promise<DisclosureAuditReport> {
  const entries = new Map(input.entries.map((e) => [e.index, e]));
  const roots = pemToDerCertificates(input.rootPem);
  const claimed = new Set<number>();
  const volume = new Map<string, AgencyVolume>();
  for (const request of input.requests) {
    const records = loggedRecords(request, entries, claimed);
    const filed = records.find((r) => r.step === 'filed');
    const keys = await checkKeys(request, entries, filed?.leafIndex ?? Number.MAX_SAFE_INTEGER);
    const history = await verifyHistory(records, keys, { roots });
    if (history.request.agency !== request.agency) throw unlogged(`request ${request.id} is listed for ${request.agency} but was signed by ${history.request.agency}`);
    tally(volume, request.agency, history);
  }
  const unlisted = input.entries.find((e) => e.kind === 'disclosure' && !claimed.has(e.index));
  if (unlisted !== undefined) throw new DisclosureError('UNLISTED_DISCLOSURE', `log entry ${unlisted.index} records a ${(unlisted as DisclosureEntry).step} step of request ${(unlisted as DisclosureEntry).requestId} that the hub does not list`);
  const disclosureEntries = input.entries.filter((e) => e.kind === 'disclosure').length;
  return { treeSize: input.treeSize, requests: input.requests.length, entries: disclosureEntries, agencyKeyRegistrations: input.entries.length - disclosureEntries, volume: [...volume.values()].sort((a, b) => a.agency.localeCompare(b.agency)) };
}

const LIST_QUERY = `query($after: String) { disclosures(first: 200, after: $after) { requests { id agency records { step member record leafIndex } agencyKeys { agency jwks leafIndex } } pageInfo { hasNextPage endCursor } } }`;

type Page = { disclosures: { requests: Array<ListedDisclosure & { records: Array<{ step: string; member: string | null; record: string; leafIndex: number }> }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

/** The whole audit against a hub: the log through `client`, the listing through `graphql` (an audit:read token). */
export async function auditDisclosures(options: {
  client: LogClient;
  verifierKey: string;
  rootPem: string;
  clock: Clock;
  graphql: <T>(query: string, variables: Record<string, unknown>) => Promise<T>;
  onProgress?: (done: number, total: number) => void;
}): Promise<DisclosureAuditReport> {
  const entries: Logged[] = [];
  const report = await auditLog({
    client: options.client,
    verifierKey: options.verifierKey,
    clock: options.clock,
    onEntry: (index: number, entry: LogEntry) => {
      if (entry.kind === 'agency' || entry.kind === 'disclosure') entries.push({ ...entry, index });
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const requests = await listDisclosures(options.graphql, report.to);
  return checkDisclosures({ entries, requests, rootPem: options.rootPem, treeSize: report.to });
}

/**
 * Every disclosure request the hub lists to an audit:read token, with only the records logged
 * below `treeSize`: steps logged after the checkpoint a walk verified are not in it yet (they are
 * audited next run), and a request whose filing is not in it is left out.
 */
export async function listDisclosures(graphql: <T>(query: string, variables: Record<string, unknown>) => Promise<T>, treeSize: number): Promise<ListedDisclosure[]> {
  const requests: ListedDisclosure[] = [];
  let after: string | null = null;
  do {
    const page: Page = await graphql<Page>(LIST_QUERY, { after });
    requests.push(...page.disclosures.requests.map((r) => ({ ...r, records: r.records.map((x) => ({ ...x, step: x.step.toLowerCase() })) })));
    after = page.disclosures.pageInfo.hasNextPage ? page.disclosures.pageInfo.endCursor : null;
  } while (after !== null);
  return requests.map((r) => ({ ...r, records: r.records.filter((x) => x.leafIndex < treeSize) })).filter((r) => r.records.some((x) => x.step === 'filed'));
}
