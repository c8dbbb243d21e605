/**
 * The hub's disclosure routes as a member node reaches them (authenticated with a member request
 * token): the requests routed to this member, and sending a signed step record. Answers are
 * attacker-controlled until checked: shapes are parsed here, content is verified by the desk.
 */
import { z } from 'zod';
import { NodeError } from './errors.js';
import { getJson, networkReason, type HubClientOptions } from './hub-client.js';

const routedSchema = z.object({
  requests: z
    .array(
      z.object({
        requestId: z.string().max(64),
        request: z.string().max(64 * 1024),
        filedLeafIndex: z.int().min(0),
        routed: z.string().max(128 * 1024),
        routedLeafIndex: z.int().min(0),
        agencyKeys: z.string().max(16 * 1024),
        agencyKeysLeafIndex: z.int().min(0),
        state: z.string().max(32),
      }),
    )
    .max(1000),
});
export type ServedRequest = z.infer<typeof routedSchema>['requests'][number];

export async function fetchRoutedRequests(options: HubClientOptions, token: string): Promise<ServedRequest[]> {
  const body = await getJson(options, '/v1/disclosures', { authorization: `Bearer ${token}` });
  const parsed = routedSchema.safeParse(body);
  if (!parsed.success) throw new NodeError('HUB_MISBEHAVING', 'the disclosures answer is not {requests: […]}', { details: { check: 'disclosure-shape' } });
  return parsed.data.requests;
}

export type StepOutcome =
  | { readonly kind: 'recorded'; readonly leafIndex: number }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'retry'; readonly reason: string };

const receiptSchema = z.object({ leafIndex: z.int().min(0), recordSha256: z.string() });
const errorSchema = z.object({ error: z.object({ code: z.string().max(100), message: z.string().max(2000).default(''), details: z.record(z.string(), z.unknown()).optional() }) });

/** Sends a step. A record the hub already holds (ANSWER_REPLAYED, with its index) counts as recorded. */
export async function postStep(options: HubClientOptions, token: string, requestId: string, record: string): Promise<StepOutcome> {
  let res: Response;
  let body: unknown;
  try {
    res = await fetch(`${options.hubUrl}/v1/disclosures/${encodeURIComponent(requestId)}/steps`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose', authorization: `Bearer ${token}` },
      body: record,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    body = await res.json().catch(() => undefined);
  } catch (err) {
    return { kind: 'retry', reason: networkReason(err) };
  }
  if (res.status === 201) {
    const receipt = receiptSchema.safeParse(body);
    return receipt.success ? { kind: 'recorded', leafIndex: receipt.data.leafIndex } : { kind: 'retry', reason: 'HTTP 201 without a receipt' };
  }
  const error = errorSchema.safeParse(body);
  if (!error.success) return { kind: 'retry', reason: `HTTP ${res.status}` };
  const { code, message, details } = error.data.error;
  if (code === 'ANSWER_REPLAYED' && typeof details?.['leafIndex'] === 'number') return { kind: 'recorded', leafIndex: details['leafIndex'] };
  if (res.status >= 500 || res.status === 429 || res.status === 401) return { kind: 'retry', reason: `HTTP ${res.status} ${code}: ${message}` };
  return { kind: 'refused', code, message };
}
