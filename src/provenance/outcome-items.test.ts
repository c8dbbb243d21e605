/**
 * Outcome items (docs/auditor.md, item kinds): their form in both batch versions, the actedAt bound,
 * each outcome disclosed on its own in version 2, and version 1 batches without outcomes unchanged.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../kernel/index.js';
import { createMemberKeyAndCsr, createRootCa, parseCertificate, signMemberCsr } from '../pki/index.js';
import { ProvenanceError, assertBatchPayload, createBatchVerifier, presentSdJwt, readStoredBatch, signBatch, signBatchSdJwt, splitSdJwt, type BatchPayload, type SaltSource } from './index.js';

const INDICATOR_ID = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';
const OUTCOME_ID = '7d0f6f52-2a41-4b8e-9d3c-0c1b2a3d4e5f';
const base = {
  v: 1 as const,
  batchId: '0f8c6a1e-4b2d-4c7e-9a3f-5d1b2c3e4f50',
  member: 'shopmart',
  createdAt: '2026-03-01T12:00:00.000Z',
  tlp: 'AMBER' as const,
  indicators: [],
};
const removed = { outcomeId: OUTCOME_ID, indicatorId: INDICATOR_ID, action: 'REMOVED' as const, actedAt: '2026-03-01T11:00:00Z' };
const retracted = { outcomeId: OUTCOME_ID, indicatorId: INDICATOR_ID, reason: 'recorded against the wrong listing' };

/** A refusal of the batch naming this field (error class, code and field). */
const rejectsField = (field: string) => (e: unknown): boolean => e instanceof ProvenanceError && e.code === 'INVALID_BATCH' && e.details?.field === field;

describe('outcome items', () => {
  it('accepts outcomes and outcome retractions beside other items, and a batch with no outcomes array', () => {
    assertBatchPayload({ ...base, outcomes: [removed, retracted] });
    assertBatchPayload({ ...base, outcomes: [] });
    assertBatchPayload(base);
  });

  it('accepts an actedAt exactly 5 min after createdAt', () => {
    assertBatchPayload({ ...base, outcomes: [{ ...removed, actedAt: '2026-03-01T12:05:00.000Z' }] });
  });

  describe('when an outcome is malformed', () => {
    const cases: Array<[string, unknown, string]> = [
      ['outcomes as an object', {}, 'outcomes'],
      ['an outcome that is a string', ['REMOVED'], 'outcomes[0]'],
      ['an unknown action', [{ ...removed, action: 'DELETED' }], 'outcomes[0].action'],
      ['a missing action', [{ outcomeId: OUTCOME_ID, indicatorId: INDICATOR_ID, actedAt: removed.actedAt }], 'outcomes[0].action'],
      ['a raw listing id', [{ ...removed, listingId: '884123' }], 'outcomes[0].listingId'],
      ['an upper-case outcomeId', [{ ...removed, outcomeId: OUTCOME_ID.toUpperCase() }], 'outcomes[0].outcomeId'],
      ['a bad indicator id', [{ ...removed, indicatorId: 'x' }], 'outcomes[0].indicatorId'],
      ['an actedAt that is not RFC 3339', [{ ...removed, actedAt: '2026-03-01' }], 'outcomes[0].actedAt'],
      ['an actedAt more than 5 min after createdAt', [{ ...removed, actedAt: '2026-03-01T12:05:00.001Z' }], 'outcomes[0].actedAt'],
      ['a retraction with an action too', [{ ...retracted, action: 'REMOVED' }], 'outcomes[0].action'],
      ['a retraction with a blank reason', [{ ...retracted, reason: '  ' }], 'outcomes[0].reason'],
    ];
    for (const [label, outcomes, field] of cases) {
      it(`rejects ${label} with INVALID_BATCH`, () => {
        assert.throws(() => assertBatchPayload({ ...base, outcomes }), rejectsField(field));
      });
    }
  });
});

describe('outcomes in signed batches', () => {
  const T0 = new Date('2026-03-01T12:00:00.000Z');
  const root = createRootCa({ commonName: 'wildintel Root', validityYears: 10, now: T0 });
  const member = createMemberKeyAndCsr({ member: 'shopmart' });
  const signer = { keyPem: member.keyPem, chainPem: [signMemberCsr({ csrPem: member.csrPem, ca: root, now: T0 })] };
  const verifier = createBatchVerifier({ roots: [parseCertificate(root.certPem).der], isRevoked: () => undefined, clock: fixedClock('2026-03-02T00:00:00Z') });
  const salts: SaltSource = { bytes: (n) => new Uint8Array(randomBytes(n)) };
  const indicator = { type: 'KEYWORD', value: '象牙', commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T11:00:00Z' };
  const v2: BatchPayload = { ...base, v: 2, indicators: [indicator], outcomes: [removed, retracted] };

  it('version 2: every outcome is an array element disclosure, verified whole and read back from storage', async () => {
    const sdJwt = await signBatchSdJwt(v2, signer, salts);
    assert.equal(splitSdJwt(sdJwt).disclosures.length, 3);
    const verified = await verifier.verify(sdJwt);
    assert.deepEqual(verified.payload.outcomes, [removed, retracted]);
    assert.deepEqual(readStoredBatch(verified.stored).outcomes, [removed, retracted]);
  });

  it('version 2: a view may withhold an outcome and still verify, the outcome showing only as a digest', async () => {
    const sdJwt = await signBatchSdJwt(v2, signer, salts);
    const { jwt, disclosures } = splitSdJwt(sdJwt);
    const view = await verifier.verifyView(presentSdJwt(jwt, [disclosures[0]!, disclosures[2]!]), new Date('2026-03-02T00:00:00Z'));
    assert.deepEqual(view.outcomes, [undefined, retracted]);
    await assert.rejects(verifier.verify(presentSdJwt(jwt, [disclosures[0]!, disclosures[2]!])), (e: unknown) => e instanceof ProvenanceError && e.code === 'UNDISCLOSED_DIGEST');
  });

  it('version 2: an outcome whose actedAt runs past createdAt + 5 min is refused inside its disclosure', async () => {
    const late = { ...removed, actedAt: '2026-03-01T12:06:00Z' };
    await assert.rejects(signBatchSdJwt({ ...v2, outcomes: [late] }, signer, salts), rejectsField('outcomes[0].actedAt'));
  });

  it('version 1: a JWS with outcomes verifies, and one without stays exactly as before', async () => {
    const withOutcomes = await verifier.verify(await signBatch({ ...base, outcomes: [removed] }, signer));
    assert.deepEqual(withOutcomes.payload.outcomes, [removed]);
    const without = await verifier.verify(await signBatch(base, signer));
    assert.equal('outcomes' in without.payload, false);
    assert.deepEqual(readStoredBatch(without.stored).outcomes, []);
  });
});
