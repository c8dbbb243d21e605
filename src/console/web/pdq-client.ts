import type { HashReply, HashRequest } from './pdq-worker.js';

let worker: Worker | undefined;
let next = 1;
const pending = new Map<number, (reply: HashReply) => void>();

/** PDQ of a photo, computed in the console's worker (the photo never leaves the browser). */
export function hashPhoto(file: Blob): Promise<Extract<HashReply, { ok: true }>> {
  if (worker === undefined) {
    worker = new Worker('/console/pdq-worker.js', { type: 'module', name: 'pdq' });
    worker.onmessage = (ev: MessageEvent<HashReply>) => {
      pending.get(ev.data.id)?.(ev.data);
      pending.delete(ev.data.id);
    };
  }
  const id = next++;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => (reply.ok ? resolve(reply) : reject(new Error(reply.error))));
    worker!.postMessage({ id, file } satisfies HashRequest);
  });
}
