/**
 * A poison batch: content no database can hold (a NUL in any string) is a permanent refusal
 * with a code, never a 503 "retry later with the same bytes" that a node would obey forever.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createPrivateKey } from 'node:crypto';
import { CompactSign } from 'jose';
import { normalizeKeyword } from '../src/indicators/index.js';
import { canonicalBytes } from '../src/provenance/index.js';
import { pemToDerCertificates } from '../src/pki/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

describe('a batch holding a NUL', () => {
  let fed: TestFederation;
  let shopmart: TestMember;
  const counts = async (): Promise<string> =>
    JSON.stringify(await fed.hub.database.dataSource.query(`SELECT (SELECT count(*) FROM batches)::int AS b, (SELECT count(*) FROM indicators)::int AS i, (SELECT count(*) FROM tlog_entries)::int AS e`));
  const post = async (jws: string): Promise<{ status: number; error: { code: string; details?: Record<string, unknown> } }> => {
    const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    return { status: res.status, error: ((await res.json()) as { error: { code: string; details?: Record<string, unknown> } }).error };
  };
  const keyword = (original: string): Record<string, unknown> => ({ type: 'KEYWORD', value: normalizeKeyword(original), original, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 });

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
  });
  after(() => fed.close());

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['original', keyword('象牙\u0000手镯'), 'original'],
    ['value', { ...keyword('ivory'), original: undefined, value: 'ivo\u0000ry' }, 'value'],
    ['species', { ...keyword('ivory'), species: 'Loxodonta\u0000 africana' }, 'species'],
    ['context.language', { ...keyword('ivory'), context: { language: 'en\u0000' } }, 'context.language'],
    ['a seller value', { type: 'SELLER', value: 'fp1.k.\u0000', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 }, 'value'],
  ];
  for (const [name, indicator, field] of cases) {
    it(`refuses NUL in ${name} for good (422 INVALID_INDICATOR, index and field), storing nothing`, async () => {
      const before = await counts();
      const { status, error } = await post(await fed.sign(shopmart, { indicators: [...sampleIndicators(1, `ok${field.replace(/\W/g, "")}`), indicator] }));
      assert.equal(status, 422, JSON.stringify(error));
      assert.equal(error.code, 'INVALID_INDICATOR');
      assert.equal(error.details?.['index'], 1);
      assert.equal(error.details?.['field'], field);
      assert.equal(await counts(), before);
    });
  }

  it('refuses NUL in a retraction reason with 400 INVALID_BATCH', async () => {
    const before = await counts();
    // The node's signer refuses it too: this is a batch an older or a buggy node signed.
    await assert.rejects(fed.sign(shopmart, { indicators: [], retractions: [{ indicatorId: 'a'.repeat(43), reason: 'mis\u0000take' }] }), { code: 'INVALID_BATCH' });
    const payload = { v: 1, batchId: randomUUID(), member: 'shopmart', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: [], retractions: [{ indicatorId: 'a'.repeat(43), reason: 'mis\u0000take' }] };
    const x5c = pemToDerCertificates(shopmart.certPem).map((d) => Buffer.from(d).toString('base64'));
    const jws = await new CompactSign(canonicalBytes(payload)).setProtectedHeader({ alg: 'PS256', typ: 'wildintel-batch+jws', x5c }).sign(createPrivateKey(shopmart.keyPem));
    const { status, error } = await post(jws);
    assert.equal(status, 400, JSON.stringify(error));
    assert.equal(error.code, 'INVALID_BATCH');
    assert.equal(error.details?.['field'], 'retractions[0].reason');
    assert.equal(await counts(), before);
  });
});
