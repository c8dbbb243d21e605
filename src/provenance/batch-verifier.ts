import type { KeyObject } from 'node:crypto';
import { compactVerify, errors as joseErrors } from 'jose';
import type { Clock } from '../kernel/index.js';
import { sha256Base64url } from '../kernel/index.js';
import { createChainVerifier } from '../pki/index.js';
import type { RevocationLookup, VerifiedChain } from '../pki/index.js';
import { assertBatchPayload, parseRfc3339 } from './batch.js';
import type { BatchPayload } from './batch.js';
import { parseCanonicalJson } from './canonical-json.js';
import { BATCH_JWS_ALG, malformed, parseBatchJws } from './compact-jws.js';
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

export interface VerifiedBatch {
  readonly payload: BatchPayload;
  readonly chain: {
    readonly member: string;
    readonly leafSerialHex: string;
    readonly leafFingerprintSha256: string;
    readonly anchorFingerprintSha256: string;
  };
  /** base64url SHA-256 of the compact JWS exactly as received: what the log's `batch` entry commits to. */
  readonly jwsSha256: string;
}

export interface BatchVerifier {
  /**
   * @throws ProvenanceError `MALFORMED_JWS` | `INVALID_BATCH` | `CLOCK_SKEW` | `BAD_SIGNATURE` | `MEMBER_MISMATCH`;
   *   PkiError `BAD_CERTIFICATE` | `UNTRUSTED_CHAIN` | `CERT_EXPIRED` | `CERT_REVOKED`
   */
  verify(jws: string): Promise<VerifiedBatch>;
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
  return {
    async verify(jws) {
      const parsed = parseBatchJws(jws, maxJwsBytes);
      const payload = readPayload(parsed.payloadBytes);
      const createdAt = assertNotAhead(payload.createdAt, options.clock, maxFutureSkewMs);
      const chain = chains.verify({ chain: parsed.x5c, at: createdAt, isRevoked: options.isRevoked });
      await verifySignature(jws, chain.leafPublicKey);
      assertNamesMember(chain.leaf, payload.member);
      return { payload, chain: describeChain(chain, payload.member), jwsSha256: sha256Base64url(jws) };
    },
  };
}

/** The payload must be canonical JSON (what was signed is what is stored and hashed) and a well-formed envelope. */
function readPayload(bytes: Uint8Array): BatchPayload {
  let value: unknown;
  try {
    value = parseCanonicalJson(bytes);
  } catch (cause) {
    throw malformed('PAYLOAD_NOT_CANONICAL', 'the payload is not RFC 8785 canonical JSON', cause);
  }
  assertBatchPayload(value);
  return value;
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
  };
}
