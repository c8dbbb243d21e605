/**
 * A federation of real processes, for the failure suite and the soak: a hub (`wildintel hub`) on a
 * uniquely named database of a Postgres server (created here, dropped by `close()`), and member
 * nodes (`wildintel node`), each on its own embedded PGlite, reaching the hub directly or through
 * a TcpProxy the caller breaks. Members are enrolled and tokens issued through the CLI, as the
 * operators do; the hub restarts on the port it first took, so nodes and proxy find it again.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeMigrations } from '../../migrations/node/index.js';
import { createServerDatabase, seedPgliteDataDir } from '../../src/db/test-database.js';
import { systemRandom } from '../../src/kernel/index.js';
import { newApiKey, newPseudonymKeyFile, type NodeStatus } from '../../src/node/index.js';
import { runCli, spawnHub, spawnWildintel, type HubProcess } from './hub-process.js';
import { queryOnce } from './pg-query.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export const HUB_ORIGIN = 'http://hub.test';

export interface FederationNode {
  readonly slug: string;
  /** The node's platform API. */
  readonly url: string;
  readonly apiKey: string;
  readonly env: Record<string, string>;
  readonly process: HubProcess;
}

export interface ProcessFederation {
  readonly dir: string;
  readonly databaseUrl: string;
  readonly hubEnv: Record<string, string>;
  /** The hub itself (not the proxy). */
  readonly hubUrl: string;
  /** The hub process running now. */
  readonly hub: HubProcess;
  readonly proxy: TcpProxy | undefined;
  readonly nodes: readonly FederationNode[];
  readonly logKey: string;
  readonly rootCert: string;
  killHub(): Promise<void>;
  /** Starts the hub again on its port (after killHub). */
  restartHub(): Promise<HubProcess>;
  /** A real agency token, issued by the CLI (the agency is registered on first use). */
  token(agency: string, scope: string, tlp?: string): Promise<string>;
  /** A query on the hub's database, on a connection of its own (it survives a server restart). */
  hubQuery<T>(sql: string, params?: unknown[]): Promise<T[]>;
  status(node: FederationNode): Promise<NodeStatus>;
  /** Waits until no node has anything left to sign, send or audit; returns their statuses. */
  drained(timeoutMs: number): Promise<NodeStatus[]>;
  /** SIGTERM to every node; resolves when they have exited (their databases are then free to open). */
  stopNodes(): Promise<void>;
  close(): Promise<void>;
}

export interface FederationOptions {
  /** The Postgres server, e.g. postgres://postgres@127.0.0.1:5432/postgres */
  readonly server: string;
  readonly members: readonly string[];
  /** Nodes reach the hub through a TcpProxy. */
  readonly proxy?: boolean;
  readonly hubEnv?: Record<string, string>;
  readonly nodeEnv?: Record<string, string>;
  readonly databasePrefix?: string;
}

export async function startProcessFederation(options: FederationOptions): Promise<ProcessFederation> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wildintel-federation-'));
  const database = await createServerDatabase(options.server, options.databasePrefix ?? 'wildintel_test');
  const started: HubProcess[] = [];
  let proxy: TcpProxy | undefined;
  const cleanup = async (): Promise<void> => {
    await Promise.all(started.map(stop));
    await proxy?.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const hubEnv: Record<string, string> = {
      DATABASE_URL: database.url,
      DATA_DIR: path.join(dir, 'hub'),
      CERTS_DIR: path.join(dir, 'certs'),
      HUB_ORIGIN,
      HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '3000',
      ...options.hubEnv,
    };
    let hub = await spawnHub(hubEnv);
    started.push(hub);
    const hubPort = new URL(hub.url).port;
    const logKey = /verifier key\s+(\S+)/.exec(await cli(['hub', 'keys'], hubEnv))?.[1];
    if (logKey === undefined) throw new Error('`wildintel hub keys` printed no verifier key');
    if (options.proxy) proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(hubPort) });
    const pseudonymFile = path.join(dir, 'pseudonym-key.json');
    await writeFile(pseudonymFile, newPseudonymKeyFile('2026-01', systemRandom), { mode: 0o600 });
    const rootCert = path.join(hubEnv['CERTS_DIR']!, 'dev/root.pem');
    const nodes = await Promise.all(
      options.members.map(async (slug): Promise<FederationNode> => {
        const home = path.join(dir, slug);
        await mkdir(path.join(home, 'data'), { recursive: true });
        await seedPgliteDataDir(path.join(home, 'data'), nodeMigrations);
        await cli(['member', 'create', slug, '--out', home], hubEnv);
        const { key: apiKey, line } = newApiKey('pipeline', systemRandom);
        await writeFile(path.join(home, 'api-keys'), `${line}\n`, { mode: 0o600 });
        const env: Record<string, string> = {
          DATA_DIR: path.join(home, 'data'),
          HOST: '127.0.0.1',
          NODE_PORT: '0',
          NODE_KEY_FILE: path.join(home, 'key.pem'),
          NODE_CERT_FILE: path.join(home, 'cert.pem'),
          NODE_API_KEYS_FILE: path.join(home, 'api-keys'),
          PSEUDONYM_KEYS_FILE: pseudonymFile,
          ROOT_CA_CERT: rootCert,
          HUB_URL: proxy?.url ?? hub.url,
          HUB_AUDIENCE: HUB_ORIGIN,
          HUB_LOG_KEY: logKey,
          DEFAULT_PHONE_REGION: 'CN',
          SHUTDOWN_TIMEOUT_MS: '3000',
          ...options.nodeEnv,
        };
        const node = await spawnWildintel(['node'], 'member node listening', env, { timeoutMs: 90_000 });
        started.push(node);
        return { slug, url: node.url, apiKey, env, process: node };
      }),
    );
    const agencies = new Map<string, Promise<string>>();
    const status = async (node: FederationNode): Promise<NodeStatus> => {
      const res = await fetch(`${node.url}/v1/status`, { headers: { authorization: `Bearer ${node.apiKey}` }, signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`${node.slug}: GET /v1/status answered ${res.status}`);
      return (await res.json()) as NodeStatus;
    };
    return {
      dir,
      databaseUrl: database.url,
      hubEnv,
      hubUrl: hub.url,
      get hub() {
        return hub;
      },
      proxy,
      nodes,
      logKey,
      rootCert,
      async killHub() {
        hub.child.kill('SIGKILL');
        await hub.exited;
      },
      async restartHub() {
        hub = await spawnHub({ ...hubEnv, PORT: hubPort });
        started.push(hub);
        return hub;
      },
      async token(agency, scope, tlp = 'RED') {
        if (!agencies.has(agency)) agencies.set(agency, cli(['agency', 'add', agency, '--name', agency], hubEnv));
        await agencies.get(agency);
        return cli(['token', 'issue', '--agency', agency, '--sub', `${agency}-analyst`, '--scope', scope, '--tlp', tlp, '--ttl', '8h'], hubEnv);
      },
      hubQuery: <T>(sql: string, params: unknown[] = []): Promise<T[]> => queryOnce<T>(database.url, sql, params),
      status,
      async drained(timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const statuses = await Promise.all(nodes.map(status));
          if (statuses.every((s) => s.outbox.pending === 0 && s.outbox.queued === 0 && s.audit.pending === 0)) return statuses;
          if (Date.now() > deadline) throw new Error(`the nodes did not drain in ${timeoutMs} ms: ${JSON.stringify(statuses.map((s) => s.outbox))}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      async stopNodes() {
        await Promise.all(nodes.map((n) => stop(n.process)));
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Runs a CLI command against the hub's environment; its stdout, or an error with its stderr. */
async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { code, stdout, stderr } = await runCli(args, env);
  if (code !== 0) throw new Error(`wildintel ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
  return stdout.trim();
}

async function stop(child: HubProcess): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}
