import { Counter, Gauge, type Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { ImageHasher } from '../hashing/index.js';
import { createMetricsRegistry, type Clock } from '../kernel/index.js';

/**
 * The member node's metrics (`GET /metrics` on the platform API port, no key: nothing in them
 * is personal data): the outbox, dead letters and image hashing, read from the node's database
 * and hasher when scraped, beside the process and runtime metrics.
 */
export function createNodeMetrics(deps: { db: Pick<EntityManager, 'query'>; images: ImageHasher; clock: Clock }): Registry {
  const registry = createMetricsRegistry();
  const registers = [registry];
  const outbox = async (): Promise<{ pending: number; queued: number; oldest: Date | null; dead: number }> => {
    const [row]: Array<{ pending: string | number; queued: string | number; oldest: Date | null; dead: string | number }> = await deps.db.query(
      `SELECT (SELECT count(*) FROM node_pending) AS pending, (SELECT min(received_at) FROM node_pending) AS oldest,
              (SELECT count(*) FROM node_batches WHERE state = 'queued') AS queued, (SELECT count(*) FROM node_dead_letters) AS dead`,
    );
    return { pending: Number(row?.pending ?? 0), queued: Number(row?.queued ?? 0), oldest: row?.oldest == null ? null : new Date(row.oldest), dead: Number(row?.dead ?? 0) };
  };
  new Gauge({
    name: 'wildintel_node_outbox_items',
    help: 'Indicators and retractions in the outbox not yet signed into a batch (pending), and batches signed but not yet taken by the hub (queued_batches)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const o = await outbox();
      this.set({ state: 'pending' }, o.pending);
      this.set({ state: 'queued_batches' }, o.queued);
    },
  });
  new Gauge({
    name: 'wildintel_node_outbox_oldest_pending_age_seconds',
    help: 'How long the oldest pending item has waited to be signed (0 when none waits)',
    registers,
    async collect() {
      const { oldest } = await outbox();
      this.set(oldest === null ? 0 : Math.max(0, (deps.clock.now().getTime() - oldest.getTime()) / 1000));
    },
  });
  new Gauge({ name: 'wildintel_node_dead_letters', help: 'Items the hub refused for good (never published; see node status)', registers, async collect() { this.set((await outbox()).dead); } });
  new Counter({
    name: 'wildintel_node_images_hashed_total',
    help: 'Images decoded and PDQ-hashed (observations and scans); its rate is the hash rate',
    registers,
    collect() {
      this.reset();
      this.inc(deps.images.stats().hashed);
    },
  });
  new Gauge({
    name: 'wildintel_node_image_decodes',
    help: 'Image decodes running (at most NODE_IMAGE_DECODES) and waiting for a turn',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const { active, waiting } = deps.images.stats();
      this.set({ state: 'active' }, active);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  new Gauge({
    name: 'wildintel_node_image_decode_bytes',
    help: 'Bytes the image decodes running hold (counted from their headers), the most held at once since start, and the decode memory they share',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const { decodeBytes, peakDecodeBytes, decodeMemory } = deps.images.stats();
      this.set({ state: 'held' }, decodeBytes);
      this.set({ state: 'peak' }, peakDecodeBytes);
      this.set({ state: 'limit' }, decodeMemory);
    },
  });
  return registry;
}
