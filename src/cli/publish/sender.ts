import { setTimeout as sleep } from 'node:timers/promises';

export type SendOutcome =
  | { kind: 'accepted'; leafIndex: number; duplicate: boolean }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'failed'; message: string };

/**
 * POSTs one batch; retries network errors and 5xx with exponential backoff and jitter
 * (the bytes are the same each time, so a retry can never be counted twice); 4xx is final.
 */
export async function sendBatch(hub: string, jws: string, { attempts = 6, baseDelayMs = 500, random = Math.random } = {}): Promise<SendOutcome> {
  let last = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(baseDelayMs * 2 ** (attempt - 1) * (0.5 + random()));
    try {
      const res = await fetch(`${hub.replace(/\/$/, '')}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
      const body = (await res.json().catch(() => ({}))) as { leafIndex?: number; duplicate?: boolean; error?: { code: string; message: string } };
      if (res.status === 200 || res.status === 201) return { kind: 'accepted', leafIndex: Number(body.leafIndex), duplicate: body.duplicate === true };
      if (res.status >= 400 && res.status < 500) return { kind: 'refused', code: body.error?.code ?? `HTTP_${res.status}`, message: body.error?.message ?? res.statusText };
      last = `HTTP ${res.status}: ${body.error?.message ?? res.statusText}`;
    } catch (err) {
      last = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    }
  }
  return { kind: 'failed', message: `the hub did not accept the batch after ${attempts} attempts (${last}); run the same command again to resume` };
}
