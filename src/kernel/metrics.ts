import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

// Required when a registry is made, not when the kernel loads: every CLI command loads the
// kernel, and prom-client costs a tenth of a second of start-up that only the servers need.
const require = createRequire(import.meta.url);

/**
 * prom-client's process and runtime metrics under `prefix`, less the three gauges it names
 * `*_total` (active handles, requests and resources summed over their types): promtool refuses
 * `_total` on a gauge, and the per-type gauges beside them sum to the same.
 */
const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** A registry per process role instance, so tests that start several hubs in one process do not collide. */
export function createMetricsRegistry(prefix = 'wildintel_'): Registry {
  const { Registry, collectDefaultMetrics } = require('prom-client') as typeof import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(`${prefix}${name}`);
  return registry;
}

/**
 * Label values a caller chooses (GraphQL operation names) bounded to `limit` distinct values:
 * the first ones seen keep their name, later ones and anything not shaped like a name count as
 * `other`, so a client cannot grow the metrics without bound.
 */
export function boundedLabel(limit: number, shape = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/): (value: string | null | undefined, fallback: string) => string {
  const seen = new Set<string>();
  return (value, fallback) => {
    if (value === null || value === undefined || value === '') return fallback;
    if (!shape.test(value)) return 'other';
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}
