import { Gauge, type Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { readReportNumbers } from './stats.js';

/**
 * The intake's numbers as metrics, read from the database when scraped (nothing personal: counts,
 * times and volunteer names the operator gave).
 */
export function registerReportMetrics(registry: Registry, deps: { db: Pick<EntityManager, 'query'>; clock: Clock }): void {
  const registers = [registry];
  const numbers = () => readReportNumbers(deps.db, deps.clock.now());
  new Gauge({
    name: 'wildintel_node_reports',
    help: 'Public reports by state: open (waiting for review), confirmed, rejected',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const n = await numbers();
      this.set({ state: 'open' }, n.open);
      this.set({ state: 'confirmed' }, n.confirmed);
      this.set({ state: 'rejected' }, n.rejected);
    },
  });
  new Gauge({
    name: 'wildintel_node_reports_filed_today',
    help: 'Public reports filed today (UTC)',
    registers,
    async collect() {
      const days = (await numbers()).perDay;
      this.set(days[days.length - 1]?.filed ?? 0);
    },
  });
  new Gauge({
    name: 'wildintel_node_reports_refused',
    help: 'Public reports refused, by error code (rate limit, proof of work, duplicates, caps, bad input)',
    labelNames: ['code'] as const,
    registers,
    async collect() {
      for (const [code, count] of Object.entries((await numbers()).refused)) this.set({ code }, count);
    },
  });
  new Gauge({
    name: 'wildintel_node_reports_decision_seconds_median',
    help: 'Median time from filing to decision of public reports decided in the last 30 days',
    registers,
    async collect() {
      this.set((await numbers()).medianSecondsToDecision ?? 0);
    },
  });
  new Gauge({
    name: 'wildintel_node_reports_confirmed_ratio',
    help: 'Share of decided public reports that were confirmed',
    registers,
    async collect() {
      this.set((await numbers()).shareConfirmed ?? 0);
    },
  });
  new Gauge({
    name: 'wildintel_node_reviewer_agreement_ratio',
    help: "Each volunteer's agreement with moderators on reports both decided",
    labelNames: ['reviewer'] as const,
    registers,
    async collect() {
      for (const v of (await numbers()).volunteers) if (v.agreement !== null) this.set({ reviewer: v.name }, v.agreement);
    },
  });
}
