import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { memberDnsName, parseCertificate, pemToDerCertificates } from '../pki/index.js';
import type { ParsedCertificate } from '../pki/index.js';
import type { Random } from '../kernel/index.js';
import { assertBatchPayload } from './batch.js';
import type { BatchPayload } from './batch.js';
import { canonicalBytes } from './canonical-json.js';
import { BATCH_JWS_ALG, BATCH_JWS_TYP, BATCH_SD_JWT_TYP, parseBatchJws } from './compact-jws.js';
import { ProvenanceError } from './errors.js';
import { ARRAY_DIGEST_KEY, DISCLOSED_ARRAYS, MIN_SALT_BYTES, SD_ALG, discloseItem, isSdJwt, issuerJwtOf, presentSdJwt, type DisclosedArray } from './sd-jwt.js';

export interface BatchSigner {
  /** The member's PKCS#8 private key. */
  readonly keyPem: string;
  /** PEM certificates, leaf first (a PEM bundle per item is fine); the root may be left out. */
  readonly chainPem: readonly string[];
}

/** Where salts come from: the node's randomness, injected (16 bytes per item). */
export type SaltSource = Pick<Random, 'bytes'>;

/**
 * Signs a version 1 batch as a compact JWS: protected header `{"alg":"PS256","typ":"wildintel-batch+jws","x5c":[…]}`,
 * payload the RFC 8785 bytes of `payload`. Refuses up front what the hub would refuse anyway
 * (a malformed envelope, a leaf that does not name `payload.member`, a key that is not the leaf's).
 * @throws ProvenanceError `INVALID_BATCH` | `UNENCODABLE_VALUE` | `MEMBER_MISMATCH` | `KEY_MISMATCH`; PkiError `BAD_CERTIFICATE`
 */
export async function signBatch(payload: BatchPayload<object>, signer: BatchSigner): Promise<string> {
  assertBatchPayload(payload);
  if (payload.v !== 1) throw versionMismatch(1);
  return signPayload(canonicalBytes(payload), BATCH_JWS_TYP, payload.member, signer);
}

/**
 * Signs a version 2 batch as an SD-JWT (design.md item 2b): each item of `indicators`,
 * `retractions` and `outcomes` under its own 128-bit salt from `salts`, the issuer-signed JWT over the RFC 8785
 * payload of their digests (items keep their order), followed by every disclosure in payload order.
 * @throws as {@link signBatch}
 */
export async function signBatchSdJwt(payload: BatchPayload<object>, signer: BatchSigner, salts: SaltSource): Promise<string> {
  assertBatchPayload(payload);
  if (payload.v !== 2) throw versionMismatch(2);
  const { indicators, retractions, outcomes, ...envelope } = payload;
  const items: Record<DisclosedArray, readonly unknown[] | undefined> = { indicators, retractions, outcomes };
  const disclosed = DISCLOSED_ARRAYS.map((array) => [array, items[array]?.map((item) => discloseItem(salts.bytes(MIN_SALT_BYTES), item))] as const);
  const signed: Record<string, unknown> = { ...envelope, _sd_alg: SD_ALG };
  for (const [array, list] of disclosed) if (list !== undefined) signed[array] = list.map((d) => ({ [ARRAY_DIGEST_KEY]: d.digest }));
  const jwt = await signPayload(canonicalBytes(signed), BATCH_SD_JWT_TYP, payload.member, signer);
  return presentSdJwt(jwt, disclosed.flatMap(([, list]) => (list ?? []).map((d) => d.disclosure)));
}

/**
 * The same batch signed again by `signer` (after a certificate rotation): the payload bytes are
 * kept, and so the batch id, items, salts and disclosures; only the signature and `x5c` change.
 * @throws as {@link signBatch}
 */
export async function signAgain(batch: string, signer: BatchSigner): Promise<string> {
  const jwt = issuerJwtOf(batch);
  const typ = isSdJwt(batch) ? BATCH_SD_JWT_TYP : BATCH_JWS_TYP;
  const { payloadBytes } = parseBatchJws(jwt, Number.MAX_SAFE_INTEGER, typ);
  const payload = JSON.parse(new TextDecoder().decode(payloadBytes)) as { member?: unknown };
  if (typeof payload.member !== 'string') throw new ProvenanceError('INVALID_BATCH', 'batch member: must be a member slug', { details: { field: 'member' } });
  const again = await signPayload(payloadBytes, typ, payload.member, signer);
  return isSdJwt(batch) ? `${again}${batch.slice(jwt.length)}` : again;
}

async function signPayload(payload: Uint8Array, typ: string, member: string, signer: BatchSigner): Promise<string> {
  const chain = signer.chainPem.flatMap((pem) => pemToDerCertificates(pem)).map((der) => parseCertificate(der));
  const [leaf] = chain;
  if (leaf === undefined) throw new ProvenanceError('MEMBER_MISMATCH', 'the signer has no certificate');
  assertNamesMember(leaf, member);
  const key = signingKey(signer.keyPem, leaf);
  return new CompactSign(payload)
    .setProtectedHeader({ alg: BATCH_JWS_ALG, typ, x5c: chain.map((cert) => Buffer.from(cert.der).toString('base64')) })
    .sign(key);
}

function versionMismatch(v: 1 | 2): ProvenanceError {
  return new ProvenanceError('INVALID_BATCH', `batch v: must be ${v} for this signer`, { details: { field: 'v' } });
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
