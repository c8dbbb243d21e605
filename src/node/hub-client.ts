/**
 * The hub as a member node reaches it over HTTP: publishing a batch, reading the member feed,
 * and the log's verifier key. Every answer is attacker-controlled until checked: bodies are
 * parsed with zod and anything unexpected is a retryable failure or a HUB_MISBEHAVING error.
 */
import { z } from 'zod';
import { createTileLogClient, type LogClient } from '../audit/index.js';
import { isWildintelError } from '../kernel/index.js';
import { batchMediaType } from '../provenance/index.js';
import { NodeError } from './errors.js';
import type { BatchReceipt, Refusal } from './outbox.js';

export type PublishOutcome =
  | { readonly kind: 'accepted'; readonly receipt: BatchReceipt }
  | { readonly kind: 'refused'; readonly refusal: Refusal }
  | { readonly kind: 'retry'; readonly reason: string };

/** 4xx that say "not now" rather than "never": the same bytes may be accepted later. */
const RETRYABLE_STATUS = new Set([408, 425, 429]);
/**
 * Refusals that the same bytes outlive: a createdAt ahead of the hub's clock stops being ahead,
 * and a member not enrolled yet is enrolled by the hub operator (the batch then goes through).
 */
const RETRYABLE_CODES = new Set(['CLOCK_SKEW', 'UNKNOWN_MEMBER']);

const receiptSchema = z.object({
  batchId: z.string(),
  leafIndex: z.int().min(0),
  indicatorIds: z.array(z.string()),
  checkpoint: z.string().min(1).max(1 << 16),
  duplicate: z.boolean().default(false),
});
const errorSchema = z.object({ error: z.object({ code: z.string().max(100), message: z.string().max(2000).default(''), details: z.record(z.string(), z.unknown()).optional() }) });

export interface HubClientOptions {
  readonly hubUrl: string;
  /** A hub that has not answered by then counts as unreachable. */
  readonly timeoutMs?: number;
}

/** Sends a signed batch, a version 1 JWS (sealed before the upgrade) or a version 2 SD-JWT, exactly as stored. */
export async function postBatch(options: HubClientOptions, batch: string): Promise<PublishOutcome> {
  let res: Response;
  let body: unknown;
  try {
    res = await fetch(`${options.hubUrl}/v1/batches`, { method: 'POST', headers: { 'content-type': batchMediaType(batch) }, body: batch, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    body = await res.json().catch(() => undefined);
  } catch (err) {
    return { kind: 'retry', reason: networkReason(err) };
  }
  if (res.status === 200 || res.status === 201) {
    const receipt = receiptSchema.safeParse(body);
    return receipt.success ? { kind: 'accepted', receipt: receipt.data } : { kind: 'retry', reason: `HTTP ${res.status} without a receipt` };
  }
  const error = errorSchema.safeParse(body);
  const code = error.success ? error.data.error.code : `HTTP_${res.status}`;
  if (res.status >= 400 && res.status < 500 && !RETRYABLE_STATUS.has(res.status) && !RETRYABLE_CODES.has(code)) {
    const { message = res.statusText, details } = error.success ? error.data.error : {};
    return { kind: 'refused', refusal: { code, message, ...(details === undefined ? {} : { details }) } };
  }
  return { kind: 'retry', reason: `HTTP ${res.status} ${code}${error.success ? `: ${error.data.error.message}` : ''}` };
}

const feedSchema = z.object({
  items: z.array(z.object({ index: z.int().min(0), entry: z.string(), jws: z.string().optional(), sdJwt: z.string().optional(), opinion: z.string().max(16_384).optional(), warninglist: z.string().max(4 << 20).optional() })).max(10_000),
  next: z.int().min(-1),
  size: z.int().min(0),
  checkpoint: z.string().min(1).max(1 << 16),
});
export type FeedPage = z.infer<typeof feedSchema>;

/** Feed entries after `after` (exclusive; -1 for the start), authenticated with a member request token. */
export async function fetchFeed(options: HubClientOptions, token: string, after: number): Promise<FeedPage> {
  const query = after < 0 ? '' : `?after=${after}`;
  const body = await getJson(options, `/v1/feed${query}`, { authorization: `Bearer ${token}` });
  const page = feedSchema.safeParse(body);
  if (!page.success) throw new NodeError('HUB_MISBEHAVING', 'the feed answer is not {items, next, size, checkpoint}', { details: { check: 'feed-shape' } });
  return page.data;
}

/**
 * Records this member's opinion on an indicator at the hub (GraphQL reportOpinion, authenticated
 * by a member request token). The hub's refusals keep their meaning: NOT_FOUND (an indicator the
 * member cannot see) is UNKNOWN_INDICATOR, INVALID_OPINION stays itself.
 */
export async function postOpinion(options: HubClientOptions, token: string, input: { indicatorId: string; opinion: string; note?: string | undefined }): Promise<{ status: string; leafIndex: number }> {
  const res = await hubGraphql<{ reportOpinion?: { status: string; leafIndex: number } }>(
    options,
    token,
    'mutation($id: ID!, $o: OpinionVerdict!, $n: String) { reportOpinion(indicatorId: $id, opinion: $o, note: $n) { status leafIndex } }',
    { id: input.indicatorId, o: input.opinion, n: input.note ?? null },
  );
  const answer = res.data?.reportOpinion;
  if (answer !== undefined && typeof answer.leafIndex === 'number') return answer;
  const error = res.errors?.[0];
  if (error?.extensions?.code === 'NOT_FOUND') throw new NodeError('UNKNOWN_INDICATOR', 'the hub has no indicator by that id that this member may see', { details: { field: 'indicatorId' } });
  if (error?.extensions?.code === 'INVALID_OPINION') throw new NodeError('INVALID_OPINION', error.message, { details: { field: 'note' } });
  throw new NodeError('HUB_UNAVAILABLE', `the hub did not record the opinion (HTTP ${res.status}${error ? `: ${error.extensions?.code ?? error.message}` : ''})`);
}

/** The log's verifier key as the hub announces it (public GraphQL `checkpoint`), for trust on first use. */
export async function fetchLogVerifierKey(options: HubClientOptions): Promise<string> {
  const res = await hubGraphql<{ checkpoint?: { verifierKey?: unknown } }>(options, undefined, '{ checkpoint { verifierKey } }');
  const key = res.data?.checkpoint?.verifierKey;
  if (typeof key !== 'string') throw new NodeError('HUB_UNAVAILABLE', `the hub did not announce its log key (HTTP ${res.status})`);
  return key;
}

/** After a hub answered that it serves no tiles, how long the node uses its proof endpoints before trying tiles again. */
const NO_TILES_RETRY_MS = 10 * 60_000;

/**
 * The log as the node's audit reads it: from the hub's C2SP tiles when it serves them (entries
 * from entry bundles, proofs computed here from hash tiles, so a CDN or mirror in front of the
 * hub can answer), else from its proof endpoints. Either way every answer is verified against
 * signed checkpoints by the caller. A network failure or a 5xx is HUB_UNAVAILABLE (tried again
 * later); a 4xx or a malformed answer to a request the hub must be able to serve is
 * HUB_MISBEHAVING (evidence, raised as an alarm).
 */
export function createNodeLogClient(options: HubClientOptions, clock: () => number = Date.now): Pick<LogClient, 'entries' | 'inclusionProof' | 'consistencyProof'> {
  const endpoints = createProofEndpointClient(options);
  const tiles = createTileLogClient(options.hubUrl, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  let noTilesUntil = -Infinity;
  const viaTiles = async <T>(fromTiles: () => Promise<T>, fromEndpoints: () => Promise<T>): Promise<T> => {
    if (clock() < noTilesUntil) return fromEndpoints();
    try {
      return await fromTiles();
    } catch (err) {
      if (!isWildintelError(err)) throw err;
      if (err.code === 'TILES_UNAVAILABLE') {
        noTilesUntil = clock() + NO_TILES_RETRY_MS;
        return fromEndpoints();
      }
      if (err.code === 'HUB_UNREACHABLE') throw new NodeError('HUB_UNAVAILABLE', `cannot read the hub's log tiles: ${err.message}`, { cause: err });
      throw new NodeError('HUB_MISBEHAVING', `the hub's log tiles are malformed: ${err.message}`, { cause: err, details: { check: 'log-tiles' } });
    }
  };
  return {
    entries: (start, end) => viaTiles(() => tiles.entries(start, end), () => endpoints.entries(start, end)),
    inclusionProof: (index, size) => viaTiles(() => tiles.inclusionProof(index, size), () => endpoints.inclusionProof(index, size)),
    consistencyProof: (from, to) => viaTiles(() => tiles.consistencyProof(from, to), () => endpoints.consistencyProof(from, to)),
  };
}

function createProofEndpointClient(options: HubClientOptions): Pick<LogClient, 'entries' | 'inclusionProof' | 'consistencyProof'> {
  const hashes = async (path: string, field: 'entries' | 'proof'): Promise<Uint8Array[]> => {
    const body = (await getJson(options, path, {}, { misbehavingOn4xx: true })) as Record<string, unknown> | undefined;
    const list = body?.[field];
    if (!Array.isArray(list) || !list.every((h): h is string => typeof h === 'string')) {
      throw new NodeError('HUB_MISBEHAVING', `${path.split('?')[0]}: the answer has no ${field} list`, { details: { check: 'log-endpoint' } });
    }
    return list.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
  };
  return {
    entries: (start, end) => hashes(`/log/entries?start=${start}&end=${end}`, 'entries'),
    inclusionProof: (index, size) => hashes(`/log/proof/inclusion?index=${index}&size=${size}`, 'proof'),
    consistencyProof: (from, to) => hashes(`/log/proof/consistency?from=${from}&to=${to}`, 'proof'),
  };
}

export async function getJson(options: HubClientOptions, path: string, headers: Record<string, string>, { misbehavingOn4xx = false } = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${options.hubUrl}${path}`, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
  } catch (err) {
    throw new NodeError('HUB_UNAVAILABLE', `cannot reach the hub: ${networkReason(err)}`, { cause: err });
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = errorSchema.safeParse(body);
    const why = error.success ? `${error.data.error.code}: ${error.data.error.message}` : res.statusText;
    const code = misbehavingOn4xx && res.status < 500 ? 'HUB_MISBEHAVING' : 'HUB_UNAVAILABLE';
    throw new NodeError(code, `${path.split('?')[0]}: HTTP ${res.status} ${why}`, { details: { status: res.status, check: 'log-endpoint' } });
  }
  return body;
}

export interface GraphqlAnswer<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One GraphQL request to the hub (as a member when `token` is given); an unreachable hub is HUB_UNAVAILABLE. */
export async function hubGraphql<T>(options: HubClientOptions, token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(`${options.hubUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (err) {
    throw new NodeError('HUB_UNAVAILABLE', `cannot reach the hub: ${networkReason(err)}`, { cause: err });
  }
  const body = (await res.json().catch(() => undefined)) as Omit<GraphqlAnswer<T>, 'status'> | undefined;
  return { status: res.status, ...body };
}

export function networkReason(err: unknown): string {
  const e = err as Error;
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause instanceof Error ? e.cause.message : e.message;
}

/** Reports a flood this node measured (GraphQL reportFlood, as a member request): the hub quarantines the indicator for every node. */
export async function postFloodReport(options: HubClientOptions, token: string, report: { indicatorId: string; hits: number; scans: number; disputed: boolean }): Promise<{ quarantined: boolean }> {
  const res = await hubGraphql<{ reportFlood?: { quarantined: boolean } }>(
    options,
    token,
    'mutation($id: ID!, $h: Int!, $s: Int!, $d: Boolean) { reportFlood(indicatorId: $id, hits: $h, scans: $s, disputed: $d) { quarantined } }',
    { id: report.indicatorId, h: report.hits, s: report.scans, d: report.disputed },
  );
  const answer = res.data?.reportFlood;
  if (answer !== undefined) return answer;
  throw new NodeError('HUB_UNAVAILABLE', `the hub did not take the flood report (HTTP ${res.status}: ${res.errors?.[0]?.extensions?.code ?? 'no answer'})`);
}

