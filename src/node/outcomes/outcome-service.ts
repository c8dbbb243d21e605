/**
 * Outcomes at the member node: the platform's outcome about a listing or seller it reported is
 * mapped to the indicators this member published for it (never the platform's raw reference, which
 * stays in node_outcomes), and queued as outcome items through the same outbox and publisher as
 * sightings, at the highest TLP its sightings were published with (an outcome is as sensitive as
 * its sightings: the hub decides on the same facts). All or nothing per request.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidIndicatorError, isListingPseudonym, TLPS, type Tlp } from '../../indicators/index.js';
import { updateReturning } from '../../db/index.js';
import type { Clock, Random } from '../../kernel/index.js';
import { MAX_ACTED_AHEAD_MS, type OutcomeAction } from '../../provenance/index.js';
import type { Anonymizer } from '../anonymizer.js';
import { NodeError } from '../errors.js';
import { enqueue } from '../outbox.js';
import { parseOutcomeRequests, parseOutcomeRetractions, type OutcomeTarget } from './outcome-request.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface OutcomeRecorded {
  readonly outcomeIds: readonly string[];
  readonly indicatorIds: readonly string[];
}

export interface OutcomeView {
  readonly outcomeId: string;
  readonly indicatorId: string;
  readonly action: OutcomeAction;
  readonly actedAt: string;
  readonly reference: string | null;
  readonly recordedAt: string;
  /** `pending` until sealed into a batch, then `published`; `retracted` once withdrawn. */
  readonly state: 'pending' | 'published' | 'retracted';
}

export interface OutcomeService {
  /** POST /v1/outcomes. @throws NodeError `INVALID_OUTCOME` | `UNKNOWN_INDICATOR` (details.index) */
  record(body: unknown): Promise<OutcomeRecorded[]>;
  /** POST /v1/outcomes/retractions. @throws NodeError `INVALID_OUTCOME` | `UNKNOWN_OUTCOME` (details.index) */
  retract(body: unknown): Promise<Array<{ outcomeIds: string[] }>>;
  /**
   * GET /v1/outcomes. `listing` is a raw listing id or URL (mapped here to its pseudonym under
   * every key held: it goes nowhere) or a pseudonym lp1.…: the outcomes about indicators this node
   * published as sighted in that listing. @throws NodeError `MALFORMED_REQUEST` (details.field listing)
   */
  list(filter: { reference?: string; indicatorId?: string; listing?: string }): Promise<OutcomeView[]>;
}

/** What listOutcomes filters by: `listings` are pseudonyms (lp1.…), any of which matches. */
export interface OutcomeFilter {
  readonly reference?: string;
  readonly indicatorId?: string;
  readonly listings?: readonly string[];
}

export interface OutcomeServiceDeps {
  readonly db: DataSource;
  readonly anonymizer: Pick<Anonymizer, 'sellerIndicatorIds' | 'keywordIndicatorId' | 'listingPseudonyms'>;
  readonly clock: Clock;
  readonly random: Pick<Random, 'uuid'>;
  readonly onQueued?: () => void;
}

export function createOutcomeService(deps: OutcomeServiceDeps): OutcomeService {
  return {
    async record(body) {
      const now = deps.clock.now();
      const requests = parseOutcomeRequests(body, now, MAX_ACTED_AHEAD_MS);
      const targets = requests.map((r, index) => targetIds(deps.anonymizer, r.target, index));
      const recorded = await deps.db.transaction(async (tx) => {
        const results: OutcomeRecorded[] = [];
        for (const [index, request] of requests.entries()) {
          const published = await publishedTlps(tx, targets[index]!);
          if (published.size === 0) throw new NodeError('UNKNOWN_INDICATOR', `item ${index}: this node never published or queued what the outcome concerns (or retracted it)`, { details: { index } });
          const outcomeIds: string[] = [];
          for (const [indicatorId, tlp] of published) {
            const outcomeId = deps.random.uuid();
            const item = { outcomeId, indicatorId, action: request.action, actedAt: request.actedAt.toISOString() };
            await tx.query(
              `INSERT INTO node_outcomes (outcome_id, indicator_id, action, acted_at, tlp, reference, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [outcomeId, indicatorId, request.action, request.actedAt, tlp, request.reference ?? null, now],
            );
            await enqueue(tx, [{ kind: 'outcome', tlp, id: indicatorId, item }], now);
            outcomeIds.push(outcomeId);
          }
          results.push({ outcomeIds, indicatorIds: [...published.keys()] });
        }
        return results;
      });
      deps.onQueued?.();
      return recorded;
    },

    async retract(body) {
      const requests = parseOutcomeRetractions(body);
      const now = deps.clock.now();
      const done = await deps.db.transaction(async (tx) => {
        const results: Array<{ outcomeIds: string[] }> = [];
        for (const [index, request] of requests.entries()) {
          const live = await updateReturning<{ outcome_id: string; indicator_id: string; tlp: Tlp }>(
            tx,
            `UPDATE node_outcomes SET retracted_at = $2, retract_reason = $3 WHERE ${'outcomeId' in request.by ? 'outcome_id = $1::uuid' : 'reference = $1'} AND retracted_at IS NULL RETURNING outcome_id::text, indicator_id, tlp`,
            ['outcomeId' in request.by ? request.by.outcomeId : request.by.reference, now, request.reason],
          );
          if (live.length === 0) throw new NodeError('UNKNOWN_OUTCOME', `item ${index}: no live outcome of this node by that ${'outcomeId' in request.by ? 'id' : 'reference'}`, { details: { index } });
          for (const o of live) await withdraw(tx, o, request.reason, now);
          results.push({ outcomeIds: live.map((o) => o.outcome_id) });
        }
        return results;
      });
      deps.onQueued?.();
      return done;
    },

    list: async ({ listing, ...filter }) => listOutcomes(deps.db, listing === undefined ? filter : { ...filter, listings: listingPseudonymsOf(deps.anonymizer, listing) }),
  };
}

/** An outcome not sealed yet is simply dropped (never published); a published one gets an outcome retraction. */
async function withdraw(tx: Queryable, o: { outcome_id: string; indicator_id: string; tlp: Tlp }, reason: string, now: Date): Promise<void> {
  const dropped = await updateReturning<{ seq: string }>(tx, `DELETE FROM node_pending WHERE outcome AND body->>'outcomeId' = $1 RETURNING seq`, [o.outcome_id]);
  if (dropped.length > 0) return;
  await enqueue(tx, [{ kind: 'outcome', tlp: o.tlp, id: o.indicator_id, item: { outcomeId: o.outcome_id, indicatorId: o.indicator_id, reason } }], now);
}

/**
 * Of these indicator ids, those this member has a live sighting of (published in a batch the hub
 * did not refuse, or pending), each with the highest TLP among them.
 */
async function publishedTlps(tx: Queryable, ids: readonly string[]): Promise<Map<string, Tlp>> {
  const rows: Array<{ indicator_id: string; tlp: Tlp }> = await tx.query(
    `SELECT s.indicator_id, s.tlp FROM node_sightings s JOIN node_batches b ON b.seq = s.batch_seq WHERE s.indicator_id = ANY($1::text[]) AND s.retracted_in IS NULL AND b.state <> 'refused'
     UNION ALL SELECT indicator_id, tlp FROM node_pending WHERE indicator_id = ANY($1::text[]) AND NOT retraction AND NOT outcome`,
    [ids],
  );
  const highest = new Map<string, Tlp>();
  for (const r of rows) {
    const known = highest.get(r.indicator_id);
    if (known === undefined || TLPS.indexOf(r.tlp) > TLPS.indexOf(known)) highest.set(r.indicator_id, r.tlp);
  }
  return highest;
}

/** A raw identifier names one indicator per pseudonym key epoch; text names its keyword. */
function targetIds(anonymizer: OutcomeServiceDeps['anonymizer'], target: OutcomeTarget, index: number): string[] {
  if ('indicatorId' in target) return [target.indicatorId];
  try {
    if ('identifier' in target) return anonymizer.sellerIndicatorIds({ kind: target.identifier.type, value: target.identifier.value });
    return [anonymizer.keywordIndicatorId(target.text)];
  } catch (err) {
    const field = 'identifier' in target ? 'identifier' : 'text';
    if (err instanceof NodeError || err instanceof InvalidIndicatorError) throw new NodeError('INVALID_OUTCOME', `item ${index}: ${field} cannot be read`, { details: { index, field } });
    throw err;
  }
}

/** A pseudonym as it is; a raw listing id or URL as its pseudonym under every key held. */
function listingPseudonymsOf(anonymizer: Pick<Anonymizer, 'listingPseudonyms'>, listing: string): string[] {
  if (isListingPseudonym(listing)) return [listing];
  try {
    return anonymizer.listingPseudonyms(listing);
  } catch (err) {
    if (err instanceof InvalidIndicatorError) throw new NodeError('MALFORMED_REQUEST', `listing ${err.message}`, { details: { field: 'listing' } });
    throw err;
  }
}

export async function listOutcomes(db: Queryable, filter: OutcomeFilter): Promise<OutcomeView[]> {
  const rows: Array<{ outcome_id: string; indicator_id: string; action: OutcomeAction; acted_at: Date; reference: string | null; recorded_at: Date; retracted: boolean; pending: boolean }> = await db.query(
    `SELECT o.outcome_id::text, o.indicator_id, o.action, o.acted_at, o.reference, o.recorded_at, o.retracted_at IS NOT NULL AS retracted,
            EXISTS (SELECT 1 FROM node_pending p WHERE p.outcome AND p.body->>'outcomeId' = o.outcome_id::text) AS pending
     FROM node_outcomes o WHERE ($1::text IS NULL OR o.reference = $1) AND ($2::text IS NULL OR o.indicator_id = $2)
       AND ($3::text[] IS NULL OR o.indicator_id IN (SELECT l.indicator_id FROM node_listing_sightings l WHERE l.listing = ANY($3::text[])))
     ORDER BY o.recorded_at, o.outcome_id LIMIT 1000`,
    [filter.reference ?? null, filter.indicatorId ?? null, filter.listings === undefined ? null : [...filter.listings]],
  );
  return rows.map((r) => ({
    outcomeId: r.outcome_id,
    indicatorId: r.indicator_id,
    action: r.action,
    actedAt: new Date(r.acted_at).toISOString(),
    reference: r.reference,
    recordedAt: new Date(r.recorded_at).toISOString(),
    state: r.retracted ? 'retracted' : r.pending ? 'pending' : 'published',
  }));
}
