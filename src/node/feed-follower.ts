/**
 * Follows the hub's member feed (`GET /v1/feed`, authenticated as this member, design.md item 7)
 * from where it stopped, and keeps the federation index current. Each page is checked before
 * anything in it is used:
 *   1. entries come in order, with no gap after the last one read;
 *   2. every entry is appended to the right edge of the Merkle tree (the node keeps it), and the
 *      page's checkpoint — verified and proven consistent by the witness — must have that tree
 *      as a prefix: one consistency proof covers the inclusion of every entry of the page;
 *   3. a batch's JWS (version 1) or SD-JWT's issuer-signed JWT (version 2) must hash to its entry's
 *      jwsSha256, and verify under the federation root (chain, signature, leaf naming the member,
 *      each disclosure matching a signed digest; revocations as the log itself recorded them), and
 *      name the same member, batch, TLP and count as the entry; of a version 2 batch the node keeps
 *      the items disclosed to it;
 *   4. an opinion's record must hash to its entry's recordSha256 and name the same party;
 *   5. `agency` and `disclosure` entries (hashes only) are kept, so that disclosure requests can
 *      be checked against the log itself (src/node/disclosure-log.ts);
 *   6. a `warninglist` entry's list must come with it and hash to its listSha256; it is then
 *      applied to /v1/scan (src/guards);
 *   7. a `quarantine` entry holds an indicator back from /v1/scan, or releases it; of one this
 *      member published, the node raises an alarm (INDICATOR_QUARANTINED).
 * A page that fails is not applied: the node raises an alarm and stops following until restart.
 */
import type { DataSource } from 'typeorm';
import { appendLeaf, rangeRoot, type CompactRange, type LogClient } from '../audit/index.js';
import { parseWarninglist, warninglistSha256, type Warninglist } from '../guards/index.js';
import { indicatorId, type PublishedIndicator } from '../indicators/index.js';
import { isWildintelError, sha256Base64url, type Clock, type Logger, type Random } from '../kernel/index.js';
import { vouchesFor } from '../pki/index.js';
import { createBatchVerifier, issuerJwtOf, loggedItemCount, signMemberRequest, type BatchSigner, type OutcomeItem, type VerifiedBatchView } from '../provenance/index.js';
import { storeFeedOutcomes } from './outcomes/index.js';
import { leafHash, parseEntry, verifyConsistency, type Checkpoint, type LogEntry } from '../tlog/index.js';
import type { Alarms } from './alarms.js';
import { NodeError } from './errors.js';
import { storeFeedBatch, storeFeedOpinions, unbacked, type FederationIndex, type FeedSighting } from './federation-index.js';
import { fetchFeed, type FeedPage, type HubClientOptions } from './hub-client.js';
import type { HubWitness } from './hub-witness.js';
import { isDisclosureLogEntry, storeDisclosureLog, type DisclosureLogEntry } from './disclosure-log.js';

export interface FeedFollowerDeps {
  readonly db: DataSource;
  readonly hub: HubClientOptions;
  readonly audience: string;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly rootsDer: readonly Uint8Array[];
  readonly client: Pick<LogClient, 'consistencyProof'>;
  readonly witness: HubWitness;
  readonly index: FederationIndex;
  readonly alarms: Alarms;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

interface FeedState {
  next: number;
  range: CompactRange;
  /** Serial → revocation time (ms), for the createdAt check. */
  revocations: Record<string, number>;
  /** Serial → index of its revocation entry, for the revocation rule. */
  revocationIndexes: Record<string, number>;
}

/** A party's verdict on an indicator, as its logged record says. */
export interface FeedOpinion {
  readonly indicatorId: string;
  readonly by: string;
  readonly verdict: 'CONFIRMED' | 'FALSE_POSITIVE';
  readonly leafIndex: number;
}

interface VerifiedFeedBatch {
  readonly member: string;
  readonly sightings: FeedSighting[];
  readonly retracted: string[];
  readonly leafIndex: number;
  /** The outcome items disclosed to this member (node/outcomes: acted on elsewhere). */
  readonly outcomes: OutcomeItem[];
}

export type FollowResult = 'caught-up' | 'more' | 'halted';

export interface FeedFollower {
  /** Reads and applies one page. */
  followOnce(): Promise<FollowResult>;
  readonly halted: boolean;
}

export function createFeedFollower(deps: FeedFollowerDeps): FeedFollower {
  let halted = false;
  return {
    get halted() {
      return halted;
    },
    async followOnce() {
      if (halted) return 'halted';
      const state = await readFeedState(deps.db);
      const page = await fetchFeed(deps.hub, await requestToken(deps), state.next - 1);
      try {
        const verified = await verifyPage(deps, state, page);
        await applyPage(deps, { ...verified, next: state.next + page.items.length });
      } catch (err) {
        if (isWildintelError(err) && err.code === 'HUB_UNAVAILABLE') throw err;
        halted = true;
        if (!(isWildintelError(err) && err.details?.['alarmed'] === true)) {
          await deps.alarms.raise(isWildintelError(err) ? String(err.details?.['check'] ?? err.code) : 'FEED_INVALID', `the feed from entry ${state.next} does not verify: ${(err as Error).message}`, { from: state.next });
        }
        deps.logger.error('stopped following the feed until restart: see the alarm');
        return 'halted';
      }
      return page.next + 1 >= page.size ? 'caught-up' : 'more';
    },
  };
}

function requestToken(deps: FeedFollowerDeps): Promise<string> {
  return signMemberRequest({ keyPem: deps.signer.keyPem, chainPem: deps.signer.chainPem, member: deps.member, audience: deps.audience, now: deps.clock.now(), jti: deps.random.uuid() });
}

async function readFeedState(db: DataSource): Promise<FeedState> {
  const [row]: Array<{ feed_next: string | number; feed_range: string[]; feed_revocations: Record<string, number>; feed_revocation_indexes: Record<string, number> }> = await db.query(
    `SELECT feed_next, feed_range, feed_revocations, feed_revocation_indexes FROM node_state WHERE id = 1`,
  );
  const next = Number(row?.feed_next ?? 0);
  return {
    next,
    range: { size: next, hashes: (row?.feed_range ?? []).map((h) => new Uint8Array(Buffer.from(h, 'base64'))) },
    revocations: { ...row?.feed_revocations },
    revocationIndexes: { ...row?.feed_revocation_indexes },
  };
}

function feedInvalid(check: string, message: string, cause?: unknown): NodeError {
  return new NodeError('HUB_MISBEHAVING', message, { cause, details: { check } });
}

interface LoggedWarninglist {
  readonly list: Warninglist;
  readonly leafIndex: number;
}

interface VerifiedPage extends FeedState {
  readonly batches: VerifiedFeedBatch[];
  readonly opinions: FeedOpinion[];
  readonly disclosures: DisclosureLogEntry[];
  readonly warninglists: LoggedWarninglist[];
  readonly quarantines: Array<Extract<LogEntry, { kind: 'quarantine' }> & { leafIndex: number }>;
}

async function verifyPage(deps: FeedFollowerDeps, state: FeedState, page: FeedPage): Promise<VerifiedPage> {
  let range = state.range;
  const revocations = { ...state.revocations };
  const revocationIndexes = { ...state.revocationIndexes };
  const verifier = createBatchVerifier({ roots: deps.rootsDer, isRevoked: (serial) => (revocations[serial] === undefined ? undefined : new Date(revocations[serial])), clock: deps.clock });
  const batches: VerifiedFeedBatch[] = [];
  const opinions: FeedOpinion[] = [];
  const disclosures: DisclosureLogEntry[] = [];
  const warninglists: LoggedWarninglist[] = [];
  const quarantines: VerifiedPage['quarantines'] = [];
  for (const [i, item] of page.items.entries()) {
    if (item.index !== state.next + i) throw feedInvalid('FEED_GAP', `entry ${item.index} came where entry ${state.next + i} was due`);
    const bytes = new Uint8Array(Buffer.from(item.entry, 'base64'));
    const entry = parseFeedEntry(bytes, item.index);
    range = appendLeaf(range, leafHash(bytes));
    if (entry.kind === 'revocation') {
      revocations[entry.serial] ??= entry.ts;
      revocationIndexes[entry.serial] ??= item.index;
    }
    const signed = item.jws ?? item.sdJwt;
    if (entry.kind === 'batch' && signed !== undefined) batches.push(await verifyFeedBatch(verifier, revocationIndexes, entry, signed, item.index));
    if (entry.kind === 'opinion' && item.opinion !== undefined) opinions.push(verifyFeedOpinion(entry, item.opinion, item.index));
    if (isDisclosureLogEntry(entry)) disclosures.push({ ...entry, leafIndex: item.index });
    if (entry.kind === 'warninglist') warninglists.push({ list: verifyFeedWarninglist(entry, item.warninglist, item.index), leafIndex: item.index });
    if (entry.kind === 'quarantine') quarantines.push({ ...entry, leafIndex: item.index });
  }
  if (range.size > 0) await proveIncluded(deps, range, await deps.witness.observe(page.checkpoint));
  return { next: range.size, range, revocations, revocationIndexes, batches, opinions, disclosures, warninglists, quarantines };
}

/** Every member is sent every list: one missing, or not the one logged, is the hub misbehaving. */
function verifyFeedWarninglist(entry: Extract<LogEntry, { kind: 'warninglist' }>, text: string | undefined, index: number): Warninglist {
  if (text === undefined) throw feedInvalid('WARNINGLIST_MISSING', `entry ${index} logs warninglist ${entry.name} version ${entry.version}, and the feed did not carry it`);
  let list: Warninglist;
  try {
    list = parseWarninglist(JSON.parse(text));
  } catch (cause) {
    throw feedInvalid('WARNINGLIST_MISMATCH', `the warninglist of entry ${index} is not a well-formed list`, cause);
  }
  if (warninglistSha256(list) !== entry.listSha256 || list.name !== entry.name || list.version !== entry.version) {
    throw feedInvalid('WARNINGLIST_MISMATCH', `the warninglist of entry ${index} is not the one its entry logs`);
  }
  return list;
}

function parseFeedEntry(bytes: Uint8Array, index: number): LogEntry {
  try {
    return parseEntry(bytes);
  } catch (cause) {
    throw feedInvalid('MALFORMED_ENTRY', `entry ${index} is not a well-formed log entry`, cause);
  }
}

async function verifyFeedBatch(verifier: ReturnType<typeof createBatchVerifier>, revocationIndexes: Readonly<Record<string, number>>, entry: Extract<LogEntry, { kind: 'batch' }>, batch: string, index: number): Promise<VerifiedFeedBatch> {
  if (sha256Base64url(issuerJwtOf(batch)) !== entry.jwsSha256) throw feedInvalid('BATCH_HASH_MISMATCH', `the batch served with entry ${index} is not the one the entry commits to`);
  let view: VerifiedBatchView;
  try {
    view = await verifier.verifyView(batch, new Date(entry.ts));
  } catch (cause) {
    throw feedInvalid('BATCH_INVALID', `the batch of entry ${index} does not verify: ${(cause as Error).message}`, cause);
  }
  const { envelope, chain } = view;
  const revokedAt = revocationIndexes[chain.leafSerialHex];
  if (!vouchesFor(revokedAt === undefined ? undefined : { index: revokedAt, reason: 'logged' }, index)) {
    throw feedInvalid('BATCH_AFTER_REVOCATION', `the batch of entry ${index} is signed by certificate ${chain.leafSerialHex}, whose revocation the log recorded earlier at entry ${revokedAt}: the hub accepted it after the revocation`);
  }
  if (envelope.member !== entry.member || envelope.batchId !== entry.batchId || envelope.tlp !== entry.tlp || loggedItemCount(view) !== entry.count) {
    throw feedInvalid('BATCH_INVALID', `the batch of entry ${index} does not match its entry (member, batch id, TLP or count)`);
  }
  const disclosed = view.indicators.filter((i) => i !== undefined) as unknown as PublishedIndicator[];
  const sightings = disclosed.flatMap((i): FeedSighting[] =>
    i.type === 'KEYWORD' || i.type === 'IMAGE_PDQ'
      ? [{ indicatorId: indicatorId(i.type, i.value), member: envelope.member, type: i.type, value: i.value, quality: i.type === 'IMAGE_PDQ' ? i.quality : undefined, commodity: i.commodity, tlp: envelope.tlp, expiresAt: i.expiresAt, leafIndex: index }]
      : [],
  );
  const outcomes = view.outcomes.filter((o): o is OutcomeItem => o !== undefined);
  return { member: envelope.member, sightings, retracted: view.retractions.flatMap((r) => (r === undefined ? [] : [r.indicatorId])), leafIndex: index, outcomes };
}

function verifyFeedOpinion(entry: Extract<LogEntry, { kind: 'opinion' }>, record: string, index: number): FeedOpinion {
  if (sha256Base64url(record) !== entry.recordSha256) throw feedInvalid('OPINION_HASH_MISMATCH', `the opinion served with entry ${index} is not the one the entry commits to`);
  let parsed: { indicatorId?: unknown; by?: unknown; verdict?: unknown };
  try {
    parsed = JSON.parse(record) as typeof parsed;
  } catch (cause) {
    throw feedInvalid('OPINION_INVALID', `the opinion of entry ${index} is not JSON`, cause);
  }
  const { indicatorId: id, by, verdict } = parsed;
  if (typeof id !== 'string' || by !== entry.by || (verdict !== 'CONFIRMED' && verdict !== 'FALSE_POSITIVE')) {
    throw feedInvalid('OPINION_INVALID', `the opinion of entry ${index} does not match its entry (party, indicator or verdict)`);
  }
  return { indicatorId: id, by, verdict, leafIndex: index };
}

/** The node's tree of every entry read must be a prefix of the signed checkpoint's tree. */
async function proveIncluded(deps: FeedFollowerDeps, range: CompactRange, checkpoint: Checkpoint): Promise<void> {
  if (range.size > checkpoint.size) throw feedInvalid('INCONSISTENT_PROOF', `the feed served ${range.size} entries with a checkpoint of only ${checkpoint.size}`);
  const proof = range.size === checkpoint.size ? [] : await deps.client.consistencyProof(range.size, checkpoint.size);
  try {
    verifyConsistency(range.size, checkpoint.size, proof, rangeRoot(range), checkpoint.root);
  } catch (cause) {
    throw feedInvalid('ROOT_MISMATCH', `the feed's entries 0..${range.size - 1} are not the first entries of the signed log of ${checkpoint.size}`, cause);
  }
}

async function applyPage(deps: FeedFollowerDeps, page: VerifiedPage): Promise<void> {
  const { batches, opinions, disclosures, warninglists, quarantines, ...state } = page;
  const retracted = [...new Set(batches.flatMap((b) => b.retracted))];
  const gone = await deps.db.transaction(async (tx) => {
    for (const batch of batches) {
      await storeFeedBatch(tx, batch.member, batch.sightings, batch.retracted);
      await storeFeedOutcomes(tx, batch.member, batch.leafIndex, batch.outcomes);
    }
    await storeFeedOpinions(tx, opinions);
    await storeDisclosureLog(tx, disclosures);
    for (const q of quarantines) {
      await tx.query(
        `INSERT INTO node_feed_quarantines (indicator_id, action, source, leaf_index) VALUES ($1, $2, $3, $4)
         ON CONFLICT (indicator_id) DO UPDATE SET action = EXCLUDED.action, source = EXCLUDED.source, leaf_index = EXCLUDED.leaf_index`,
        [q.indicatorId, q.action, q.source, q.leafIndex],
      );
    }
    for (const w of warninglists) {
      await tx.query(`INSERT INTO node_feed_warninglists (name, version, list, leaf_index) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING`, [w.list.name, w.list.version, JSON.stringify(w.list), w.leafIndex]);
    }
    await tx.query(`UPDATE node_state SET feed_next = $1, feed_range = $2::jsonb, feed_revocations = $3::jsonb, feed_revocation_indexes = $4::jsonb, feed_at = $5 WHERE id = 1`, [
      state.next,
      JSON.stringify(state.range.hashes.map((h) => Buffer.from(h).toString('base64'))),
      JSON.stringify(state.revocations),
      JSON.stringify(state.revocationIndexes),
      deps.clock.now(),
    ]);
    return unbacked(tx, retracted);
  });
  for (const batch of batches) for (const s of batch.sightings) deps.index.add(s);
  for (const id of gone) deps.index.remove(id);
  deps.index.addWarninglists(warninglists.map((w) => w.list));
  for (const q of quarantines) await applyQuarantine(deps, q);
}

/** Holds or releases the indicator; the publisher is alerted that its indicator floods the federation. */
async function applyQuarantine(deps: FeedFollowerDeps, q: VerifiedPage['quarantines'][number]): Promise<void> {
  deps.index.setQuarantined(q.indicatorId, q.action === 'hold');
  if (q.action !== 'hold') return;
  const ours: unknown[] = await deps.db.query(`SELECT 1 FROM node_sightings WHERE indicator_id = $1 LIMIT 1`, [q.indicatorId]);
  if (ours.length > 0) {
    await deps.alarms.raise('INDICATOR_QUARANTINED', `indicator ${q.indicatorId}, which this member published, matched too many listings and is held back from matching everywhere (decided by ${q.source}, log entry ${q.leafIndex}): retract it, or ask the operator to release it`, { indicatorId: q.indicatorId, leafIndex: q.leafIndex, source: q.source });
  }
}
