/**
 * The hub's quarantine: an indicator whose match rate says it hits ordinary listings, or whose
 * outcomes say the platforms confidently judge its hits benign (a HOLD precision verdict), is held
 * back from matching everywhere. The hub holds one on its own matchText rates, when a member node
 * reports its scan rates crossed the line, or when an accepted batch's outcomes make its precision
 * verdict HOLD; every one goes through holdDecision (./hold.ts). Each hold (and the operator's release) is
 * a `quarantine` log entry, which every node reads from the feed and applies. The publisher's
 * node raises an alarm on reading it; the operator sees a warning in the hub log, the
 * `wildintel_quarantines` NOTIFY and `wildintel quarantine list`.
 */
import type { DataSource } from 'typeorm';
import { WildintelError, type Clock, type Logger } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { DEFAULT_FLOOD_POLICY, HitRates, type FloodPolicy, type HitRate } from './flood.js';
import { holdDecision, type HoldEvidence, type HoldReason } from './hold.js';
import { DEFAULT_PRECISION_POLICY, type PrecisionPolicy } from './precision.js';

export const QUARANTINES_CHANNEL = 'wildintel_quarantines';
const RELOAD_MS = 5_000;

export interface QuarantineRecord {
  readonly indicatorId: string;
  readonly source: string;
  readonly reason: HoldReason;
  /** A flood's hits over scans; a PRECISION hold's NO_VIOLATION outcomes over all judged ones. */
  readonly hits: number;
  readonly scans: number;
  readonly heldAt: Date;
  readonly heldLeafIndex: number;
  readonly releasedAt: Date | null;
  readonly releasedLeafIndex: number | null;
}

export type QuarantineErrorCode = 'NOT_QUARANTINED' | 'INVALID_FLOOD_REPORT' | 'NOT_FOUND';
export class QuarantineError extends WildintelError<QuarantineErrorCode> {}

export interface QuarantineService {
  /** Holds `indicatorId` unless it is or was quarantined already (a release is a human's decision). */
  hold(indicatorId: string, source: string, reason: QuarantineRecord['reason'], rate: Pick<HitRate, 'hits' | 'scans'>): Promise<QuarantineRecord | undefined>;
  /** Holds `indicatorId` (as `hold`) when holdDecision says this evidence holds it; undefined when it does not, or it is or was held already. */
  decide(indicatorId: string, source: string, evidence: HoldEvidence): Promise<QuarantineRecord | undefined>;
  /**
   * After a batch with outcomes is accepted: each of these indicators whose live outcomes, from
   * every member, make its precision verdict HOLD is held with source `hub`.
   */
  judgePrecision(indicatorIds: readonly string[]): Promise<QuarantineRecord[]>;
  /** The operator releases it. Throws NOT_QUARANTINED. */
  release(indicatorId: string): Promise<QuarantineRecord>;
  /** Ids held now. */
  held(): Promise<ReadonlySet<string>>;
  list(): Promise<QuarantineRecord[]>;
  /**
   * The hub's own rates: records one matchText call's standing hits and holds each indicator
   * the rule calls a flood (`disputed` says which of them the federation disputes); `listing`
   * keys the text, so that one text asked again is counted once per window.
   */
  observe(ids: readonly string[], disputed: ReadonlySet<string>, listing: string): Promise<void>;
  /** This hub process's matchText rate of an indicator. */
  rate(indicatorId: string): HitRate;
}

interface Row {
  indicator_id: string;
  source: string;
  reason: QuarantineRecord['reason'];
  hits: number;
  scans: number;
  held_at: Date;
  held_leaf_index: string | number;
  released_at: Date | null;
  released_leaf_index: string | number | null;
}

function fromRow(r: Row): QuarantineRecord {
  return {
    indicatorId: r.indicator_id,
    source: r.source,
    reason: r.reason,
    hits: r.hits,
    scans: r.scans,
    heldAt: new Date(r.held_at),
    heldLeafIndex: Number(r.held_leaf_index),
    releasedAt: r.released_at === null ? null : new Date(r.released_at),
    releasedLeafIndex: r.released_leaf_index === null ? null : Number(r.released_leaf_index),
  };
}

export function createQuarantineService(deps: { db: DataSource; log: TransparencyLog; clock: Clock; logger: Logger; policy?: FloodPolicy; precision?: PrecisionPolicy }): QuarantineService {
  const policy = deps.policy ?? DEFAULT_FLOOD_POLICY;
  const policies = { flood: policy, precision: deps.precision ?? DEFAULT_PRECISION_POLICY };
  const rates = new HitRates(policy);
  let cache: { at: number; ids: ReadonlySet<string> } | undefined;
  const now = (): number => deps.clock.now().getTime();

  const held = async (): Promise<ReadonlySet<string>> => {
    if (cache !== undefined && now() - cache.at < RELOAD_MS) return cache.ids;
    const rows: Array<{ indicator_id: string }> = await deps.db.query(`SELECT indicator_id FROM quarantines WHERE released_at IS NULL`);
    return (cache = { at: now(), ids: new Set(rows.map((r) => r.indicator_id)) }).ids;
  };

  const hold: QuarantineService['hold'] = async (indicatorId, source, reason, rate) => {
    const record = await deps.db.transaction(async (tx) => {
      const rows: Row[] = await tx.query(
        `INSERT INTO quarantines (indicator_id, source, reason, hits, scans, held_at, held_leaf_index) VALUES ($1, $2, $3, $4, $5, $6, -1)
         ON CONFLICT (indicator_id) DO NOTHING RETURNING *`,
        [indicatorId, source, reason, rate.hits, rate.scans, deps.clock.now()],
      );
      if (rows.length === 0) return undefined;
      const { firstIndex } = await deps.log.append(tx, [{ kind: 'quarantine', indicatorId, action: 'hold', source }]);
      await tx.query(`UPDATE quarantines SET held_leaf_index = $2 WHERE indicator_id = $1`, [indicatorId, firstIndex]);
      await tx.query(`SELECT pg_notify($1, $2)`, [QUARANTINES_CHANNEL, indicatorId]);
      return fromRow({ ...rows[0]!, held_leaf_index: firstIndex });
    });
    if (record !== undefined) {
      cache = undefined;
      deps.logger.warn({ indicatorId, source, reason, hits: rate.hits, scans: rate.scans }, 'indicator quarantined: held back from matching until the operator releases it or its publisher retracts it (wildintel quarantine list)');
    }
    return record;
  };

  const decide: QuarantineService['decide'] = async (indicatorId, source, evidence) => {
    const decision = holdDecision(evidence, policies);
    return decision.hold ? hold(indicatorId, source, decision.reason, decision) : undefined;
  };

  return {
    hold,
    decide,
    held,
    async judgePrecision(indicatorIds) {
      if (indicatorIds.length === 0) return [];
      // Every member's live outcomes: the guard protects the whole federation, whoever may read the figures.
      const rows: Array<{ indicator_id: string; removals: number; no_violation: number }> = await deps.db.query(
        `SELECT indicator_id, count(*) FILTER (WHERE action IN ('REMOVED', 'ACCOUNT_SUSPENDED'))::int AS removals, count(*) FILTER (WHERE action = 'NO_VIOLATION')::int AS no_violation
         FROM outcomes WHERE indicator_id = ANY($1::text[]) AND retracted_at IS NULL GROUP BY indicator_id ORDER BY indicator_id`,
        [[...new Set(indicatorIds)]],
      );
      const held: QuarantineRecord[] = [];
      for (const r of rows) {
        const record = await decide(r.indicator_id, 'hub', { kind: 'precision', removals: r.removals, noViolation: r.no_violation });
        if (record !== undefined) held.push(record);
      }
      return held;
    },
    rate: (indicatorId) => rates.rate(indicatorId, now()),
    async observe(ids, disputed, listing) {
      const at = now();
      if (!rates.record(at, ids, listing)) return;
      for (const id of new Set(ids)) {
        await decide(id, 'hub', { kind: 'flood', rate: rates.rate(id, at), disputed: disputed.has(id) });
      }
    },
    async release(indicatorId) {
      const record = await deps.db.transaction(async (tx) => {
        const rows: Row[] = await tx.query(`SELECT * FROM quarantines WHERE indicator_id = $1 AND released_at IS NULL FOR UPDATE`, [indicatorId]);
        if (rows.length === 0) throw new QuarantineError('NOT_QUARANTINED', `indicator ${indicatorId} is not quarantined`, { details: { indicatorId } });
        const { firstIndex } = await deps.log.append(tx, [{ kind: 'quarantine', indicatorId, action: 'release', source: 'operator' }]);
        const updated: Row[] = await tx.query(`UPDATE quarantines SET released_at = $2, released_leaf_index = $3 WHERE indicator_id = $1 RETURNING *`, [indicatorId, deps.clock.now(), firstIndex]);
        return fromRow(updated[0]!);
      });
      cache = undefined;
      return record;
    },
    async list() {
      const rows: Row[] = await deps.db.query(`SELECT * FROM quarantines ORDER BY held_at DESC`);
      return rows.map(fromRow);
    },
  };
}
