/**
 * The console's in-browser provenance check (web/verify.ts, WebCrypto) against the hub's own
 * log code (src/tlog, node:crypto) and the log's shared test vectors: the same roots from the
 * same proofs, the same verdicts on other implementations' checkpoints, and each tampering
 * refused with its own code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateSignerKey, leafHash, MemoryHashStore, inclusionProofSync, parseSignerKey, signCheckpoint, verifyInclusion } from '../tlog/index.js';
import { readVectorJson, skipWithoutVectors, type InclusionCase } from '../tlog/test-vectors.js';
import { sha256Base64url, systemRandom } from '../kernel/index.js';
import { createMemberKeyAndCsr, createRootCa, signMemberCsr } from '../pki/index.js';
import { issuerJwtOf, presentSdJwt, signBatchSdJwt, splitSdJwt } from '../provenance/index.js';
import { openNote, parseCheckpoint, parseVerifierKey, rootFromInclusionProof, verifyBatchInclusion, VerifyError, type ProvenanceInput } from './web/verify.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

async function rejectsCode(run: () => Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(run, (err: unknown) => err instanceof VerifyError && err.code === code, `expected ${code}`);
}

/** A real log of `n` batch entries, its signed checkpoint, and the provenance of leaf `index`. */
function logWith(n: number, index: number, jws = `eyJhbGciOiJQUzI1NiJ9.payload-${index}.sig`, count = 1): { input: ProvenanceInput; store: MemoryHashStore } {
  const key = generateSignerKey('hub.test/wildintel');
  const signer = parseSignerKey(key.signerKey);
  const store = new MemoryHashStore();
  const entries = Array.from({ length: n }, (_, i) =>
    Buffer.from(JSON.stringify({ v: 1, kind: 'batch', ts: i, member: 'shopmart', batchId: `b-${i}`, tlp: 'AMBER', count, jwsSha256: i === index ? sha256Base64url(issuerJwtOf(jws)) : `other-${i}` })),
  );
  store.append(entries.map(leafHash));
  const checkpoint = signCheckpoint({ origin: 'hub.test/wildintel', size: n, root: store.treeHash() }, signer);
  return {
    store,
    input: {
      checkpoint,
      verifierKey: key.verifierKey,
      member: 'shopmart',
      batchId: `b-${index}`,
      batch: jws,
      leafIndex: index,
      logEntry: b64(entries[index]!),
      inclusionProof: inclusionProofSync(index, n, store.read).map(b64),
    },
  };
}

describe('in-browser provenance check', () => {
  it('recomputes the same root as src/tlog for every leaf of trees of 1 to 33 leaves', async () => {
    for (let n = 1; n <= 33; n++) {
      const store = new MemoryHashStore();
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
      store.append(leaves);
      const root = store.treeHash();
      for (let i = 0; i < n; i++) {
        const proof = inclusionProofSync(i, n, store.read);
        verifyInclusion(i, n, leaves[i]!, proof, root);
        assert.equal(b64(await rootFromInclusionProof(i, n, leaves[i]!, proof)), b64(root), `leaf ${i} of ${n}`);
      }
    }
  });

  it('accepts a real batch entry in a signed checkpoint, and names the tree', async () => {
    const { input, store } = logWith(21, 13);
    const result = await verifyBatchInclusion(input);
    assert.deepEqual(result, { origin: 'hub.test/wildintel', treeSize: 21, rootHash: b64(store.treeHash()), jwsSha256: sha256Base64url(input.batch!), disclosed: 1, withheld: 0 });
  });

  describe('a version 2 batch (SD-JWT) shown in part', async () => {
    const ca = createRootCa({ commonName: 'wildintel Root', validityYears: 1, now: new Date() });
    const member = createMemberKeyAndCsr({ member: 'shopmart' });
    const signer = { keyPem: member.keyPem, chainPem: [signMemberCsr({ csrPem: member.csrPem, ca, now: new Date() })] };
    const indicators = [0, 1, 2].map((i) => ({ type: 'KEYWORD', value: `ivory${i}`, commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T11:00:00Z' }));
    const sdJwt = await signBatchSdJwt({ v: 2, batchId: '3b241101-e2bb-4255-8caf-4136c566a962', member: 'shopmart', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators }, signer, systemRandom);
    const { jwt, disclosures } = splitSdJwt(sdJwt);

    it('accepts the items shown when each is one the payload the entry commits to signed, and counts those withheld', async () => {
      const { input } = logWith(7, 3, presentSdJwt(jwt, [disclosures[1]!]), 3);
      assert.deepEqual(await verifyBatchInclusion(input).then((r) => [r.disclosed, r.withheld, r.jwsSha256]), [1, 2, sha256Base64url(jwt)]);
    });
    it('refuses an item that is not one the member signed in this batch, and the same item twice', async () => {
      const forged = Buffer.from(JSON.stringify([Buffer.alloc(16).toString('base64url'), indicators[1]])).toString('base64url');
      await rejectsCode(() => verifyBatchInclusion(logWith(7, 3, presentSdJwt(jwt, [forged]), 3).input), 'DISCLOSURE_MISMATCH');
      await rejectsCode(() => verifyBatchInclusion(logWith(7, 3, presentSdJwt(jwt, [disclosures[0]!, disclosures[0]!]), 3).input), 'DISCLOSURE_MISMATCH');
    });
    it('says so when there is nothing signed to check (a version 1 batch the token sees only in part)', async () => {
      const { input } = logWith(7, 3);
      await rejectsCode(() => verifyBatchInclusion({ ...input, batch: null }), 'WITHHELD_BATCH');
    });
  });

  describe('when something was tampered with', () => {
    it('refuses a checkpoint signed by another key', async () => {
      const { input } = logWith(5, 2);
      await rejectsCode(() => verifyBatchInclusion({ ...input, verifierKey: generateSignerKey('hub.test/wildintel').verifierKey }), 'UNVERIFIED_NOTE');
    });
    it('refuses a checkpoint whose text was changed after signing', async () => {
      const { input } = logWith(5, 2);
      await rejectsCode(() => verifyBatchInclusion({ ...input, checkpoint: input.checkpoint.replace('\n5\n', '\n6\n') }), 'BAD_NOTE_SIGNATURE');
    });
    it('refuses other batch bytes than the entry commits to', async () => {
      const { input } = logWith(5, 2);
      await rejectsCode(() => verifyBatchInclusion({ ...input, batch: `${input.batch!}x` }), 'ENTRY_MISMATCH');
    });
    it('refuses an entry for another batch', async () => {
      const { input } = logWith(5, 2);
      await rejectsCode(() => verifyBatchInclusion({ ...input, batchId: 'b-3' }), 'ENTRY_MISMATCH');
    });
    it('refuses a proof for another leaf, a short proof and a flipped hash', async () => {
      const { input } = logWith(9, 4);
      await rejectsCode(() => verifyBatchInclusion({ ...input, leafIndex: 5 }), 'INVALID_PROOF');
      await rejectsCode(() => verifyBatchInclusion({ ...input, inclusionProof: input.inclusionProof.slice(1) }), 'INVALID_PROOF');
      const flipped = fromB64(input.inclusionProof[0]!);
      flipped[0]! ^= 1;
      await rejectsCode(() => verifyBatchInclusion({ ...input, inclusionProof: [b64(flipped), ...input.inclusionProof.slice(1)] }), 'INVALID_PROOF');
    });
    it('refuses a verifier key whose id does not match it, and non-canonical base64', async () => {
      const { input } = logWith(3, 0);
      await rejectsCode(() => parseVerifierKey(input.verifierKey.replace(/\+([0-9a-f]{8})\+/, '+00000000+')), 'MALFORMED_KEY');
      await rejectsCode(() => verifyBatchInclusion({ ...input, logEntry: `${input.logEntry.slice(0, -1)}*` }), 'MALFORMED_ENTRY');
    });
  });
});

describe('in-browser check on the log’s shared vectors', { skip: skipWithoutVectors }, () => {
  it('gives the verdict src/tlog gives on transparency-dev/merkle’s inclusion probes', async () => {
    const { cases } = readVectorJson<{ cases: InclusionCase[] }>('merkle/inclusion.json');
    for (const c of cases) {
      let ok: boolean;
      try {
        const root = await rootFromInclusionProof(c.leafIdx, c.treeSize, fromB64(c.leafHash), (c.proof ?? []).map(fromB64));
        ok = Buffer.from(root).equals(Buffer.from(c.root, 'base64'));
      } catch (err) {
        assert.ok(err instanceof VerifyError, `${c.file}: ${String(err)}`);
        ok = false;
      }
      assert.equal(ok, !c.wantErr, c.file);
    }
  });

  it('opens checkpoints of other implementations (sum.golang.org, sigsum)', async () => {
    const { checkpoints } = readVectorJson<{ checkpoints: Array<{ note: string; vkey: string; origin: string; size: number }> }>('notes/checkpoints-other-implementations.json');
    for (const c of checkpoints) {
      const body = parseCheckpoint(await openNote(c.note, await parseVerifierKey(c.vkey)));
      assert.deepEqual([body.origin, body.size], [c.origin, c.size]);
    }
  });
});
