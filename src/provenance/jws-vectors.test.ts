import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, importJWK } from 'jose';
import type { JWK } from 'jose';
import { fixedClock } from '../kernel/index.js';
import { ProvenanceError, createBatchVerifier } from './index.js';
import { readVectorJson, skipWithoutVectors } from '../tlog/test-vectors.js';

// RFC 7520 §4.1 (RS256) and RFC 8037 A.4 (EdDSA), read in place from the shared vectors.
interface JwsCase {
  readonly rfc: string;
  readonly alg: string;
  readonly jwk: JWK;
  readonly payload: string;
  readonly compact: string;
}
const { cases } = skipWithoutVectors ? { cases: [] } : readVectorJson<{ cases: readonly JwsCase[] }>('jws/rfc-examples.json');

describe('JWS RFC examples', { skip: skipWithoutVectors }, () => {
  it('has both published cases', () => {
    assert.deepEqual(cases.map((c) => c.rfc), ['RFC 7520 4.1', 'RFC 8037 A.4']);
  });

  for (const vector of cases) {
    it(`${vector.rfc} (${vector.alg}) verifies with jose and yields the published payload`, async () => {
      const key = await importJWK(vector.jwk, vector.alg);
      const { payload, protectedHeader } = await compactVerify(vector.compact, key, { algorithms: [vector.alg] });
      assert.equal(protectedHeader.alg, vector.alg);
      assert.equal(new TextDecoder().decode(payload), vector.payload);
    });

    it(`${vector.rfc} fails with jose once its payload is altered`, async () => {
      const key = await importJWK(vector.jwk, vector.alg);
      const [header, , signature] = vector.compact.split('.');
      const altered = `${header}.${Buffer.from(`${vector.payload}!`).toString('base64url')}.${signature}`;
      await assert.rejects(compactVerify(altered, key, { algorithms: [vector.alg] }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    });

    it(`${vector.rfc} is not a wildintel batch: the batch verifier rejects it with MALFORMED_JWS`, async () => {
      const verifier = createBatchVerifier({ roots: [], isRevoked: () => undefined, clock: fixedClock(0) });
      await assert.rejects(verifier.verify(vector.compact), (error: unknown) => {
        assert.ok(error instanceof ProvenanceError);
        assert.equal(error.code, 'MALFORMED_JWS');
        return true;
      });
    });
  }
});
