/**
 * A platform's moderation pipeline in miniature: it posts observations to its member node's
 * platform API at a steady pace (code words in Chinese and English, seller e-mail addresses and
 * accounts, now and then a product photo) and remembers every indicator the node said it made.
 * Every value is unique to its node and sequence number, so that at the hub each indicator id
 * of a member must have exactly one sighting.
 */
import { testPicture } from './member-node.js';

export interface MadeIndicator {
  readonly type: string;
  readonly id: string;
  readonly value: string;
}

export interface Feeder {
  /** Every indicator the node answered with, in order. */
  readonly made: readonly MadeIndicator[];
  readonly requests: number;
  /** Requests the node did not answer with 200, with why. */
  readonly errors: readonly string[];
  stop(): Promise<void>;
}

export interface FeederOptions {
  readonly intervalMs: number;
  readonly observationsPerRequest: number;
  /** Every n-th request also carries a photo (0: never). */
  readonly imageEvery?: number;
  readonly onRequest?: (ms: number, ok: boolean) => void;
}

const CODE_WORDS = ['象牙手镯', '穿山甲鳞片', '犀角杯', '虎骨酒', 'white gold bangle', 'ivory carving', 'rhino horn cup', 'pangolin scales'];
const COMMODITIES = ['IVORY', 'PANGOLIN', 'RHINO_HORN', 'TIGER'] as const;

/** `n` observations of a node, numbered from `seq`, and a photo after them if asked. */
export async function observationsFor(slug: string, seq: number, n: number, withImage: boolean): Promise<object[]> {
  const observations: object[] = [];
  for (let i = seq; i < seq + n; i++) {
    const common = { commodity: COMMODITIES[i % COMMODITIES.length], confidence: 50 + (i % 50), observedAt: new Date().toISOString(), tlp: i % 4 === 0 ? 'GREEN' : 'AMBER' };
    const tag = `${slug} ${i.toString(36)}`;
    if (i % 3 === 1) observations.push({ kind: 'seller', identifier: i % 2 === 0 ? { type: 'email', value: `${slug}.seller.${i}@example.org` } : { type: 'account', value: `${tag}-acct` }, ...common });
    else observations.push({ kind: 'keyword', text: `${CODE_WORDS[i % CODE_WORDS.length]} ${tag}`, language: i % 2 === 0 ? 'zh' : 'en', ...common });
  }
  if (withImage) {
    const picture = await testPicture(hashSeed(`${slug}:${seq}`));
    observations.push({ kind: 'image', data: picture.toString('base64'), commodity: 'IVORY', confidence: 70, observedAt: new Date().toISOString() });
  }
  return observations;
}

export function startFeeder(node: { readonly url: string; readonly apiKey: string; readonly slug: string }, options: FeederOptions): Feeder {
  const made: MadeIndicator[] = [];
  const errors: string[] = [];
  let requests = 0;
  let seq = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const withImage = options.imageEvery !== undefined && options.imageEvery > 0 && requests % options.imageEvery === 0;
      const observations = await observationsFor(node.slug, seq, options.observationsPerRequest, withImage);
      requests++;
      const started = performance.now();
      let ok = false;
      try {
        const res = await fetch(`${node.url}/v1/observations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${node.apiKey}` },
          body: JSON.stringify({ observations }),
        });
        const body = (await res.json()) as { indicators?: MadeIndicator[][]; error?: { code: string; message: string } };
        if (res.status === 200 && body.indicators?.length === observations.length) {
          ok = true;
          made.push(...body.indicators.flat().map(({ type, id, value }) => ({ type, id, value })));
          seq += options.observationsPerRequest;
        } else {
          errors.push(`${node.slug}: HTTP ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim());
        }
      } catch (err) {
        errors.push(`${node.slug}: ${(err as Error).message}`);
      }
      const ms = performance.now() - started;
      options.onRequest?.(ms, ok);
      if (!stopped) await new Promise((r) => setTimeout(r, Math.max(0, options.intervalMs - ms)));
    }
  })();
  return {
    made,
    errors,
    get requests() {
      return requests;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.codePointAt(0)!, 16777619) >>> 0;
  return h;
}
