import type { KeyObject } from 'node:crypto';
import { compactVerify, errors as joseErrors } from 'jose';
import type { Clock } from '../kernel/index.js';
import { sha256Base64url } from '../kernel/index.js';
import { createChainVerifier, PkiError } from '../pki/index.js';
import type { RevocationLookup, VerifiedChain } from '../pki/index.js';
import { assertBatchPayload, assertIndicatorItem, assertOutcomeItem, assertRetractionItem, assertSdBatchPayload, parseRfc3339 } from './batch.js';
import type { BatchEnvelope, BatchPayload, OutcomeItem, Retraction } from './batch.js';
import { parseCanonicalJson, type JsonObject } from './canonical-json.js';
import { BATCH_JWS_ALG, BATCH_SD_JWT_TYP, malformed, parseBatchJws } from './compact-jws.js';
import { ARRAY_DIGEST_KEY, DISCLOSED_ARRAYS, isSdJwt, presentSdJwt, resolveDisclosures, splitSdJwt, type DisclosedItem, type ResolvedArrays } from './sd-jwt.js';
import { ProvenanceError } from './errors.js';
import { assertNamesMember } from './sign-batch.js';

export interface BatchVerifierOptions {
  /** DER of the federation roots (`certs/`). */
  readonly roots: readonly Uint8Array[];
  readonly isRevoked: RevocationLookup;
  readonly clock: Clock;
  /** How far `createdAt` may run ahead of the hub's clock (design.md: 5 min). */
  readonly maxFutureSkewMs?: number;
  /** Refuse larger JWS before any parsing. */
  readonly maxJwsBytes?: number;
  /** Distinct chains whose path verification is remembered. */
  readonly chainCacheSize?: number;
}

export type BatchFormat = 'jws' | 'sd-jwt';

interface VerifiedSignature {
  /** `jws`: version 1, a compact JWS; `sd-jwt`: version 2, an SD-JWT (RFC 9901). */
  readonly format: BatchFormat;
  readonly chain: {
    readonly member: string;
    readonly leafSerialHex: string;
    readonly leafFingerprintSha256: string;
    readonly anchorFingerprintSha256: string;
    /** When every certificate of the path is valid (the latest notBefore, the earliest notAfter). */
    readonly validFrom: Date;
    readonly validUntil: Date;
  };
  /**
   * base64url SHA-256 of the compact JWS exactly as received, or of an SD-JWT's issuer-signed JWT
   * alone: what the log's `batch` entry commits to, whichever disclosures come with it.
   */
  readonly jwsSha256: string;
}

/** A whole batch, every item verified: what the hub accepts. */
export interface VerifiedBatch extends VerifiedSignature {
  readonly payload: BatchPayload;
  /** What the hub stores: the JWS as received, or the SD-JWT with its disclosures in payload order. */
  readonly stored: string;
}

/**
 * A view of a batch: its signed envelope, and each item the view discloses at its signed position
 * (`undefined` where it is withheld, known only by its salted digest). A version 1 JWS is always whole.
 */
export interface VerifiedBatchView extends VerifiedSignature {
  readonly envelope: BatchEnvelope;
  readonly indicators: ReadonlyArray<JsonObject | undefined>;
  readonly retractions: ReadonlyArray<Retraction | undefined>;
  readonly outcomes: ReadonlyArray<OutcomeItem | undefined>;
  /** Whether the signed payload has a `retractions` array at all. */
  readonly hasRetractions: boolean;
  /** Whether it has an `outcomes` array at all (batches before outcomes existed have none). */
  readonly hasOutcomes: boolean;
}

export interface BatchVerifier {
  /**
   * A whole batch, version 1 or 2 (a version 2 batch with every disclosure).
   * @throws ProvenanceError `MALFORMED_JWS` | `MALFORMED_SD_JWT` | `MALFORMED_DISCLOSURE` | `WEAK_SALT` |
   *   `DUPLICATE_DIGEST` | `DUPLICATE_DISCLOSURE` | `UNREFERENCED_DISCLOSURE` | `UNDISCLOSED_DIGEST` |
   *   `INVALID_BATCH` | `CLOCK_SKEW` | `BAD_SIGNATURE` | `MEMBER_MISMATCH`;
   *   PkiError `BAD_CERTIFICATE` | `UNTRUSTED_CHAIN` | `CERT_EXPIRED` | `CERT_REVOKED`
   */
  verify(batch: string): Promise<VerifiedBatch>;
  /**
   * A batch as a reader is given it: a version 1 JWS, or a version 2 SD-JWT with any subset of
   * its disclosures. Everything {@link verify} checks except that every digest is disclosed, and
   * {@link assertValidWhenReceived} at `receivedAt`, when the hub received it (its log entry's `ts`).
   */
  verifyView(batch: string, receivedAt: Date): Promise<VerifiedBatchView>;
}

export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const DEFAULT_MAX_JWS_BYTES = 16 * 1024 * 1024;

/**
 * Builds the hub's batch verifier once, with its trust anchors and thresholds. Each `verify` is a
 * ladder of named steps, cheapest and unauthenticated first; the chain's path (signatures up to the
 * root) is cached per distinct chain, so a batch from a known member costs one RSA verification,
 * while validity at `createdAt` and revocation are checked for every batch.
 */
export function createBatchVerifier(options: BatchVerifierOptions): BatchVerifier {
  const chains = createChainVerifier({ roots: options.roots, cacheSize: options.chainCacheSize ?? 1024 });
  const maxFutureSkewMs = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  const maxJwsBytes = options.maxJwsBytes ?? DEFAULT_MAX_JWS_BYTES;
  const verifyOpened = async (batch: string): Promise<{ opened: OpenedBatch; view: VerifiedBatchView }> => {
    const opened = openBatch(batch, maxJwsBytes);
    const createdAt = assertNotAhead(opened.view.envelope.createdAt, options.clock, maxFutureSkewMs);
    const chain = chains.verify({ chain: opened.x5c, at: createdAt, isRevoked: options.isRevoked });
    await verifySignature(opened.jwt, chain.leafPublicKey);
    assertNamesMember(chain.leaf, opened.view.envelope.member);
    return { opened, view: { ...opened.view, chain: describeChain(chain, opened.view.envelope.member), jwsSha256: sha256Base64url(opened.jwt) } };
  };
  return {
    async verifyView(batch, receivedAt) {
      const { view } = await verifyOpened(batch);
      assertValidWhenReceived(view.chain, receivedAt);
      return view;
    },
    async verify(batch) {
      const { opened, view } = await verifyOpened(batch);
      const payload = wholePayload(view);
      // Stored with the disclosures in payload order, so that positions can be read from it without the digests.
      const stored = opened.disclosures === undefined ? batch : presentSdJwt(opened.jwt, DISCLOSED_ARRAYS.flatMap((array) => opened.disclosures![array].map((d) => d!.disclosure)));
      return { format: view.format, chain: view.chain, jwsSha256: view.jwsSha256, payload, stored };
    },
  };
}

interface OpenedBatch {
  readonly jwt: string;
  readonly x5c: readonly Uint8Array[];
  readonly view: Omit<VerifiedBatchView, 'chain' | 'jwsSha256'>;
  /** Version 2: each item's disclosure where the batch gives it. */
  readonly disclosures?: ResolvedArrays;
}

/** Parses a batch of either version, unauthenticated: every cheap check before the signature's. */
function openBatch(batch: string, maxJwsBytes: number): OpenedBatch {
  if (typeof batch === 'string' && batch.length > maxJwsBytes) throw malformed('TOO_LARGE', `the batch exceeds ${maxJwsBytes} bytes`);
  if (typeof batch === 'string' && isSdJwt(batch)) return openSdJwt(batch, maxJwsBytes);
  const parsed = parseBatchJws(batch, maxJwsBytes);
  const payload = readPayload(parsed.payloadBytes);
  assertBatchPayload(payload);
  if (payload.v !== 1) throw new ProvenanceError('INVALID_BATCH', 'batch v: must be 1 in a wildintel-batch+jws', { details: { field: 'v' } });
  const { indicators, retractions, outcomes, ...envelope } = payload;
  return {
    jwt: batch,
    x5c: parsed.x5c,
    view: { format: 'jws', envelope, indicators, retractions: retractions ?? [], outcomes: outcomes ?? [], hasRetractions: retractions !== undefined, hasOutcomes: outcomes !== undefined },
  };
}

function openSdJwt(batch: string, maxJwsBytes: number): OpenedBatch {
  const { jwt, disclosures } = splitSdJwt(batch);
  const parsed = parseBatchJws(jwt, maxJwsBytes, BATCH_SD_JWT_TYP);
  const payload = readPayload(parsed.payloadBytes);
  assertSdBatchPayload(payload);
  const { indicators, retractions, outcomes, _sd_alg: _, ...envelope } = payload;
  const resolved = resolveDisclosures({ indicators: indicators.map(digestOf), retractions: (retractions ?? []).map(digestOf), outcomes: (outcomes ?? []).map(digestOf) }, disclosures);
  const createdAt = parseRfc3339(envelope.createdAt)!;
  const assertOutcome = (item: unknown, field: string): asserts item is OutcomeItem => assertOutcomeItem(item, field, createdAt);
  const items = {
    indicators: resolved.indicators.map((d, i) => itemAt(d, `indicators[${i}]`, assertIndicatorItem)),
    retractions: resolved.retractions.map((d, i) => itemAt(d, `retractions[${i}]`, assertRetractionItem)),
    outcomes: resolved.outcomes.map((d, i) => itemAt(d, `outcomes[${i}]`, assertOutcome)),
  };
  const has = { hasRetractions: retractions !== undefined, hasOutcomes: outcomes !== undefined };
  return { jwt, x5c: parsed.x5c, view: { format: 'sd-jwt', envelope, ...items, ...has }, disclosures: resolved };
}

const digestOf = (d: { readonly [ARRAY_DIGEST_KEY]: string }): string => d[ARRAY_DIGEST_KEY];

function itemAt<T>(disclosed: DisclosedItem | undefined, field: string, check: (item: unknown, field: string) => asserts item is T): T | undefined {
  if (disclosed === undefined) return undefined;
  check(disclosed.item, field);
  return disclosed.item;
}

/** A whole batch: every item disclosed. */
function wholePayload(view: VerifiedBatchView): BatchPayload {
  const withheld = DISCLOSED_ARRAYS.flatMap((array) => view[array].flatMap((item, i) => (item === undefined ? [`${array}[${i}]`] : [])));
  if (withheld.length > 0) {
    throw new ProvenanceError('UNDISCLOSED_DIGEST', `${withheld[0]} has no disclosure (${withheld.length} in all): the hub stores every item, so every disclosure is sent`, { details: { field: withheld[0], count: withheld.length } });
  }
  const indicators = view.indicators as JsonObject[];
  const retractions = view.retractions as Retraction[];
  const outcomes = view.outcomes as OutcomeItem[];
  return { ...view.envelope, indicators, ...(view.hasRetractions ? { retractions } : {}), ...(view.hasOutcomes ? { outcomes } : {}) };
}

/** The payload must be canonical JSON (what was signed is what is stored and hashed). */
function readPayload(bytes: Uint8Array): unknown {
  try {
    return parseCanonicalJson(bytes);
  } catch (cause) {
    throw malformed('PAYLOAD_NOT_CANONICAL', 'the payload is not RFC 8785 canonical JSON', cause);
  }
}

function assertNotAhead(createdAt: string, clock: Clock, maxFutureSkewMs: number): Date {
  const at = parseRfc3339(createdAt);
  if (at === undefined) throw new ProvenanceError('INVALID_BATCH', 'batch createdAt is not RFC 3339', { details: { field: 'createdAt' } });
  const limit = clock.now().getTime() + maxFutureSkewMs;
  if (at.getTime() > limit) {
    throw new ProvenanceError('CLOCK_SKEW', `createdAt is more than ${maxFutureSkewMs} ms in the future`, {
      details: { createdAt, limit: new Date(limit).toISOString() },
    });
  }
  return at;
}

async function verifySignature(jws: string, leafKey: KeyObject): Promise<void> {
  try {
    await compactVerify(jws, leafKey, { algorithms: [BATCH_JWS_ALG] });
  } catch (cause) {
    const message = cause instanceof joseErrors.JWSSignatureVerificationFailed
      ? 'the signature does not verify with the leaf certificate key'
      : 'the signature could not be verified';
    throw new ProvenanceError('BAD_SIGNATURE', message, { cause });
  }
}

function describeChain(chain: VerifiedChain, member: string): VerifiedBatch['chain'] {
  return {
    member,
    leafSerialHex: chain.leaf.serialHex,
    leafFingerprintSha256: chain.leaf.fingerprintSha256,
    anchorFingerprintSha256: chain.anchorFingerprintSha256,
    validFrom: new Date(Math.max(...chain.path.map((c) => c.notBefore.getTime()))),
    validUntil: new Date(Math.min(...chain.path.map((c) => c.notAfter.getTime()))),
  };
}

/**
 * The batch rule on expiry (design.md): every certificate of the chain must be valid when the hub
 * receives the batch, as for revocation. `createdAt` is the signer's claim: backdating it into the
 * validity must not let an expired key publish. The hub applies it at receipt (after answering a
 * replay of a batch it already logged with its receipt); a reader applies it at the receipt time
 * the log recorded (the entry's `ts`). Both bounds inclusive (RFC 5280 §4.1.2.5), as at createdAt.
 * @throws PkiError `CERT_EXPIRED` (`details.reason` `EXPIRED` or `NOT_YET_VALID`)
 */
export function assertValidWhenReceived(chain: VerifiedSignature['chain'], receivedAt: Date): void {
  const reason = receivedAt < chain.validFrom ? 'NOT_YET_VALID' : receivedAt > chain.validUntil ? 'EXPIRED' : undefined;
  if (reason === undefined) return;
  throw new PkiError('CERT_EXPIRED', `the chain of certificate ${chain.leafSerialHex} is not valid at ${receivedAt.toISOString()}, when the hub received the batch: whatever its createdAt, it is refused`, {
    details: { reason, serialHex: chain.leafSerialHex, receivedAt: receivedAt.toISOString(), notBefore: chain.validFrom.toISOString(), notAfter: chain.validUntil.toISOString() },
  });
}
