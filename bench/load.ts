/**
 * A small closed-loop HTTP load generator for the benchmarks: `concurrency` clients each send
 * the next request as soon as the previous answer arrives, for `seconds`. Keep-alive agent,
 * bounded in time and count. Reports throughput and latency percentiles.
 */
import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export async function runLoad(options: { url: string; concurrency: number; seconds: number; maxRequests?: number; body: (i: number) => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; payload?: string } }): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const max = options.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (performance.now() < deadline && issued < max) {
      const spec = options.body(issued++);
      const t0 = performance.now();
      const ok = await send(agent, target, spec);
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  return { requests: latencies.length, errors, seconds: round(seconds), perSecond: round(latencies.length / seconds), p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99) };
}

function send(agent: Agent, target: URL, spec: { method: string; path: string; headers?: Record<string, string>; payload?: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ agent, host: target.hostname, port: target.port, method: spec.method, path: spec.path, headers: { ...(spec.payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.payload) } : {}), ...spec.headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end(spec.payload);
  });
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1]! + sorted[mid]!) / 2);
}
