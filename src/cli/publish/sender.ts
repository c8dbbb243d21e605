import { setTimeout as sleep } from 'node:timers/promises';
import { batchMediaType } from '../../provenance/index.js';

export type SendOutcome =
  | { kind: 'accepted'; leafIndex: number; duplicate: boolean }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'failed'; message: string };

export interface SendOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Backoff before the second try; doubled for each one after, times a jitter of 0.5–1.5. */
  baseDelayMs?: number;
  /** A hub that has not answered by then is treated like a network failure (and retried). */
  timeoutMs?: number;
  random?: () => number;
}

/** 4xx that say "not now" rather than "never": the same bytes may succeed later. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * POSTs one batch; retries network errors, timeouts, 5xx and 408/425/429 with exponential backoff
 * and jitter (the bytes are the same each time, so a retry can never be counted twice); any other
 * 4xx is the hub's final refusal and is not retried.
 */
export async function sendBatch(hub: string, jws: string, { attempts = 6, baseDelayMs = 500, timeoutMs = 120_000, random = Math.random }: SendOptions = {}): Promise<SendOutcome> {
  let last = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(baseDelayMs * 2 ** (attempt - 1) * (0.5 + random()));
    try {
      const res = await fetch(`${hub.replace(/\/$/, '')}/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': batchMediaType(jws) },
        body: jws,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { leafIndex?: number; duplicate?: boolean; error?: { code: string; message: string } };
      if ((res.status === 200 || res.status === 201) && Number.isInteger(body.leafIndex)) {
        return { kind: 'accepted', leafIndex: Number(body.leafIndex), duplicate: body.duplicate === true };
      }
      if (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status)) {
        return { kind: 'refused', code: body.error?.code ?? `HTTP_${res.status}`, message: body.error?.message ?? res.statusText };
      }
      last = `HTTP ${res.status}: ${body.error?.message ?? (res.ok ? 'no receipt in the answer' : res.statusText)}`;
    } catch (err) {
      const e = err as Error;
      last = e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : e.cause instanceof Error ? e.cause.message : e.message;
    }
  }
  return { kind: 'failed', message: `the hub did not accept the batch after ${attempts} attempts (${last}); run the same command again to resume` };
}
