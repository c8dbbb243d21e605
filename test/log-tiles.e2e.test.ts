/**
 * The log served as C2SP tlog-tiles by a real hub over HTTP: for every tree size from 1 to 2,100,
 * the roots and proofs computed from its tiles alone (by the auditor's tile client) equal the
 * hub's proof endpoints and the roots recomputed from the entries; every signed checkpoint is
 * supported by the tiles; entry bundles hold the entries the level-0 tiles hash; the caching
 * headers, refusals and the auditor's and node's use of tiles.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { appendLeaf, auditLog, createTileLogClient, EMPTY_RANGE, rangeRoot, type CompactRange, type TileLogClient } from '../src/audit/index.js';
import { systemClock } from '../src/kernel/index.js';
import { createNodeLogClient } from '../src/node/hub-client.js';
import { leafHash, openCheckpoint, parseEntryBundle, parseTile, verifyConsistency, verifyInclusion } from '../src/tlog/index.js';
import { testServerUrl } from '../src/db/test-server.js';
import { startTestFederation, type TestFederation } from './helpers/federation.js';

const SIZE = 2100;
/**
 * Every size in the Postgres pass; in the embedded pass (PGlite answers one query at a time, and
 * serves the same SQL) every size to 300 and those around each tile edge.
 */
const SIZES = Array.from({ length: SIZE }, (_, i) => i + 1).filter((s) => testServerUrl() !== undefined || s <= 300 || s % 256 <= 3 || s % 256 >= 253 || s === SIZE);
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
  }));
}

describe('the log as C2SP tiles', () => {
  let fed: TestFederation;
  let tiles: TileLogClient;
  /** Roots recomputed from the entries, by size. */
  const roots: Uint8Array[] = [];
  const entries: Uint8Array[] = [];
  let verifierKey: string;

  const getJson = async (path: string): Promise<{ proof: string[] }> => {
    const res = await fetch(`${fed.hub.url}${path}`);
    assert.equal(res.status, 200, path);
    return (await res.json()) as { proof: string[] };
  };

  before(async () => {
    fed = await startTestFederation();
    const { log } = fed.hub.services;
    verifierKey = log.verifierKey;
    const db = fed.hub.database.dataSource;
    // Appends of 1 to 37 entries at a time: checkpoints at irregular sizes, across tile edges.
    let logged = Number((await log.latestCheckpoint(db)).size);
    for (let chunk = 1; logged < SIZE; chunk = (chunk % 37) + 1) {
      const n = Math.min(chunk, SIZE - logged);
      await db.transaction((tx) => log.append(tx, Array.from({ length: n }, () => ({ kind: 'opinion' as const, by: 'agency:tiles', recordSha256: randomBytes(32).toString('base64url') }))));
      logged += n;
    }
    entries.push(...(await log.entries(db, 0, SIZE)));
    let range: CompactRange = EMPTY_RANGE;
    roots.push(rangeRoot(range));
    for (const entry of entries) {
      range = appendLeaf(range, leafHash(entry));
      roots.push(rangeRoot(range));
    }
    tiles = createTileLogClient(fed.hub.url);
  });
  after(async () => {
    await fed?.close();
  });

  it(`give, at every size up to ${SIZE}, the root of the entries and the proofs of the proof endpoints`, async (t) => {
    const started = performance.now();
    await pool(SIZES, 8, async (size) => {
      assert.equal(b64(await tiles.treeHash(size, roots[size])), b64(roots[size]!), `root of ${size}`);
      const index = (size * 7919) % size;
      const inclusion = await tiles.inclusionProof(index, size);
      assert.deepEqual(inclusion.map(b64), (await getJson(`/log/proof/inclusion?index=${index}&size=${size}`)).proof, `inclusion ${index} in ${size}`);
      verifyInclusion(index, size, leafHash(entries[index]!), inclusion, roots[size]!);
      const consistency = await tiles.consistencyProof(size, SIZE);
      assert.deepEqual(consistency.map(b64), (await getJson(`/log/proof/consistency?from=${size}&to=${SIZE}`)).proof, `consistency ${size} → ${SIZE}`);
      verifyConsistency(size, SIZE, consistency, roots[size]!, roots[SIZE]!);
    });
    t.diagnostic(`${SIZES.length} sizes compared in ${Math.round(performance.now() - started)} ms`);
  });

  it('support every signed checkpoint the log ever made', async () => {
    const rows: Array<{ note: string }> = await fed.hub.database.dataSource.query(`SELECT note FROM tlog_checkpoints WHERE size > 0 ORDER BY size`);
    assert.ok(rows.length > 100, `${rows.length} checkpoints`);
    await pool(rows, 8, async ({ note }) => {
      const checkpoint = openCheckpoint(note, verifierKey);
      assert.equal(b64(await tiles.treeHash(checkpoint.size, checkpoint.root)), b64(checkpoint.root));
    });
  });

  it('serve entry bundles whose entries hash to the level-0 tiles, gzipped when asked', async () => {
    const got = await tiles.entries(0, SIZE);
    assert.deepEqual(got.map(b64), entries.map(b64));
    const res = await fetch(`${fed.hub.url}/log/tile/entries/001`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    const bundle = parseEntryBundle(new Uint8Array(await res.arrayBuffer()), 256);
    const level0 = parseTile(new Uint8Array(await (await fetch(`${fed.hub.url}/log/tile/0/001`)).arrayBuffer()), 256);
    assert.deepEqual(bundle.map((e) => b64(leafHash(e))), level0.map(b64));
    // Raw, to see the encoding: fetch() above decoded it.
    const raw = await import('node:http').then(
      ({ get }) =>
        new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
          get(`${fed.hub.url}/log/tile/entries/001`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
          }).on('error', reject);
        }),
    );
    assert.equal(raw.encoding, 'gzip');
    assert.equal(parseEntryBundle(gunzipSync(raw.body), 256).length, 256);
  });

  it('mark full tiles immutable and partial ones short-lived, and refuse what the log does not have', async () => {
    const full = await fetch(`${fed.hub.url}/log/tile/0/000`);
    assert.equal(full.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(full.headers.get('content-type'), 'application/octet-stream');
    assert.equal((await full.arrayBuffer()).byteLength, 8192);
    const partial = await fetch(`${fed.hub.url}/log/tile/0/008.p/${SIZE % 256}`);
    assert.equal(partial.status, 200);
    assert.equal(partial.headers.get('cache-control'), 'public, max-age=10');
    assert.equal((await partial.arrayBuffer()).byteLength, (SIZE % 256) * 32);
    const level1 = await fetch(`${fed.hub.url}/log/tile/1/000.p/${Math.floor(SIZE / 256)}`);
    assert.equal((await level1.arrayBuffer()).byteLength, Math.floor(SIZE / 256) * 32);
    for (const missing of ['0/008', `0/008.p/${(SIZE % 256) + 1}`, '0/009.p/1', '1/000', '2/000.p/1', 'entries/009.p/1', '63/x999/999']) {
      const res = await fetch(`${fed.hub.url}/log/tile/${missing}`);
      assert.equal(res.status, 404, missing);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    for (const bad of ['0/8', '0/0008', '0/000.p/256', '0/000.p/0', '64/000', 'x/000', '0/x000/001', 'entries/000.p/01', '0']) {
      const res = await fetch(`${fed.hub.url}/log/tile/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MALFORMED_TILE');
    }
  });

  it('are enough for the auditor: audit verify from tiles alone passes, and catches a tile that lies', async () => {
    const report = await auditLog({ client: tiles, verifierKey, clock: systemClock });
    assert.equal(report.to, SIZE);
    assert.equal(report.entriesChecked, SIZE);
    // A mirror that serves one wrong hash in a full level-0 tile.
    const lying = createTileLogClient(fed.hub.url);
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (!String(input).endsWith('/log/tile/0/003')) return res;
      const body = new Uint8Array(await res.arrayBuffer());
      body[100] = body[100]! ^ 1;
      return new Response(body, { status: 200, headers: res.headers });
    };
    try {
      await assert.rejects(auditLog({ client: lying, verifierKey, clock: systemClock }), (err: Error & { code?: string }) => err.code === 'ROOT_MISMATCH' && /hash tiles/.test(err.message));
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('are what the node reads its log proofs from, falling back to the proof endpoints of a hub without tiles', async () => {
    const node = createNodeLogClient({ hubUrl: fed.hub.url });
    const proof = await node.consistencyProof(1000, SIZE);
    verifyConsistency(1000, SIZE, proof, roots[1000]!, roots[SIZE]!);
    const [entry] = await node.entries(1500, 1501);
    assert.equal(createHash('sha256').update(entry!).digest('hex'), createHash('sha256').update(entries[1500]!).digest('hex'));
    // A hub that answers 404 under /log/tile (as before tiles existed) still gets audited.
    const realFetch = globalThis.fetch;
    let tileRequests = 0;
    globalThis.fetch = async (input, init) => {
      if (String(input).includes('/log/tile/')) {
        tileRequests++;
        return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } }), { status: 404 });
      }
      return realFetch(input, init);
    };
    try {
      const old = createNodeLogClient({ hubUrl: fed.hub.url });
      verifyInclusion(7, SIZE, leafHash(entries[7]!), await old.inclusionProof(7, SIZE), roots[SIZE]!);
      const asked = tileRequests;
      verifyInclusion(8, SIZE, leafHash(entries[8]!), await old.inclusionProof(8, SIZE), roots[SIZE]!);
      assert.equal(tileRequests, asked, 'after one refusal the node goes straight to the proof endpoints');
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
