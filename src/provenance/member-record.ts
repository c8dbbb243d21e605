import { compactVerify, CompactSign } from 'jose';
import { createChainVerifier, parseCertificate, pemToDerCertificates, type ChainVerifier, type RevocationLookup } from '../pki/index.js';
import { canonicalBytes, parseCanonicalJson, type JsonObject } from './canonical-json.js';
import { BATCH_JWS_ALG, malformed, parseBatchJws } from './compact-jws.js';
import { ProvenanceError } from './errors.js';
import { assertNamesMember, signingKey, type BatchSigner } from './sign-batch.js';

/**
 * Records other than batches that a member signs as itself (disclosure steps): the batch
 * envelope exactly (compact JWS, PS256, x5c chain to the federation root, RFC 8785 payload),
 * under a `typ` of their own, so a record of one kind can never pass for another or for a batch.
 * The payload names the member in `member`; the leaf certificate must name it too.
 */
export async function signMemberRecord(payload: JsonObject & { readonly member: string }, typ: string, signer: BatchSigner): Promise<string> {
  const chain = signer.chainPem.flatMap((pem) => pemToDerCertificates(pem)).map((der) => parseCertificate(der));
  const [leaf] = chain;
  if (leaf === undefined) throw new ProvenanceError('MEMBER_MISMATCH', 'the signer has no certificate');
  assertNamesMember(leaf, payload.member);
  return new CompactSign(canonicalBytes(payload))
    .setProtectedHeader({ alg: BATCH_JWS_ALG, typ, x5c: chain.map((cert) => Buffer.from(cert.der).toString('base64')) })
    .sign(signingKey(signer.keyPem, leaf));
}

export interface VerifiedMemberRecord {
  readonly payload: JsonObject;
  readonly member: string;
  readonly leafSerialHex: string;
  readonly leafFingerprintSha256: string;
}

export interface MemberRecordVerifier {
  /**
   * Verifies a record: strict envelope, canonical payload naming a `member`, chain valid and
   * unrevoked at `at(payload)`, signature, leaf naming the member.
   * @throws ProvenanceError `MALFORMED_JWS` | `BAD_SIGNATURE` | `MEMBER_MISMATCH`; PkiError chain codes
   */
  verify(jws: string, at: (payload: JsonObject) => Date): Promise<VerifiedMemberRecord>;
}

export function createMemberRecordVerifier(options: { typ: string; roots: readonly Uint8Array[]; isRevoked: RevocationLookup; maxBytes?: number; chains?: ChainVerifier }): MemberRecordVerifier {
  const chains = options.chains ?? createChainVerifier({ roots: options.roots });
  return {
    async verify(jws, at) {
      const parsed = parseBatchJws(jws, options.maxBytes ?? 1024 * 1024, options.typ);
      let payload: JsonObject;
      try {
        const value = parseCanonicalJson(parsed.payloadBytes);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        payload = value as JsonObject;
      } catch (cause) {
        throw malformed('PAYLOAD_NOT_CANONICAL', 'the payload is not an RFC 8785 canonical JSON object', cause);
      }
      const member = payload['member'];
      if (typeof member !== 'string') throw malformed('PAYLOAD_MEMBER', 'the payload names no member');
      const chain = chains.verify({ chain: parsed.x5c, at: at(payload), isRevoked: options.isRevoked });
      try {
        await compactVerify(jws, chain.leafPublicKey, { algorithms: [BATCH_JWS_ALG] });
      } catch (cause) {
        throw new ProvenanceError('BAD_SIGNATURE', 'the signature does not verify with the leaf certificate key', { cause });
      }
      assertNamesMember(chain.leaf, member);
      return { payload, member, leafSerialHex: chain.leaf.serialHex, leafFingerprintSha256: chain.leaf.fingerprintSha256 };
    },
  };
}
