/**
 * Flood quarantine at the node (src/guards/flood.ts): every /v1/scan counts towards each
 * indicator's share of the listings this node scanned. When an indicator crosses the rule, the
 * node holds it back from its own scans at once, raises an alarm for its operator, and reports it
 * to the hub, which quarantines it for every node (a `quarantine` log entry read from the feed).
 */
import { DEFAULT_FLOOD_POLICY, floodVerdict, HitRates, type FloodPolicy } from '../guards/index.js';
import { sha256Base64url, type Logger } from '../kernel/index.js';
import type { Alarms } from './alarms.js';
import type { FederationIndex, ScanResult } from './federation-index.js';
import { NodeError } from './errors.js';

export interface FloodWatchDeps {
  readonly index: FederationIndex;
  readonly alarms: Alarms;
  readonly logger: Logger;
  readonly now: () => number;
  /** Sends the report to the hub (reportFlood). */
  readonly report: (r: { indicatorId: string; hits: number; scans: number; disputed: boolean }) => Promise<unknown>;
  readonly policy?: FloodPolicy;
}

export interface FloodWatch {
  /** Counts one scan of `text` and what it hit; holds and reports each indicator that floods. */
  observe(text: string | undefined, result: ScanResult): Promise<void>;
}

export function createFloodWatch(deps: FloodWatchDeps): FloodWatch {
  const policy = deps.policy ?? DEFAULT_FLOOD_POLICY;
  const rates = new HitRates(policy);
  return {
    async observe(text, result) {
      if (text === undefined) return;
      const at = deps.now();
      if (!rates.record(at, result.keywords.map((k) => k.indicatorId), sha256Base64url(text))) return;
      for (const hit of result.keywords) {
        if (deps.index.isQuarantined(hit.indicatorId)) continue;
        const rate = rates.rate(hit.indicatorId, at);
        const disputed = hit.status === 'DISPUTED';
        if (!floodVerdict(rate, policy, disputed).quarantine) continue;
        deps.index.setQuarantined(hit.indicatorId, true);
        await deps.alarms.raise('INDICATOR_FLOODING', `indicator ${hit.indicatorId} (${hit.keyword}) hit ${rate.hits} of the last ${rate.scans} listings scanned: held back from this node's scans and reported to the hub`, { indicatorId: hit.indicatorId, hits: rate.hits, scans: rate.scans });
        deps.report({ indicatorId: hit.indicatorId, hits: rate.hits, scans: rate.scans, disputed }).catch((err: unknown) => {
          deps.logger.warn({ err: err instanceof NodeError ? err.message : err, indicatorId: hit.indicatorId }, 'could not report a flood to the hub: held here only');
        });
      }
    },
  };
}
