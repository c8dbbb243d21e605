/**
 * The outbox's promise, against a real hub: what a platform handed to its node is delivered
 * exactly once, whether the hub is down when observations arrive or the node process is
 * SIGKILLed while it publishes. "Exactly once" is checked at the hub: every indicator has one
 * sighting from the member, and the hub holds as many batches as the node says it published.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, type RunningHub } from '../src/hub/index.js';
import { createLogger } from '../src/kernel/index.js';
import type { NodeStatus, RunningNode } from '../src/node/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { spawnWildintel, type HubProcess, onlyInPass } from './helpers/hub-process.js';
import { callNode, eventually, nodeFixture, sharedPseudonymKey, type NodeFixture } from './helpers/member-node.js';

const common = { commodity: 'PANGOLIN', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
const keywords = (prefix: string, n: number, tlp = 'AMBER'): object[] => Array.from({ length: n }, (_, i) => ({ kind: 'keyword', text: `${prefix}鳞片${i}`, tlp, ...common }));

describe('delivery exactly once', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let fed: TestFederation;
  let pseudonymFile: string;
  let members: Record<'shopmart' | 'chatapp', TestMember>;
  const fixtures: NodeFixture[] = [];
  const silent = createLogger('silent');
  /** The hub serving now: the federation's, or the one restarted on its port. */
  let hub: RunningHub;

  const atHub = async (member: string): Promise<{ batches: number; sightings: Map<string, number> }> => {
    const db = hub.database.dataSource;
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM batches WHERE member = $1`, [member])) as [{ n: number }];
    const rows: Array<{ indicator_id: string; n: number }> = await db.query(`SELECT indicator_id, count(*)::int AS n FROM sightings WHERE member = $1 GROUP BY indicator_id`, [member]);
    return { batches: n, sightings: new Map(rows.map((r) => [r.indicator_id, r.n])) };
  };
  const assertOnce = async (member: string, ids: readonly string[], status: NodeStatus): Promise<void> => {
    const { batches, sightings } = await atHub(member);
    assert.equal(status.outbox.refused, 0);
    assert.equal(batches, status.outbox.accepted, 'the hub holds exactly the batches the node published');
    assert.deepEqual([...sightings.keys()].sort(), [...ids].sort(), 'every indicator arrived');
    assert.deepEqual([...new Set(sightings.values())], [1], 'and each once');
  };
  const drained = (status: () => Promise<NodeStatus>): Promise<NodeStatus> =>
    eventually('the outbox to drain', async () => {
      const s = await status();
      return s.outbox.pending === 0 && s.outbox.queued === 0 ? s : undefined;
    }, 60_000);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-reliability-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
    hub = fed.hub;
    pseudonymFile = await sharedPseudonymKey(dir);
    // Enrolled up front: the first test stops the federation's hub and starts another.
    members = { shopmart: await fed.addMember('shopmart'), chatapp: await fed.addMember('chatapp') };
  });
  after(async () => {
    if (hub !== fed.hub) await hub.stop();
    await fed.close();
    await Promise.all(fixtures.map((f) => f.cleanup()));
    await rm(dir, { recursive: true, force: true });
  });

  it('holds observations while the hub is down, retries with backoff, and delivers them once it is back', async () => {
    const fixture = await nodeFixture(fed, members.shopmart, pseudonymFile);
    fixtures.push(fixture);
    const node: RunningNode = await fixture.start(silent);
    try {
      await fed.hub.stop();
      const ids: string[] = [];
      for (const observations of [keywords('a', 3), keywords('b', 2, 'GREEN'), keywords('c', 2)]) {
        const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations });
        assert.equal(res.status, 200, 'the platform API answers while the hub is down');
        ids.push(...(res.body['indicators'] as Array<Array<{ id: string }>>).flat().map((i) => i.id));
      }
      const retrying = await eventually('a few failed tries', async () => {
        const s = await node.status();
        return (s.outbox.retrying?.attempts ?? 0) >= 2 ? s : undefined;
      });
      assert.match(retrying.outbox.retrying!.lastError ?? '', /ECONNREFUSED|fetch failed|connect/i);
      hub = await startHub({ config: { ...fed.config, PORT: Number(new URL(fed.hub.url).port) }, logger: silent });
      await assertOnce('shopmart', ids, await drained(() => node.status()));
    } finally {
      await node.stop();
    }
  });

  it('loses and doubles nothing when the node is SIGKILLed mid-publish and restarted', async () => {
    const fixture = await nodeFixture(fed, members.chatapp, pseudonymFile, { HUB_URL: hub.url, NODE_BATCH_MAX: '2', NODE_BATCH_DELAY_MS: '0' });
    fixtures.push(fixture);
    const spawnNode = (): Promise<HubProcess> => spawnWildintel(['node'], 'member node listening', fixture.env, { timeoutMs: 60_000 });
    const status = (url: string) => async (): Promise<NodeStatus> => (await callNode(url, fixture.apiKey, '/v1/status')).body as unknown as NodeStatus;
    let node = await spawnNode();
    try {
      const res = await callNode(node.url, fixture.apiKey, '/v1/observations', { observations: keywords('k', 80) });
      assert.equal(res.status, 200);
      const ids = (res.body['indicators'] as Array<Array<{ id: string }>>).flat().map((i) => i.id);
      const before = await eventually('some batches at the hub', async () => {
        const { batches } = await atHub('chatapp');
        return batches >= 3 ? batches : undefined;
      });
      node.child.kill('SIGKILL');
      await node.exited;
      assert.ok(before < 40, `killed mid-publish (${before} of 40 batches at the hub)`);
      node = await spawnNode();
      await assertOnce('chatapp', ids, await drained(status(node.url)));
    } finally {
      if (node.child.exitCode === null) {
        node.child.kill('SIGTERM');
        await node.exited;
      }
    }
  });
});
