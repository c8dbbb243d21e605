import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { boundedLabel, createMetricsRegistry, isWildintelError } from '../kernel/index.js';
import type { IngestService } from '../ingest/index.js';
import type { TransparencyLog } from '../tlog/index.js';

/** Distinct sets of GraphQL root fields kept as labels; the rest count as `other`. */
export const MAX_OPERATION_LABELS = 100;

export interface HubMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Counts a GraphQL operation by its root fields (bounded) and outcome. */
  graphqlOperation(rootFields: string | null | undefined, outcome: GraphQLOutcome): void;
  /** The ingest service, counting batches and indicators by outcome and refusal code. */
  instrumentIngest(ingest: IngestService): IngestService;
  /** The log, timing every append. */
  instrumentLog(log: TransparencyLog): TransparencyLog;
  /** Gauges read when scraped, from what the hub holds. */
  observe(sources: HubGaugeSources): void;
}

export type GraphQLOutcome = 'ok' | 'partial' | 'refused' | 'error';

export interface HubGaugeSources {
  logSize(): Promise<number>;
  matchIndexSizes(): { images: number; keywords: number };
  accessAuditQueue(): number;
  /** Referrals not acknowledged within REFERRAL_ACK_HOURS, and those not acknowledged at all yet. */
  referrals(): Promise<{ overdue: number; unacknowledged: number }>;
}

/** Indicator-level refusals: the code names one indicator (or retraction) of the batch. */
const INDICATOR_CODES = new Set(['INVALID_INDICATOR', 'IDENTIFIER_IN_VALUE', 'UNKNOWN_SIGHTING']);

export function createMetrics(): HubMetrics {
  const registry = createMetricsRegistry();
  const registers = [registry];
  const httpDuration = new Histogram({
    name: 'wildintel_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern (src/hub/routes.ts) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const batches = new Counter({ name: 'wildintel_batches_total', help: 'Signed batches received, by outcome (accepted, duplicate, refused, failed) and refusal code', labelNames: ['outcome', 'code'] as const, registers });
  const indicators = new Counter({ name: 'wildintel_indicators_total', help: 'Indicators in batches: accepted, or refused (the indicator a refusal names) by code', labelNames: ['outcome', 'code'] as const, registers });
  const appendSeconds = new Histogram({ name: 'wildintel_log_append_duration_seconds', help: 'Time to append entries to the transparency log and sign its checkpoint, inside the caller transaction', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers });
  const operations = new Counter({ name: 'wildintel_graphql_operations_total', help: `GraphQL operations over HTTP by the root fields they ask for (first ${MAX_OPERATION_LABELS} sets, then other; never the operation name) and outcome`, labelNames: ['fields', 'outcome'] as const, registers });
  const fieldsLabel = boundedLabel(MAX_OPERATION_LABELS, /^[A-Za-z_][A-Za-z0-9_+]{0,255}$/);
  return {
    registry,
    httpDuration,
    graphqlOperation: (rootFields, outcome) => operations.inc({ fields: fieldsLabel(rootFields, 'unparsed'), outcome }),
    instrumentIngest: (ingest) => ({
      async accept(jws) {
        try {
          const receipt = await ingest.accept(jws);
          batches.inc({ outcome: receipt.duplicate ? 'duplicate' : 'accepted', code: '' });
          if (!receipt.duplicate) indicators.inc({ outcome: 'accepted', code: '' }, receipt.indicatorIds.length);
          return receipt;
        } catch (err) {
          const code = isWildintelError(err) ? err.code : 'INTERNAL_SERVER_ERROR';
          batches.inc({ outcome: isWildintelError(err) ? 'refused' : 'failed', code });
          if (INDICATOR_CODES.has(code)) indicators.inc({ outcome: 'refused', code });
          throw err;
        }
      },
    }),
    instrumentLog: (log) => ({
      ...log,
      origin: log.origin,
      verifierKey: log.verifierKey,
      async append(tx, entries) {
        const end = appendSeconds.startTimer();
        try {
          return await log.append(tx, entries);
        } finally {
          end();
        }
      },
    }),
    observe(sources) {
      new Gauge({ name: 'wildintel_log_entries', help: 'Entries in the transparency log (its size)', registers, async collect() { this.set(await sources.logSize()); } });
      new Gauge({
        name: 'wildintel_match_index_entries',
        help: 'Entries in the in-memory matching indexes, by index (pdq: image hashes, keywords: code words)',
        labelNames: ['index'] as const,
        registers,
        collect() {
          const { images, keywords } = sources.matchIndexSizes();
          this.set({ index: 'pdq' }, images);
          this.set({ index: 'keywords' }, keywords);
        },
      });
      new Gauge({ name: 'wildintel_access_audit_queue_depth', help: 'Access records waiting to be written (answers wait for theirs)', registers, collect() { this.set(sources.accessAuditQueue()); } });
      new Gauge({
        name: 'wildintel_referrals_unacknowledged',
        help: 'Referrals from members no agency has acknowledged yet, by whether they are overdue (past REFERRAL_ACK_HOURS)',
        labelNames: ['overdue'] as const,
        registers,
        async collect() {
          const { overdue, unacknowledged } = await sources.referrals();
          this.set({ overdue: 'true' }, overdue);
          this.set({ overdue: 'false' }, unacknowledged - overdue);
        },
      });
    },
  };
}
