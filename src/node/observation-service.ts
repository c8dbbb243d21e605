/**
 * What the platform API and `wildintel node import` call: observations in, indicators out, and
 * retractions. Validation and hashing happen before anything is written, so an invalid
 * observation refuses the whole request with nothing queued; then the vault records and the
 * pending indicators are written in one transaction, durable before the caller gets an answer.
 */
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { InvalidIndicatorError, observedAtOutOfRange, SELLER_IDENTIFIER_KINDS, type IndicatorType } from '../indicators/index.js';
import type { Clock } from '../kernel/index.js';
import type { AnonymizedObservation, Anonymizer } from './anonymizer.js';
import { NodeError } from './errors.js';
import { firstIssue, invalidObservation, type Observation } from './observation.js';
import { enqueue, retractIndicator, type PendingItem, type RetractionOutcome } from './outbox.js';
import { storePseudonyms, type Vault } from './vault.js';

export interface IndicatorMade {
  readonly type: IndicatorType;
  readonly id: string;
  readonly value: string;
  /** IMAGE_PDQ only. */
  readonly quality?: number;
}

export interface RetractionDone {
  readonly indicatorIds: readonly string[];
  readonly status: Exclude<RetractionOutcome, 'unknown'>;
}

export interface ObservationService {
  /** The indicators made from each observation, in order. Throws INVALID_OBSERVATION. */
  submit(observations: readonly Observation[]): Promise<IndicatorMade[][]>;
  /** Throws INVALID_RETRACTION or UNKNOWN_INDICATOR (with the index); nothing is done then. */
  retract(body: unknown): Promise<RetractionDone[]>;
}

export interface ObservationServiceDeps {
  readonly db: DataSource;
  readonly anonymizer: Anonymizer;
  readonly vault: Vault;
  readonly clock: Clock;
  /** Called once new items are pending (wakes the publisher). */
  readonly onQueued?: () => void;
}

export function createObservationService(deps: ObservationServiceDeps): ObservationService {
  return {
    async submit(observations) {
      const made: AnonymizedObservation[] = [];
      const now = deps.clock.now();
      // One at a time: image hashing is CPU-bound, and the node shares its cores with the platform.
      for (const [index, observation] of observations.entries()) {
        assertObservedInRange(observation, index, now);
        made.push(await deps.anonymizer.anonymize(observation, index));
      }
      const sealed = made.flatMap((m) => m.pseudonyms.map((p) => deps.vault.seal(p.fingerprint, p.keyId, p.identifier)));
      const items = made.flatMap((m) => m.indicators.map((i): PendingItem => ({ kind: 'indicator', tlp: m.tlp, id: i.id, indicator: i.indicator })));
      await deps.db.transaction(async (tx) => {
        await storePseudonyms(tx, sealed, now);
        await enqueue(tx, items, now);
      });
      deps.onQueued?.();
      return made.map((m) =>
        m.indicators.map(({ id, indicator }) => ({ type: indicator.type, id, value: indicator.value, ...(indicator.type === 'IMAGE_PDQ' && indicator.quality !== undefined ? { quality: indicator.quality } : {}) })),
      );
    },

    async retract(body) {
      const requests = parseRetractions(body);
      const targets = requests.map((r, index) => ({ ids: targetIds(deps.anonymizer, r, index), reason: r.reason ?? DEFAULT_REASON }));
      const now = deps.clock.now();
      const done = await deps.db.transaction(async (tx) => {
        const results: RetractionDone[] = [];
        for (const [index, target] of targets.entries()) {
          const outcomes = new Map<string, RetractionOutcome>();
          for (const id of target.ids) outcomes.set(id, await retractIndicator(tx, id, target.reason, now));
          const known = [...outcomes].filter(([, o]) => o !== 'unknown');
          // Throwing rolls back the whole request: it is all or nothing, like observations.
          if (known.length === 0) throw new NodeError('UNKNOWN_INDICATOR', `retraction ${index}: this node never published or queued that indicator`, { details: { index } });
          results.push({ indicatorIds: known.map(([id]) => id), status: strongest(known.map(([, o]) => o)) });
        }
        return results;
      });
      deps.onQueued?.();
      return done;
    },
  };
}

/** The hub's bound on observedAt, applied against now: the batch is created later, so it holds there too. */
function assertObservedInRange(observation: Observation, index: number, now: Date): void {
  const outOfRange = observedAtOutOfRange(observation.observedAt, now.getTime());
  if (outOfRange !== undefined) throw invalidObservation(index, 'observedAt', outOfRange, undefined, 'OBSERVED_AT_OUT_OF_RANGE');
}

const DEFAULT_REASON = 'withdrawn';
/** Published in the batch: a slug, so that no free text (and no personal data) rides along. */
const reason = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a slug such as false-positive or withdrawn (it is published)').optional();
const retractionSchema = z.union([
  z.strictObject({ indicatorId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an indicator id (43 base64url characters)'), reason }),
  z.strictObject({ identifier: z.strictObject({ type: z.enum(SELLER_IDENTIFIER_KINDS), value: z.string().min(1).max(1024) }), reason }),
  z.strictObject({ text: z.string().min(1).max(1000), reason }),
]);
type RetractionRequest = z.infer<typeof retractionSchema>;
const envelope = z.strictObject({ retractions: z.array(z.unknown()).min(1).max(1000) });

function parseRetractions(body: unknown): RetractionRequest[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) throw invalidRetraction(-1, firstIssue(parsed.error));
  return parsed.data.retractions.map((item, index) => {
    const one = retractionSchema.safeParse(item);
    if (!one.success) throw invalidRetraction(index, firstIssue(one.error));
    return one.data;
  });
}

function invalidRetraction(index: number, { field, reason: why }: { field: string; reason: string }): NodeError {
  return new NodeError('INVALID_RETRACTION', `${index < 0 ? '' : `retraction ${index}: `}${field} ${why}`, { details: { index, field } });
}

/** A raw identifier names one indicator per pseudonym key epoch; text names its keyword. */
function targetIds(anonymizer: Anonymizer, request: RetractionRequest, index: number): string[] {
  if ('indicatorId' in request) return [request.indicatorId];
  try {
    if ('identifier' in request) return anonymizer.sellerIndicatorIds({ kind: request.identifier.type, value: request.identifier.value });
    return [anonymizer.keywordIndicatorId(request.text)];
  } catch (err) {
    if (err instanceof NodeError) throw new NodeError('INVALID_RETRACTION', `retraction ${index}: ${err.message.replace(/^observation \d+: /, '')}`, { details: { ...err.details, index } });
    if (err instanceof InvalidIndicatorError) throw invalidRetraction(index, { field: 'text', reason: err.reason });
    throw err;
  }
}

const ORDER: readonly RetractionOutcome[] = ['queued', 'withdrawn', 'already-retracted'];
function strongest(outcomes: readonly RetractionOutcome[]): Exclude<RetractionOutcome, 'unknown'> {
  return (ORDER.find((o) => outcomes.includes(o)) ?? 'already-retracted') as Exclude<RetractionOutcome, 'unknown'>;
}
