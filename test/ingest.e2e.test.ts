import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indicatorId } from '../src/indicators/index.js';
import { leafHash, openCheckpoint, verifyInclusion } from '../src/tlog/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { graphql } from './helpers/hub-process.js';

async function post(url: string, jws: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('publishing a signed batch', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
  });
  after(() => fed.close());

  it('accepts it over HTTP with a receipt whose checkpoint includes the batch', async () => {
    const jws = await fed.sign(shopmart, { indicators: sampleIndicators(3) });
    const { status, body } = await post(fed.hub.url, jws);
    assert.equal(status, 201, JSON.stringify(body));
    assert.deepEqual(body['indicatorIds'], ['ivoryx0', 'ivoryx1', 'ivoryx2'].map((v) => indicatorId('KEYWORD', v)));
    const checkpoint = openCheckpoint(String(body['checkpoint']), fed.hub.services.log.verifierKey);
    const index = Number(body['leafIndex']);
    assert.ok(index < checkpoint.size);
    const entries = (await (await fetch(`${fed.hub.url}/log/entries?start=${index}&end=${index + 1}`)).json()) as { entries: string[] };
    const proof = (await (await fetch(`${fed.hub.url}/log/proof/inclusion?index=${index}&size=${checkpoint.size}`)).json()) as { proof: string[] };
    verifyInclusion(index, checkpoint.size, leafHash(Buffer.from(entries.entries[0]!, 'base64')), proof.proof.map((p) => Buffer.from(p, 'base64')), checkpoint.root);
  });

  it('answers a replay with the original receipt and a changed batch under the same id with BATCH_ID_CONFLICT', async () => {
    const batchId = '7d7a4c52-5f5e-4bd0-9a57-2f1b3c6b0a11';
    const jws = await fed.sign(shopmart, { batchId, indicators: sampleIndicators(2, 'r') });
    const first = await post(fed.hub.url, jws);
    const again = await post(fed.hub.url, jws);
    assert.equal(again.status, 200);
    assert.deepEqual({ ...again.body, duplicate: false }, first.body);
    const changed = await fed.sign(shopmart, { batchId, indicators: sampleIndicators(3, 'r') });
    const conflict = await post(fed.hub.url, changed);
    assert.equal(conflict.status, 409);
    assert.equal((conflict.body['error'] as { code: string }).code, 'BATCH_ID_CONFLICT');
  });

  it('publishes through the GraphQL mutation too, and the indicators become visible', async () => {
    const jws = await fed.sign(shopmart, { indicators: sampleIndicators(1, 'gql') });
    const { body } = await graphql(fed.hub.url, 'mutation($jws: String!) { publishBatch(jws: $jws) { leafIndex indicatorIds duplicate } }', { jws });
    const receipt = body.data!['publishBatch'] as { indicatorIds: string[]; duplicate: boolean };
    assert.equal(receipt.duplicate, false);
    const found = await fed.read('query($id: ID!) { indicator(id: $id) { value members } }', { id: receipt.indicatorIds[0] });
    assert.deepEqual(found.body.data!['indicator'], { value: 'ivorygql0', members: ['shopmart'] });
  });

  it('refuses a tampered batch with BAD_SIGNATURE and stores nothing', async () => {
    const jws = await fed.sign(shopmart, { indicators: sampleIndicators(1, 'tamper') });
    const [h, p, s] = jws.split('.');
    const payload = Buffer.from(p!, 'base64url').toString().replace('ivorytamper0', 'ivorytamper9');
    const { status, body } = await post(fed.hub.url, `${h}.${Buffer.from(payload).toString('base64url')}.${s}`);
    assert.equal(status, 401);
    assert.equal((body['error'] as { code: string }).code, 'BAD_SIGNATURE');
    const rows = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM indicators WHERE value LIKE 'ivorytamper%'`);
    assert.equal(rows[0].n, 0);
  });

  it('serves the same signed checkpoint over GraphQL and at /log/checkpoint', async () => {
    const note = await (await fetch(`${fed.hub.url}/log/checkpoint`)).text();
    const { body } = await fed.read('{ checkpoint { origin size rootHash note verifierKey } }');
    const cp = body.data!['checkpoint'] as { origin: string; size: number; rootHash: string; note: string; verifierKey: string };
    assert.equal(cp.note, note);
    const opened = openCheckpoint(note, cp.verifierKey, cp.origin);
    assert.equal(opened.size, cp.size);
    assert.equal(Buffer.from(opened.root).toString('base64'), cp.rootHash);
  });
});
