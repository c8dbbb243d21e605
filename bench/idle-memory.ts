/**
 * Resident memory of idle processes (issue 27): the hub on Postgres, the hub on PGlite (a new
 * cluster, then the same data restarted) and a member node, each a real `wildintel` process,
 * measured from /proc/<pid>/status after it listened and sat idle. The JavaScript heap and
 * external memory come from the hub's own /metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestFederation } from '../test/helpers/federation.js';
import { spawnHub, spawnWildintel, type HubProcess } from '../test/helpers/hub-process.js';
import { nodeFixture, sharedPseudonymKey } from '../test/helpers/member-node.js';
import { createBenchDatabase } from './bench-db.js';

export interface IdleRow {
  process: string;
  rssMiB: number;
  heapUsedMiB?: number;
  externalMiB?: number;
}

export const IDLE_MEMORY_SECTION_TITLE = 'Idle memory: the hub and a member node';
const IDLE_MS = 10_000;
const MiB = 2 ** 20;

function rssMiB(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024);
}

async function idleHub(name: string, env: Record<string, string>): Promise<IdleRow> {
  const hub = await spawnHub({ LOG_LEVEL: 'info', ...env }, { timeoutMs: 300_000 });
  try {
    await fetch(`${hub.url}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const metric = (name: string): number => Math.round(Number(new RegExp(`^wildintel_${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) / MiB);
    return { process: name, rssMiB: rssMiB(hub.child.pid!), heapUsedMiB: metric('nodejs_heap_size_used_bytes'), externalMiB: metric('nodejs_external_memory_bytes') };
  } finally {
    await stop(hub);
  }
}

async function stop(p: HubProcess): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

export async function benchIdleMemory(onProgress: (line: string) => void = () => undefined): Promise<IdleRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-idle-'));
  const rows: IdleRow[] = [];
  const db = await createBenchDatabase();
  try {
    rows.push(await idleHub('hub on Postgres, empty store', { DATABASE_URL: db.url, DATA_DIR: path.join(dir, 'pg-data'), CERTS_DIR: path.join(dir, 'certs') }));
    const embedded = { DATA_DIR: path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs') };
    rows.push(await idleHub('hub on PGlite, first start (a new cluster)', embedded));
    rows.push(await idleHub('hub on PGlite, restarted', embedded));
    const fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
    const fixture = await nodeFixture(fed, await fed.addMember('shopmart'), await sharedPseudonymKey(dir), { LOG_LEVEL: 'info' });
    try {
      const node = await spawnWildintel(['node'], 'member node listening', fixture.env, { timeoutMs: 300_000 });
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      rows.push({ process: `member node on ${fixture.env['DATABASE_URL'] === undefined ? 'PGlite' : 'Postgres'}`, rssMiB: rssMiB(node.child.pid!) });
      await stop(node);
    } finally {
      await fixture.cleanup();
      await fed.close();
    }
    for (const row of rows) onProgress(`${row.process}: ${row.rssMiB} MiB`);
    return rows;
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function idleMemorySection(rows: readonly IdleRow[]): string[] {
  const target = (name: string): string => (name.startsWith('hub on Postgres') ? '≤ 200' : name.startsWith('hub') ? '≤ 350' : '≤ 200');
  return [
    `Each a real \`wildintel\` process, its resident memory (VmRSS) ${IDLE_MS / 1000} s after it listened and answered one request; heap and external memory from its own /metrics. docs/scaling.md says what each part costs.`,
    '',
    '| process | RSS MiB | JS heap used MiB | external MiB (PGlite’s WebAssembly memory) | target MiB |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.process} | **${r.rssMiB}** | ${r.heapUsedMiB ?? '—'} | ${r.externalMiB ?? '—'} | ${target(r.process)} |`),
  ];
}
