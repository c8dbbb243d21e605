import type { BatchFormat } from './batch-verifier.js';
import type { BatchEnvelope, OutcomeItem, Retraction } from './batch.js';
import type { JsonObject } from './canonical-json.js';
import { ARRAY_DIGEST_KEY, decodeDisclosure, DISCLOSED_ARRAYS, isSdJwt, splitSdJwt, type DisclosedArray } from './sd-jwt.js';

/** A whole batch read back from where it was kept after being verified (the hub's store, a node's outbox). */
export interface StoredBatchItems {
  readonly format: BatchFormat;
  /** The compact JWS, or the SD-JWT's issuer-signed JWT. */
  readonly jwt: string;
  readonly envelope: BatchEnvelope;
  readonly indicators: readonly JsonObject[];
  readonly retractions: readonly Retraction[];
  readonly outcomes: readonly OutcomeItem[];
  /** Version 2: each item's disclosure, by array and position. */
  readonly disclosures?: Readonly<Record<DisclosedArray, readonly string[]>>;
}

interface SignedPayload extends BatchEnvelope {
  readonly _sd_alg?: string;
  readonly indicators: ReadonlyArray<JsonObject | { readonly [ARRAY_DIGEST_KEY]: string }>;
  readonly retractions?: ReadonlyArray<Retraction | { readonly [ARRAY_DIGEST_KEY]: string }>;
  readonly outcomes?: ReadonlyArray<OutcomeItem | { readonly [ARRAY_DIGEST_KEY]: string }>;
}

/**
 * Decodes, without verifying, a whole batch of either version that was verified when it was kept:
 * a JWS, or an SD-JWT with every disclosure in payload order (as the hub stores it and the node
 * signs it). Not for anything received from elsewhere: use the batch verifier for that.
 */
export function readStoredBatch(stored: string): StoredBatchItems {
  if (!isSdJwt(stored)) {
    const { indicators, retractions, outcomes, ...envelope } = payloadOf(stored);
    return { format: 'jws', jwt: stored, envelope, indicators: indicators as JsonObject[], retractions: (retractions ?? []) as Retraction[], outcomes: (outcomes ?? []) as OutcomeItem[] };
  }
  const { jwt, disclosures } = splitSdJwt(stored);
  const { indicators, retractions, outcomes, _sd_alg: _, ...envelope } = payloadOf(jwt);
  const counts: Record<DisclosedArray, number> = { indicators: indicators.length, retractions: retractions?.length ?? 0, outcomes: outcomes?.length ?? 0 };
  let at = 0;
  const byArray = {} as Record<DisclosedArray, string[]>;
  for (const array of DISCLOSED_ARRAYS) {
    byArray[array] = disclosures.slice(at, at + counts[array]);
    at += counts[array];
  }
  const items = (array: DisclosedArray): unknown[] => byArray[array].map((d, i) => decodeDisclosure(d, i).item);
  return {
    format: 'sd-jwt',
    jwt,
    envelope,
    indicators: items('indicators') as JsonObject[],
    retractions: items('retractions') as Retraction[],
    outcomes: items('outcomes') as OutcomeItem[],
    disclosures: byArray,
  };
}

function payloadOf(jwt: string): SignedPayload {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as SignedPayload;
}
