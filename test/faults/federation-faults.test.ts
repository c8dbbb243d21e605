/**
 * The failure suite: a hub on Postgres and three member nodes, all real processes, while the
 * nodes are fed observations without pause and, in turn, the hub is SIGKILLed and restarted,
 * Postgres is restarted, and the hub is unreachable for 30 s (refused, then black-holed, then
 * reached but with every answer lost). Afterwards every observation is at the hub exactly once,
 * every receipt verifies, and the auditor's `wildintel audit verify` passes from the state it
 * saved before the faults began.
 *
 * Needs a Postgres server it may restart (TEST_DATABASE_URL, default the local one) and
 * `pg_ctlcluster`: `npm run test:faults`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHttpLogClient, verifyReceipt } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import { testServerUrl } from '../../src/db/test-database.js';
import { openNodeDatabase, type NodeStatus } from '../../src/node/index.js';
import { runCli } from '../helpers/hub-process.js';
import { eventually } from '../helpers/member-node.js';
import { startFeeder, type Feeder } from '../helpers/observation-feed.js';
import { startProcessFederation, type ProcessFederation } from '../helpers/process-federation.js';
import { restartPostgres } from '../helpers/postgres-server.js';

const SERVER = testServerUrl() ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MEMBERS = ['shopmart', 'chatapp', 'searchco'] as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A request-log line of the hub accepting (201) or replaying (200) a batch. */
function isBatchAccepted(line: string): boolean {
  try {
    const l = JSON.parse(line) as { method?: string; path?: string; status?: number };
    return l.method === 'POST' && l.path === '/v1/batches' && (l.status === 200 || l.status === 201);
  } catch {
    return false;
  }
}

describe('three nodes publishing through a hub SIGKILL, a Postgres restart and a 30 s outage', () => {
  let fed: ProcessFederation;
  let feeders: Feeder[] = [];
  let auditorToken: string;
  let auditArgs: string[];
  let sizeBeforeFaults: number;
  let statuses: NodeStatus[];
  let setupMs: number;

  /** Batches at the hub per member, read from its database. */
  const batchesAtHub = async (): Promise<Record<string, number>> => {
    const rows = await fed.hubQuery<{ member: string; n: number }>(`SELECT member, count(*)::int AS n FROM batches GROUP BY member`);
    return Object.fromEntries(MEMBERS.map((m) => [m, rows.find((r) => r.member === m)?.n ?? 0]));
  };
  const allNodes = (check: (s: NodeStatus) => boolean) => async (): Promise<NodeStatus[] | undefined> => {
    const all = await Promise.all(fed.nodes.map((n) => fed.status(n)));
    return all.every(check) ? all : undefined;
  };
  /** Waits until every member has more batches at the hub than in `than`. */
  const everyMemberPublishes = (than: Record<string, number>, timeoutMs = 30_000): Promise<Record<string, number>> =>
    eventually('a new batch from every member at the hub', async () => {
      const now = await batchesAtHub();
      return MEMBERS.every((m) => now[m]! > than[m]!) ? now : undefined;
    }, timeoutMs);

  before(async () => {
    const setupFrom = Date.now();
    fed = await startProcessFederation({
      server: SERVER,
      members: MEMBERS,
      proxy: true,
      nodeEnv: { NODE_BATCH_DELAY_MS: '500', NODE_BATCH_MAX: '20', NODE_RETRY_BASE_MS: '100', NODE_RETRY_MAX_MS: '2000', NODE_FEED_INTERVAL_MS: '1000' },
    });
    feeders = fed.nodes.map((node) => startFeeder(node, { intervalMs: 300, observationsPerRequest: 3, imageEvery: 10 }));
    await everyMemberPublishes({ shopmart: 2, chatapp: 2, searchco: 2 });
    auditorToken = await fed.token('coalition-audit', 'provenance:read audit:read');
    auditArgs = ['audit', 'verify', '--hub', fed.hubUrl, '--root', fed.rootCert, '--log-key', fed.logKey, '--state', path.join(fed.dir, 'audit-state.json'), '--token', auditorToken];
    const first = await runCli(auditArgs, {});
    assert.equal(first.code, 0, first.stderr);
    sizeBeforeFaults = Number(/log verified: size (\d+) \(was 0\)/.exec(first.stdout)?.[1]);
    assert.ok(sizeBeforeFaults > 3, first.stdout);
    setupMs = Date.now() - setupFrom;
  });
  after(async () => {
    await Promise.all(feeders.map((f) => f.stop()));
    await fed?.close();
  });

  it('(a) the hub is SIGKILLed mid-stream: the nodes retry, and deliver to the hub restarted on its port', async (t) => {
    t.diagnostic(`the federation was up and audited in ${setupMs} ms`);
    await sleep(1000);
    const killedAt = Date.now();
    await fed.killHub();
    // Every node notices: its head batch is being retried.
    await eventually('every node retrying', allNodes((s) => (s.outbox.retrying?.attempts ?? 0) >= 1), 20_000);
    await fed.restartHub();
    t.diagnostic(`the hub was down ${Date.now() - killedAt} ms`);
    await everyMemberPublishes(await batchesAtHub());
  });

  it('(b) Postgres restarts under the hub: the same hub process recovers and takes batches again', async (t) => {
    const pid = fed.hub.child.pid;
    const [{ started: before }] = (await fed.hubQuery<{ started: Date }>(`SELECT pg_postmaster_start_time() AS started`)) as [{ started: Date }];
    const tookMs = await restartPostgres(SERVER);
    const [{ started: after }] = (await fed.hubQuery<{ started: Date }>(`SELECT pg_postmaster_start_time() AS started`)) as [{ started: Date }];
    assert.ok(after.getTime() > before.getTime(), 'the server was restarted');
    t.diagnostic(`Postgres restarted in ${tookMs} ms`);
    await everyMemberPublishes(await batchesAtHub());
    assert.equal(fed.hub.child.exitCode, null, 'the hub did not exit');
    assert.equal(fed.hub.child.pid, pid, 'and is the same process');
    const ready = await fetch(`${fed.hubUrl}/readyz`);
    assert.equal(ready.status, 200);
    // Its LISTEN connection (accepted batches → matching indexes, subscriptions) is back too.
    await eventually('the hub listening again', async () => {
      const [{ n }] = (await fed.hubQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`)) as [{ n: number }];
      return n > 0 ? n : undefined;
    });
  });

  it('(c) the hub is unreachable for 30 s: the nodes keep every observation and deliver it afterwards', async (t) => {
    const proxy = fed.proxy!;
    try {
      // 10 s refused: nothing reaches the hub.
      await proxy.setMode('refuse');
      await sleep(2000);
      const quiet = await batchesAtHub();
      await sleep(8000);
      const refusing = await Promise.all(fed.nodes.map((n) => fed.status(n)));
      for (const s of refusing) assert.match(s.outbox.retrying?.lastError ?? '', /ECONNREFUSED|connect/i);
      // 10 s black-holed: connections accepted, nothing answered, nothing forwarded.
      await proxy.setMode('blackhole');
      await sleep(10_000);
      assert.deepEqual(await batchesAtHub(), quiet, 'nothing reached the hub for 18 s');
      // 10 s with every answer lost: the hub takes the batches (or, for one it already has,
      // finds its receipt), and the nodes never hear of it.
      const accepted = refusing.map((s) => s.outbox.accepted);
      const logsFrom = fed.hub.logs.length;
      await proxy.setMode('lose-answers');
      await sleep(10_000);
      const held = await Promise.all(fed.nodes.map((n) => fed.status(n)));
      const answered = fed.hub.logs.slice(logsFrom).filter(isBatchAccepted);
      assert.ok(answered.length >= MEMBERS.length, `the hub answered batches (${answered.length}) whose answers were lost (${proxy.counts.answersCut} cut)`);
      t.diagnostic(`while answers were lost the hub answered ${answered.length} batch requests; the nodes held ${held.map((h) => h.outbox.queued).join(', ')} batches`);
      for (const [i, m] of MEMBERS.entries()) {
        assert.equal(held[i]!.outbox.accepted, accepted[i], `${m}: the node did not hear of them`);
        assert.ok(held[i]!.outbox.queued > 0, `${m}: and holds what it could not deliver`);
      }
    } finally {
      await proxy.setMode('forward');
    }
    await everyMemberPublishes(await batchesAtHub());
  });

  it('afterwards every observation is at the hub exactly once (count and ids)', async (t) => {
    await Promise.all(feeders.map((f) => f.stop()));
    for (const f of feeders) assert.deepEqual(f.errors, [], 'every observation the pipeline sent was taken by its node');
    const drainFrom = Date.now();
    statuses = await fed.drained(120_000);
    t.diagnostic(`the nodes drained in ${Date.now() - drainFrom} ms`);
    const batches = await batchesAtHub();
    for (const [i, member] of MEMBERS.entries()) {
      const made = feeders[i]!.made;
      const status = statuses[i]!;
      assert.ok(made.length > 300, `${member}: a real stream (${made.length} indicators)`);
      const sightings = await fed.hubQuery<{ indicator_id: string; n: number }>(`SELECT indicator_id, count(*)::int AS n FROM sightings WHERE member = $1 GROUP BY indicator_id`, [member]);
      assert.equal(sightings.reduce((a, r) => a + r.n, 0), made.length, `${member}: as many sightings at the hub as indicators made`);
      assert.deepEqual(sightings.map((r) => r.indicator_id).sort(), made.map((m) => m.id).sort(), `${member}: the same ids`);
      assert.ok(sightings.every((r) => r.n === 1), `${member}: each once`);
      assert.equal(status.outbox.refused, 0);
      assert.equal(batches[member], status.outbox.accepted, `${member}: the hub holds exactly the batches the node published`);
      const [logged] = await fed.hubQuery<{ n: number }>(`SELECT count(*)::int AS n FROM tlog_entries WHERE convert_from(entry, 'UTF8')::jsonb @> $1::jsonb`, [JSON.stringify({ kind: 'batch', member })]);
      assert.equal(logged!.n, status.outbox.accepted, `${member}: one log entry per batch`);
      t.diagnostic(`${member}: ${made.length} indicators in ${status.outbox.accepted} batches, each at the hub once`);
    }
    // The lost answers were answered again from the hub's record, not stored twice.
    const duplicates = fed.nodes.flatMap((n) => n.process.logs.filter((l) => l.includes('batch accepted by the hub') && l.includes('"duplicate":true')));
    assert.ok(duplicates.length >= MEMBERS.length, `a resent batch got its original receipt (${duplicates.length})`);
    t.diagnostic(`${duplicates.length} batches were resent after their answer was lost and got their original receipt`);
  });

  it("every node's receipts verify", async () => {
    for (const [i, s] of statuses.entries()) {
      assert.equal(s.alarms.count, 0, `${MEMBERS[i]}: no alarm: ${JSON.stringify(s.alarms.recent)}`);
      assert.equal(s.audit.failed, 0);
      assert.equal(s.audit.verified, s.outbox.accepted, `${MEMBERS[i]}: every receipt audited by the node`);
    }
    // And once more here, from each node's own database, against the hub's log.
    await fed.stopNodes();
    const client = createHttpLogClient(fed.hubUrl);
    for (const [i, node] of fed.nodes.entries()) {
      const database = await openNodeDatabase(loadConfig({ DATA_DIR: node.env['DATA_DIR']! }));
      try {
        const rows: Array<{ jws: string; receipt: { batchId: string; leafIndex: number; checkpoint: string; indicatorIds: string[] } }> = await database.dataSource.query(
          `SELECT jws, receipt FROM node_batches WHERE state = 'accepted' ORDER BY seq`,
        );
        assert.equal(rows.length, statuses[i]!.outbox.accepted);
        for (const { jws, receipt } of rows) await verifyReceipt({ receipt, jws, verifierKey: fed.logKey, client });
        const received = new Set(rows.flatMap((r) => r.receipt.indicatorIds));
        assert.equal(received.size, new Set(feeders[i]!.made.map((m) => m.id)).size, `${node.slug}: the receipts name every indicator made`);
      } finally {
        await database.close();
      }
    }
  });

  it('`wildintel audit verify` passes from the state saved before the faults', async () => {
    const second = await runCli(auditArgs, {});
    assert.equal(second.code, 0, second.stderr);
    const [{ size }] = (await fed.hubQuery<{ size: number }>(`SELECT size::int FROM tlog_state`)) as [{ size: number }];
    const [{ n: batchesSince }] = (await fed.hubQuery<{ n: number }>(`SELECT count(*)::int AS n FROM batches WHERE leaf_index >= $1`, [sizeBeforeFaults])) as [{ n: number }];
    assert.match(second.stdout, new RegExp(`log verified: size ${size} \\(was ${sizeBeforeFaults}\\), ${size - sizeBeforeFaults} new entries checked`));
    assert.match(second.stdout, new RegExp(`batches verified: ${batchesSince} `));
  });
});
