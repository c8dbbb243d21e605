/**
 * graphql-ws spoken by hand over a raw WebSocket, so that tests (and the fuzzer) can send what a
 * well-behaved client library never would, and see every message and the close code.
 */
import WebSocket from 'ws';

export interface RawGraphqlWs {
  /** Sends a `subscribe` message and collects what comes back for its id until `complete`, an `error`, or the socket closes. */
  /** `raw`: `payload` is JSON text put into the message as it is (what JSON.stringify could not make, e.g. 20,000 nested arrays). */
  subscribe(payload: unknown, options?: { id?: string; timeoutMs?: number; raw?: boolean }): Promise<RawOutcome>;
  send(message: unknown): void;
  /** The close code and reason, once closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export type RawOutcome =
  | { kind: 'error'; errors: Array<{ message: string; extensions?: Record<string, unknown> }> }
  | { kind: 'next'; payload: Record<string, unknown> }
  | { kind: 'complete' }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'timeout' };

/** Opens `/graphql` with subprotocol graphql-transport-ws and completes connection_init with `authorization`. */
export async function openRawGraphqlWs(url: string, authorization?: string): Promise<RawGraphqlWs> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const listeners = new Set<(m: Record<string, unknown>) => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('message', (data) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const l of listeners) l(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const acked = new Promise<void>((resolve, reject) => {
    const l = (m: Record<string, unknown>): void => {
      if (m['type'] === 'connection_ack') {
        listeners.delete(l);
        resolve();
      }
    };
    listeners.add(l);
    void closed.then((c) => reject(new Error(`closed ${c.code} ${c.reason} before connection_ack`)));
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: authorization === undefined ? {} : { authorization } }));
  await acked;
  let next = 0;
  return {
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    subscribe(payload, { id = `s${++next}`, timeoutMs = 5000, raw = false } = {}) {
      return new Promise<RawOutcome>((resolve) => {
        const done = (outcome: RawOutcome): void => {
          clearTimeout(timer);
          listeners.delete(l);
          resolve(outcome);
        };
        const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
        const l = (m: Record<string, unknown>): void => {
          if (m['id'] !== id) return;
          if (m['type'] === 'error') done({ kind: 'error', errors: m['payload'] as never });
          else if (m['type'] === 'next') done({ kind: 'next', payload: m['payload'] as never });
          else if (m['type'] === 'complete') done({ kind: 'complete' });
        };
        listeners.add(l);
        void closed.then((c) => done({ kind: 'closed', ...c }));
        socket.send(raw ? `{"id":${JSON.stringify(id)},"type":"subscribe","payload":${String(payload)}}` : JSON.stringify({ id, type: 'subscribe', payload }));
      });
    },
    async close() {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
      await closed;
    },
  };
}
