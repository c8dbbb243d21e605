import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { memberDnsName, parseCertificate, pemToDerCertificates } from '../pki/index.js';
import type { ParsedCertificate } from '../pki/index.js';
import { assertBatchPayload } from './batch.js';
import type { BatchPayload } from './batch.js';
import { canonicalBytes } from './canonical-json.js';
import { BATCH_JWS_ALG, BATCH_JWS_TYP } from './compact-jws.js';
import { ProvenanceError } from './errors.js';

export interface BatchSigner {
  /** The member's PKCS#8 private key. */
  readonly keyPem: string;
  /** PEM certificates, leaf first (a PEM bundle per item is fine); the root may be left out. */
  readonly chainPem: readonly string[];
}

/**
 * Signs a batch as a compact JWS: protected header `{"alg":"PS256","typ":"wildintel-batch+jws","x5c":[…]}`,
 * payload the RFC 8785 bytes of `payload`. Refuses up front what the hub would refuse anyway
 * (a malformed envelope, a leaf that does not name `payload.member`, a key that is not the leaf's).
 * @throws ProvenanceError `INVALID_BATCH` | `UNENCODABLE_VALUE` | `MEMBER_MISMATCH` | `KEY_MISMATCH`; PkiError `BAD_CERTIFICATE`
 */
export async function signBatch(payload: BatchPayload<object>, signer: BatchSigner): Promise<string> {
  assertBatchPayload(payload);
  const chain = signer.chainPem.flatMap((pem) => pemToDerCertificates(pem)).map((der) => parseCertificate(der));
  const [leaf] = chain;
  if (leaf === undefined) throw new ProvenanceError('MEMBER_MISMATCH', 'the signer has no certificate');
  assertNamesMember(leaf, payload.member);
  const key = signingKey(signer.keyPem, leaf);
  return new CompactSign(canonicalBytes(payload))
    .setProtectedHeader({
      alg: BATCH_JWS_ALG,
      typ: BATCH_JWS_TYP,
      x5c: chain.map((cert) => Buffer.from(cert.der).toString('base64')),
    })
    .sign(key);
}

/** The member slug must be both the subject CN and the DNS SAN of the leaf (design.md item 2). */
export function assertNamesMember(leaf: ParsedCertificate, member: string): void {
  if (leaf.subjectCN !== member || !leaf.dnsNames.includes(memberDnsName(member))) {
    throw new ProvenanceError('MEMBER_MISMATCH', `the signing certificate does not name member ${member}`, {
      details: { member, subjectCN: leaf.subjectCN ?? null },
    });
  }
}

/** Compares SubjectPublicKeyInfo DER, so a key from another enrolment cannot sign under this leaf. */
export function signingKey(keyPem: string, leaf: ParsedCertificate): KeyObject {
  const key = createPrivateKey(keyPem);
  const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(key)).equals(spki(new X509Certificate(Buffer.from(leaf.der)).publicKey))) {
    throw new ProvenanceError('KEY_MISMATCH', 'the private key does not belong to the leaf certificate');
  }
  return key;
}
