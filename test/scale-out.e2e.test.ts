/**
 * Several hub processes on one Postgres database, as a deployment runs them: two independent
 * `wildintel hub` processes (as behind a load balancer) and one `wildintel hub --workers 2`,
 * all started at once on an empty database, on a primary this test starts with a streaming
 * replica (pg_basebackup) that every process reads from (DATABASE_READ_URL). Three members sign
 * batches and send them to every process at once, failing over to another when one is
 * SIGKILLed mid-ingest. Afterwards: every batch is accepted exactly once and its receipt
 * verifies; the log is one consistent history (consecutive indexes, every checkpoint on one
 * chain, `wildintel audit verify` passes, from the proof endpoints and from tiles);
 * subscriptions and matching on every process saw every batch; the per-token rate limit holds
 * across processes; revocations reach every process; reads are right while the replica lags.
 *
 * Starts and stops its own Postgres servers (never the machine's); runs in the Postgres pass.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { appendLeaf, createTileLogClient, EMPTY_RANGE, rangeRoot, verifyReceipt, type CompactRange } from '../src/audit/index.js';
import { loadConfig, type Config } from '../src/config/index.js';
import { openDatabase, type Database } from '../src/db/index.js';
import { onlyInPass } from '../src/db/test-server.js';
import { defaultLeaseSize } from '../src/auth/index.js';
import { createHubServices, loadHubTrust, type HubServices } from '../src/hub/index.js';
import { createLogger, systemClock } from '../src/kernel/index.js';
import { createMemberKeyAndCsr, signMemberCsr } from '../src/pki/index.js';
import { signBatch, signMemberRequest } from '../src/provenance/index.js';
import { leafHash, openCheckpoint, tilePath } from '../src/tlog/index.js';
import { bearer, graphql, runCli, safeJson, spawnHub, spawnWildintel, type HubProcess } from './helpers/hub-process.js';
import { eventually } from './helpers/member-node.js';
import { createDatabaseOn, skipWithoutPgBinaries, startPrimaryAndReplica, type PgPair } from './helpers/pg-cluster.js';

const skip = onlyInPass('server') || skipWithoutPgBinaries();
const MEMBERS = ['shopmart', 'chatapp', 'searchco'] as const;
const BATCHES_PER_MEMBER = 30;
const PER_BATCH = 4;
/** Low enough that a client on this shared machine can ask for more: refusals are cheap, admissions are not. */
const RATE = { perMinute: 600, burst: 30 };
const silent = createLogger('silent');

interface Member {
  readonly slug: string;
  readonly keyPem: string;
  readonly certPem: string;
}
interface Receipt {
  batchId: string;
  leafIndex: number;
  indicatorIds: string[];
  checkpoint: string;
  duplicate?: boolean;
}

const valueOf = (member: string, batch: number, i: number): string => `${member}${batch}x${i}`;

describe('several hub processes on one Postgres, with a streaming replica', { skip }, () => {
  let pair: PgPair;
  let dir: string;
  let env: Record<string, string>;
  let config: Readonly<Config>;
  let operator: { database: Database; services: HubServices };
  let a: HubProcess;
  let b: HubProcess;
  let c: HubProcess;
  const members = new Map<string, Member>();
  const tokens: Record<string, string> = {};
  const signed = new Map<string, string>();
  const receipts = new Map<string, Receipt>();
  const subscriptions: Array<{ name: string; client: Client; ids: Set<string> }> = [];
  let verifierKey: string;
  let dbName: string;

  const processes = (): HubProcess[] => [a, b, c];
  const urls = (): string[] => processes().map((p) => p.url);
  const workerLines = (hub: HubProcess): Array<Record<string, unknown>> => hub.logs.map(safeJson).filter((e): e is Record<string, unknown> => e?.['msg'] === 'hub worker listening');
  const sign = (member: Member, indicators: object[], batchId = randomUUID()): Promise<string> =>
    signBatch({ v: 1, batchId, member: member.slug, createdAt: new Date().toISOString(), tlp: 'AMBER', indicators }, { keyPem: member.keyPem, chainPem: [member.certPem] });
  const keyword = (value: string): object => ({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 });
  const memberToken = (slug: string): Promise<string> => {
    const m = members.get(slug)!;
    return signMemberRequest({ keyPem: m.keyPem, chainPem: [m.certPem], member: slug, audience: config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
  };
  const post = (url: string, jws: string): Promise<Response> => fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });

  before(async () => {
    pair = await startPrimaryAndReplica();
    dbName = `wildintel_scale_${process.pid}`;
    const db = await createDatabaseOn(pair.primary, dbName);
    await pair.caughtUp();
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-scale-'));
    env = {
      DATABASE_URL: db.url,
      DATABASE_READ_URL: pair.replica.url(dbName),
      CERTS_DIR: path.join(dir, 'certs'),
      HUB_ORIGIN: 'http://hub.test',
      HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '3000',
      RATE_LIMIT_PER_MINUTE: String(RATE.perMinute),
      RATE_LIMIT_BURST: String(RATE.burst),
    };
    config = loadConfig({ ...env, DATA_DIR: path.join(dir, 'operator'), LOG_LEVEL: 'silent' });
    // The development federation, once: processes that start together would race to create it.
    await loadHubTrust(config, silent, systemClock);
    // All three at once on the empty database: they take turns at the migrations.
    [a, b, c] = await Promise.all([
      spawnHub({ ...env, DATA_DIR: path.join(dir, 'a') }),
      spawnHub({ ...env, DATA_DIR: path.join(dir, 'b') }),
      spawnWildintel(['hub', '--workers', '2'], 'hub listening', { ...env, DATA_DIR: path.join(dir, 'c') }),
    ]);
    // The operator, as `wildintel member enroll` / `token issue` on Postgres: in its own process (here).
    const database = await openDatabase({ databaseUrl: env['DATABASE_URL']!, dataDir: dir });
    operator = { database, services: await createHubServices({ config, database, logger: silent, clock: systemClock }) };
    verifierKey = operator.services.log.verifierKey;
    const ca = { certPem: await readFile(path.join(dir, 'certs/dev/root.pem'), 'utf8'), keyPem: await readFile(path.join(dir, 'certs/dev/root-key.pem'), 'utf8') };
    for (const slug of MEMBERS) {
      const { keyPem, csrPem } = createMemberKeyAndCsr({ member: slug });
      const certPem = signMemberCsr({ csrPem, ca, now: new Date() });
      await operator.services.members.enroll({ slug, name: slug, certPem });
      members.set(slug, { slug, keyPem, certPem });
    }
    const { tokens: issuer } = operator.services;
    await issuer.addAgency('customs', 'Customs');
    const issue = async (name: string, scope: string): Promise<void> => {
      tokens[name] = (await issuer.issue({ agency: 'customs', sub: name, scope, tlp: 'RED', ttlSeconds: 3600 })).token;
    };
    await issue('reader', 'indicators:read match:text provenance:read');
    await issue('auditor', 'provenance:read audit:read');
    await issue('limited', 'indicators:read');
    await issue('revoked', 'indicators:read');
    for (const m of members.values()) {
      for (let i = 0; i < BATCHES_PER_MEMBER; i++) {
        const batchId = randomUUID();
        signed.set(batchId, await sign(m, Array.from({ length: PER_BATCH }, (_, j) => keyword(valueOf(m.slug, i, j))), batchId));
      }
    }
  });

  after(async () => {
    for (const s of subscriptions) await Promise.resolve(s.client.dispose()).catch(() => undefined);
    for (const hub of [a, b, c]) {
      if (hub !== undefined && hub.child.exitCode === null && hub.child.signalCode === null) {
        hub.child.kill('SIGTERM');
        await hub.exited;
      }
    }
    await operator?.database.close();
    if (pair !== undefined) {
      await pair.resumeReplay().catch(() => undefined);
      await pair.stop();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('start together on an empty database: the migrations are applied once, and every process is ready', async () => {
    const applied = await pair.primary.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`, [], dbName);
    assert.ok(applied.length >= 7);
    assert.ok(applied.every((m) => m.n === 1), JSON.stringify(applied));
    for (const url of urls()) assert.equal((await fetch(`${url}/readyz`)).status, 200);
    assert.equal(workerLines(c).length, 2, 'two workers behind one port');
  });

  it('--workers above 1 is refused on the embedded database, with the reason', async () => {
    const refused = await runCli(['hub', '--workers', '2'], { DATA_DIR: path.join(dir, 'embedded'), PORT: '0' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--workers 2 needs DATABASE_URL: the embedded database \(PGlite\) belongs to one process.*\[INVALID_CONFIG\]/);
    const bad = await runCli(['hub', '--workers', 'many'], { DATA_DIR: path.join(dir, 'embedded') });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--workers must be a whole number from 1 to 64, or auto/);
  });

  it('a worker that dies is replaced by the cluster primary, the port answering throughout', async () => {
    const victim = Number(workerLines(c)[0]!['pid']);
    process.kill(victim, 'SIGKILL');
    await eventually('the primary noticing', async () => (c.logs.some((l) => l.includes('hub worker exited')) ? true : undefined), 10_000);
    // New connections (a keep-alive one to the dead worker died with it) go to the live worker.
    for (let i = 0; i < 5; i++) assert.equal(await statusOnNewConnection(`${c.url}/healthz`), 200, 'the other worker answers');
    const replaced = await eventually('a new worker', async () => (workerLines(c).length === 3 ? workerLines(c)[2] : undefined), 60_000);
    assert.notEqual(replaced['pid'], victim);
    assert.equal(replaced['worker'], workerLines(c)[0]!['worker'], 'in the same slot');
  });

  it('three members publish to every process at once; one process is SIGKILLed mid-ingest', async (t) => {
    for (const [name, url] of [['a', a.url], ['c', c.url]] as const) subscriptions.push(subscribe(name, url, tokens['reader']!));
    await new Promise((r) => setTimeout(r, 500));
    // Like a load balancer: the clients learn that a process is gone only by failing to reach it.
    let accepted = 0;
    let failovers = 0;
    const send = async (jws: string, first: number): Promise<Receipt> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const target = (first + attempt) % 3;
        try {
          const res = await post(urls()[target]!, jws);
          if (res.status === 200 || res.status === 201) return (await res.json()) as Receipt;
          assert.ok(res.status >= 500, `refused: ${res.status} ${await res.text()}`);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
        }
        failovers++;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no process took the batch');
    };
    const byMember = MEMBERS.map((slug) => [...signed.entries()].filter(([, jws]) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()).member === slug));
    const killed = (async () => {
      await eventually('a third of the batches in', async () => (accepted >= 30 ? true : undefined), 60_000);
      b.child.kill('SIGKILL');
      await b.exited;
    })();
    await Promise.all(
      byMember.flatMap((batches, m) =>
        [0, 1].map(async (lane) => {
          for (let i = lane; i < batches.length; i += 2) {
            const [batchId, jws] = batches[i]!;
            const receipt = await send(jws, m + i);
            receipts.set(batchId, receipt);
            accepted++;
          }
        }),
      ),
    );
    await killed;
    t.diagnostic(`${receipts.size} batches accepted, ${failovers} resent to another process after a failure`);
    assert.equal(receipts.size, MEMBERS.length * BATCHES_PER_MEMBER);
    assert.ok(failovers > 0, 'batches sent to the killed process went to another');
    b = await spawnHub({ ...env, DATA_DIR: path.join(dir, 'b') });
  });

  it('every batch is at the hub exactly once, and every receipt verifies', async () => {
    const batches = await pair.primary.query<{ member: string; n: number; distinct: number }>(`SELECT member, count(*)::int AS n, count(DISTINCT batch_id)::int AS distinct FROM batches GROUP BY member ORDER BY member`, [], dbName);
    assert.deepEqual(batches.map((r) => [r.member, r.n, r.distinct]), [...MEMBERS].sort().map((m) => [m, BATCHES_PER_MEMBER, BATCHES_PER_MEMBER]));
    const sightings = await pair.primary.query<{ n: number }>(`SELECT count(*)::int AS n FROM sightings`, [], dbName);
    assert.equal(sightings[0]!.n, MEMBERS.length * BATCHES_PER_MEMBER * PER_BATCH);
    const leaves = new Set([...receipts.values()].map((r) => r.leafIndex));
    assert.equal(leaves.size, receipts.size, 'one leaf per batch');
    const stored = await pair.primary.query<{ batch_id: string; leaf_index: string }>(`SELECT batch_id, leaf_index FROM batches`, [], dbName);
    for (const row of stored) assert.equal(Number(row.leaf_index), receipts.get(row.batch_id)?.leafIndex);
    const client = createTileLogClient(c.url);
    for (const [batchId, receipt] of receipts) await verifyReceipt({ receipt, jws: signed.get(batchId)!, verifierKey, client });
  });

  it('the log is one history: consecutive indexes, every checkpoint on one chain, and audit verify passes (proof endpoints and tiles)', async () => {
    const [state] = await pair.primary.query<{ size: string; n: number; lo: string; hi: string }>(`SELECT s.size, (SELECT count(*)::int FROM tlog_entries) AS n, (SELECT min(idx) FROM tlog_entries) AS lo, (SELECT max(idx) FROM tlog_entries) AS hi FROM tlog_state s`, [], dbName);
    const size = Number(state!.size);
    assert.deepEqual([state!.n, Number(state!.lo), Number(state!.hi)], [size, 0, size - 1]);
    const entries = await operator.services.log.entries(operator.database.dataSource, 0, size);
    const roots: string[] = [];
    let range: CompactRange = EMPTY_RANGE;
    for (const entry of entries) {
      range = appendLeaf(range, leafHash(entry));
      roots.push(Buffer.from(rangeRoot(range)).toString('base64'));
    }
    const checkpoints = await pair.primary.query<{ note: string }>(`SELECT note FROM tlog_checkpoints ORDER BY size`, [], dbName);
    assert.ok(checkpoints.length >= receipts.size);
    for (const { note } of checkpoints) {
      const cp = openCheckpoint(note, verifierKey);
      assert.equal(Buffer.from(cp.root).toString('base64'), roots[cp.size - 1], `checkpoint ${cp.size} is on the chain of the entries`);
    }
    const args = ['audit', 'verify', '--root', path.join(dir, 'certs/dev/root.pem'), '--log-key', verifierKey, '--token', tokens['auditor']!];
    const fromEndpoints = await runCli([...args, '--hub', a.url], {});
    assert.equal(fromEndpoints.code, 0, fromEndpoints.stderr);
    assert.match(fromEndpoints.stdout, new RegExp(`log verified: size ${size} \\(was 0\\)`));
    assert.match(fromEndpoints.stdout, new RegExp(`batches verified: ${receipts.size} `));
    const fromTiles = await runCli(['audit', 'verify', '--root', path.join(dir, 'certs/dev/root.pem'), '--log-key', verifierKey, '--hub', c.url, '--tiles'], {});
    assert.equal(fromTiles.code, 0, fromTiles.stderr);
    assert.match(fromTiles.stdout, /read from the C2SP tiles alone/);
  });

  it('subscriptions on two processes received every batch, whichever process accepted it', async () => {
    const all = new Set([...receipts.values()].flatMap((r) => r.indicatorIds));
    for (const s of subscriptions) {
      await eventually(`subscription on ${s.name} complete`, async () => ([...all].every((id) => s.ids.has(id)) ? true : undefined), 30_000);
      assert.equal(s.ids.size, all.size);
    }
  });

  it('matching on every process finds indicators accepted by the others', async () => {
    const text = MEMBERS.map((m) => `for sale ${valueOf(m, BATCHES_PER_MEMBER - 1, 3)} and ${valueOf(m, 0, 0)} today`).join('. ');
    const expected = MEMBERS.flatMap((m) => [valueOf(m, BATCHES_PER_MEMBER - 1, 3), valueOf(m, 0, 0)]).sort();
    for (const url of [...urls(), c.url, c.url]) {
      const res = await graphql(url, `query($t: String!) { matchText(text: $t) { indicator { value } } }`, { t: text }, bearer(tokens['reader']!));
      const found = ((res.body.data?.['matchText'] ?? []) as Array<{ indicator: { value: string } }>).map((h) => h.indicator.value);
      assert.deepEqual([...new Set(found)].sort(), expected, `${url}: ${JSON.stringify(res.body.errors ?? found)}`);
    }
  });

  it('one token gets no more than its hub-wide limit through all four processes', async (t) => {
    const call = async (url: string): Promise<number> => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens['limited']!) }, body: JSON.stringify({ query: '{ me { kind } }' }) });
      await res.arrayBuffer();
      return res.status;
    };
    const statuses: number[] = [];
    const started = performance.now();
    const deadline = started + 1500;
    await Promise.all([...urls(), c.url].flatMap((url) => Array.from({ length: 6 }, async () => {
      while (performance.now() < deadline) statuses.push(await call(url));
    })));
    const seconds = (performance.now() - started) / 1000;
    const allowed = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 429).length;
    // The documented bound: burst + rate·t, plus at most one lease per process (4 here, of 1 token at this rate).
    const bound = RATE.burst + (RATE.perMinute / 60) * seconds + 4 * defaultLeaseSize(RATE);
    t.diagnostic(`${statuses.length} requests in ${seconds.toFixed(2)} s: ${allowed} allowed (bound ${Math.floor(bound)}; per process it would be up to ${Math.floor(4 * (RATE.burst + (RATE.perMinute / 60) * seconds))}), ${refused} refused`);
    assert.equal(allowed + refused, statuses.length, 'only 200 and 429');
    assert.ok(refused > 0 && statuses.length > bound, 'the client asked for more than the limit');
    assert.ok(allowed <= bound, `${allowed} allowed, bound ${bound}`);
    assert.ok(allowed >= RATE.burst, 'the burst is granted');
  });

  describe('while the replica lags (replay paused)', () => {
    let receipt: Receipt;
    let jws: string;
    before(async () => {
      await pair.pauseReplay();
      jws = await sign(members.get('shopmart')!, [keyword('lagging1')]);
      const res = await post(a.url, jws);
      assert.equal(res.status, 201);
      receipt = (await res.json()) as Receipt;
      const onReplica = await pair.replica.query<{ n: number }>(`SELECT count(*)::int AS n FROM batches WHERE batch_id = $1`, [receipt.batchId], dbName);
      assert.equal(onReplica[0]!.n, 0, 'the replica has not replayed it');
    });
    after(async () => {
      await pair.resumeReplay();
      await pair.caughtUp();
    });

    it('every process answers reads of it as the primary would', async () => {
      const receipted = openCheckpoint(receipt.checkpoint, verifierKey);
      for (const url of [b.url, c.url]) {
        const own = await fetch(`${url}/v1/batches/shopmart/${receipt.batchId}`, { headers: bearer(await memberToken('shopmart')) });
        assert.equal(own.status, 200, `${url}: the member's own batch`);
        const note = await (await fetch(`${url}/log/checkpoint`)).text();
        assert.ok(openCheckpoint(note, verifierKey).size >= receipted.size, `${url}: the checkpoint`);
        const proof = await fetch(`${url}/log/proof/inclusion?index=${receipt.leafIndex}&size=${receipted.size}`);
        assert.equal(proof.status, 200, `${url}: the proof`);
        const tile = await fetch(`${url}/log/${tilePath({ level: 0, index: Math.floor(receipted.size / 256), width: receipted.size % 256 })}`);
        assert.equal(tile.status, 200, `${url}: the tile`);
        const found = await graphql(url, `query($id: ID!) { indicator(id: $id) { value } }`, { id: receipt.indicatorIds[0] }, bearer(tokens['reader']!));
        assert.equal((found.body.data?.['indicator'] as { value: string } | null)?.value, 'lagging1', `${url}: the indicator`);
        const feed = (await (await fetch(`${url}/v1/feed?after=${receipt.leafIndex - 1}`, { headers: bearer(await memberToken('chatapp')) })).json()) as { items: Array<{ index: number }> };
        assert.equal(feed.items[0]?.index, receipt.leafIndex, `${url}: the feed`);
      }
      // The member's own audit of its receipt, from the tiles of a process whose replica lags.
      await verifyReceipt({ receipt, jws, verifierKey, client: createTileLogClient(b.url) });
    });
  });

  it('a revoked token is refused by every process, a revoked member’s batches too', async (t) => {
    const ask = (url: string) => graphql(url, '{ me { kind } }', {}, bearer(tokens['revoked']!));
    for (const url of [...urls(), c.url]) assert.equal((await ask(url)).status, 200);
    const jti = JSON.parse(Buffer.from(tokens['revoked']!.split('.')[1]!, 'base64url').toString()).jti as string;
    await operator.services.tokens.revoke(jti);
    const revokedAt = performance.now();
    let slowest = 0;
    for (const url of [...urls(), c.url, c.url]) {
      await eventually(`${url} refusing the revoked token`, async () => ((await ask(url)).status === 401 ? true : undefined), 5000);
      slowest = Math.max(slowest, performance.now() - revokedAt);
    }
    t.diagnostic(`every process refused the token ${Math.round(slowest)} ms after the revocation committed (NOTIFY)`);
    assert.ok(slowest < 2000);

    await operator.services.members.revoke({ slug: 'searchco' });
    const late = await sign(members.get('searchco')!, [keyword('afterrevocation')]);
    for (const url of [...urls(), c.url]) {
      const res = await post(url, late);
      assert.ok(res.status >= 400 && res.status < 500, `${url}: ${res.status}`);
      assert.match(JSON.stringify(await res.json()), /REVOKED|UNKNOWN_MEMBER/);
      const feed = await fetch(`${url}/v1/feed`, { headers: bearer(await memberToken('searchco')) });
      assert.equal(feed.status, 401, `${url}: the member's requests`);
    }
  });

  function statusOnNewConnection(url: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      get(url, { agent: false, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('timeout', function (this: { destroy(err: Error): void }) {
          this.destroy(new Error(`no answer from ${url} in 5 s`));
        })
        .on('error', reject);
    });
  }

  function subscribe(name: string, url: string, token: string): { name: string; client: Client; ids: Set<string> } {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    const ids = new Set<string>();
    client.subscribe<{ indicatorPublished: { indicator: { id: string } } }>(
      { query: 'subscription { indicatorPublished { indicator { id } } }' },
      { next: (msg) => msg.data && ids.add(msg.data.indicatorPublished.indicator.id), error: () => undefined, complete: () => undefined },
    );
    return { name, client, ids };
  }
});
