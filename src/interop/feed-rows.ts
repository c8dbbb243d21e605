import type { Commodity, IndicatorType, Purpose, Tlp } from '../indicators/index.js';

/** An indicator as the feeds carry it: its identity; everything else comes from its sightings. */
export interface FeedIndicator {
  readonly id: string;
  readonly type: IndicatorType;
  readonly value: string;
  /** PDQ quality (IMAGE_PDQ only). */
  readonly quality: number | null;
  /**
   * The UUID of its STIX id as the row stores it (indicators.stix_uuid), read with the row so a
   * page derives no id; absent where a row is built otherwise, and then derived (stix-ids.ts).
   */
  readonly stixUuid?: string | undefined;
}

/**
 * One sighting a reader may see, with what a consumer needs to verify it: the batch's log index
 * and the SHA-256 its log entry commits to, and, once withdrawn, the index of the batch that
 * retracted it.
 */
export interface FeedSighting {
  readonly sightingId: number;
  readonly indicatorId: string;
  readonly member: string;
  readonly batchId: string;
  readonly leafIndex: number;
  /** base64url SHA-256 of the compact JWS as received (the `batch` entry's `jwsSha256`). */
  readonly batchSha256: string;
  readonly observedAt: Date;
  readonly commodity: Commodity;
  readonly species: string | null;
  readonly purpose: Purpose | null;
  readonly confidence: number;
  readonly tlp: Tlp;
  readonly expiresAt: Date | null;
  readonly retractedAt: Date | null;
  readonly retractionLeaf: number | null;
  readonly listingCount: number | null;
  readonly originalText: string | null;
  /** The UUID of its STIX id as the row stores it (sightings.stix_uuid); derived when absent. */
  readonly stixUuid?: string | undefined;
}

/** The log index at which a sighting last changed: its batch, or the batch that retracted it. */
export function sightingVersionLeaf(s: Pick<FeedSighting, 'leafIndex' | 'retractionLeaf'>): number {
  return Math.max(s.leafIndex, s.retractionLeaf ?? -1);
}

/** A member as the feeds name it. */
export interface FeedMember {
  readonly slug: string;
  readonly name: string;
  readonly enrolledAt: Date;
}

/** An opinion on an indicator (design "Opinions"), with its log entry. */
export interface FeedOpinion {
  readonly id: number;
  readonly indicatorId: string;
  /** `agency:<slug>` or `member:<slug>`. */
  readonly by: string;
  readonly verdict: 'CONFIRMED' | 'FALSE_POSITIVE';
  readonly note: string | null;
  readonly leafIndex: number;
  readonly recordSha256: string;
}
