import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { auditLog, createHttpLogClient } from '../src/audit/index.js';
import { openDatabase } from '../src/db/index.js';
import { systemClock } from '../src/kernel/index.js';
import { signBatch } from '../src/provenance/index.js';
import { parseEntry, storedHashCount } from '../src/tlog/index.js';
import { runCli, spawnHub, type HubProcess, hubEnvironment, onlyInPass } from './helpers/hub-process.js';
import { sampleIndicators } from './helpers/federation.js';

describe('the hub killed with SIGKILL during a stream of publishes', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let env: Record<string, string>;
  let hub: HubProcess;

  before(async () => {
    fixture = await hubEnvironment();
    ({ dir, env } = fixture);
  });
  after(() => fixture.cleanup(hub));

  it('leaves the log and the indicator tables consistent, and the audit passes after restart', async () => {
    hub = await spawnHub(env);
    assert.equal((await runCli(['member', 'create', 'shopmart', '--out', path.join(dir, 'm')], env)).code, 0);
    const signer = { keyPem: await readFile(path.join(dir, 'm/key.pem'), 'utf8'), chainPem: [await readFile(path.join(dir, 'm/cert.pem'), 'utf8')] };
    const batches = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signBatch({ v: 1, batchId: randomUUID(), member: 'shopmart', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: sampleIndicators(50, `k${i}x`) }, signer)),
    );
    let accepted = 0;
    const url = hub.url;
    const stream = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < batches.length; i += 4) {
          const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: batches[i]! }).catch(() => undefined);
          if (res === undefined) return;
          if (res.status === 201) accepted++;
        }
      }),
    );
    while (accepted < 10) await new Promise((r) => setTimeout(r, 5));
    hub.child.kill('SIGKILL');
    await hub.exited;
    await stream;

    const database = await openDatabase(fixture.options, { migrate: true });
    try {
      const db = database.dataSource;
      const q = async <T>(sql: string): Promise<T[]> => (await db.query(sql)) as T[];
      const [state] = await q<{ size: string | number }>(`SELECT size FROM tlog_state`);
      const size = Number(state!.size);
      const entries = await q<{ idx: string | number; entry: Uint8Array }>(`SELECT idx, entry FROM tlog_entries ORDER BY idx`);
      assert.deepEqual(entries.map((e) => Number(e.idx)), Array.from({ length: size }, (_, i) => i), 'indexes 0..n-1, no gaps');
      const hashes = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM tlog_hashes`))[0]!.n;
      assert.equal(hashes, storedHashCount(size));
      const stored = await q<{ batch_id: string; leaf_index: string | number | null; jws_sha256: string }>(`SELECT batch_id::text, leaf_index, jws_sha256 FROM batches`);
      assert.ok(stored.length >= 10, `at least the acknowledged batches are there (${stored.length})`);
      const logged = new Map(entries.map((e) => parseEntry(new Uint8Array(e.entry))).filter((e) => e.kind === 'batch').map((e) => [(e as { batchId: string }).batchId, e as { jwsSha256: string }]));
      assert.equal(logged.size, stored.length, 'every batch has its entry and every batch entry its batch');
      for (const b of stored) {
        assert.notEqual(b.leaf_index, null);
        assert.equal(logged.get(b.batch_id)?.jwsSha256, b.jws_sha256);
      }
      const { orphans } = (await q<{ orphans: number }>(`SELECT count(*)::int AS orphans FROM sightings s WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.member = s.member AND b.batch_id = s.batch_id)`))[0]!;
      assert.equal(orphans, 0);
      const { sightings } = (await q<{ sightings: number }>(`SELECT count(*)::int AS sightings FROM sightings`))[0]!;
      assert.equal(sightings, stored.length * 50);
    } finally {
      await database.close();
    }

    hub = await spawnHub(env);
    const report = await auditLog({ client: createHttpLogClient(hub.url), verifierKey: (await runCli(['hub', 'keys'], env)).stdout.match(/verifier key +(\S+)/)![1]!, clock: systemClock });
    assert.ok(report.to >= 11);
  });
});
