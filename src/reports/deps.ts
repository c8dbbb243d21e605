/**
 * What the report room needs from the node, as plain functions the node's composition root
 * hands in (src/node/node.ts): the room never imports the node's internals, and confirmed
 * reports go through the node's one observation path.
 */
import type { DataSource } from 'typeorm';
import type { Clock, Random } from '../kernel/index.js';
import type { Observation } from '../node/index.js';

/** The part of the node's scan result the score reads (warninglists already applied). */
export interface FederationMatches {
  readonly keywords: readonly unknown[];
  readonly suppressed: readonly unknown[];
  readonly images: ReadonlyArray<{ readonly distance: number }>;
}

export interface ReportDeps {
  readonly db: DataSource;
  readonly clock: Clock;
  readonly random: Random;
  /** Seals a secret (the reporter's contact) with the node's vault key; `aad` binds it to its report. */
  readonly seal: (aad: string, value: string) => { readonly nonce: Uint8Array; readonly ciphertext: Uint8Array };
  /** PDQ of a photo, under the node's pixel and decode limits; throws HashingError. */
  readonly hashPhoto: (bytes: Uint8Array) => Promise<{ readonly pdq: string; readonly quality: number }>;
  readonly minPdqQuality: number;
  /** The node's own index: keyword hits in text and PDQ matches (src/node/federation-index.ts). */
  readonly matchFederation: (query: { text: string; pdqHashes: readonly string[] }) => Promise<FederationMatches>;
  /** Whether the platform itself reported this listing (its pseudonym is in the node's vault). */
  readonly listingKnown: (listing: string) => Promise<boolean>;
  /** The node's observation path: anonymizer, guards, vault, outbox (ObservationService.submit). */
  readonly publish: (observations: readonly Observation[]) => Promise<ReadonlyArray<ReadonlyArray<{ readonly id: string }>>>;
  /**
   * The node's text model (src/model), when one is installed: its calibrated probability that the
   * description is a trade listing, and the terms that weighed most (shown to reviewers, who read
   * the description anyway).
   */
  readonly modelScore?: (description: string) => Promise<{ readonly score: number; readonly terms: readonly string[] } | undefined>;
}

export interface ReportLimits {
  readonly maxOpen: number;
  readonly maxStoredBytes: number;
  readonly maxPhotoBytes: number;
  readonly retentionDays: number;
  readonly sessionHours: number;
}
