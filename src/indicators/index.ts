/**
 * The indicators context: the pure indicator model (vocabularies, identity,
 * value formats, keyword normalization, seller fingerprints; no I/O, no clock)
 * and the read side of the indicator store. Everything here is public API of
 * the context; other contexts import from this file only.
 */
export {
  INDICATOR_TYPES,
  COMMODITIES,
  PURPOSES,
  TLPS,
  DEFAULT_TLP,
  OPINION_VERDICTS,
  OPINION_STATUSES,
  isIndicatorType,
  isTlp,
  tlpRank,
  tlpAllows,
  aggregateOpinionStatus,
} from './vocabulary.js';
export type { IndicatorType, Commodity, Purpose, Tlp, OpinionVerdict, OpinionStatus } from './vocabulary.js';

export { InvalidIndicatorError, InvalidIdentifierError, InvalidPseudonymKeyError } from './errors.js';
export type { IndicatorErrorCode } from './errors.js';

export { indicatorId } from './indicator-id.js';

export { parseIndicatorValue, keywordFromText, MAX_KEYWORD_LENGTH } from './indicator-value.js';

export { parseIndicator, isWeakPdqQuality, PDQ_WEAK_QUALITY } from './indicator.js';
export type {
  PublishedIndicator,
  KeywordIndicator,
  SellerIndicator,
  PdqIndicator,
  Sha256Indicator,
  IndicatorContext,
} from './indicator.js';

export { normalizeKeyword, normalizeKeywordWithMap, originalRange } from './keyword-normalization.js';
export type { NormalizedKeyword, Span } from './keyword-normalization.js';

export {
  SELLER_IDENTIFIER_KINDS,
  computeSellerFingerprint,
  canonicalIdentifier,
  parseSellerFingerprint,
} from './seller-fingerprint.js';
export type {
  SellerIdentifierKind,
  SellerIdentifier,
  PseudonymKey,
  FingerprintOptions,
  SellerFingerprintParts,
} from './seller-fingerprint.js';

// Read side of the store (hub queries).
export { countIndicators, findIndicator, findIndicators, listIndicators, listSightings, encodeCursor, decodeCursor, IndicatorQueryError, MAX_PAGE_SIZE } from './indicator-store.js';
export type { IndicatorRecord, IndicatorView, SightingRecord, IndicatorFilter, IndicatorPage, IndicatorQueryErrorCode, Queryable, SightingState } from './indicator-store.js';
export { unrestricted, SqlParams, visibleSightingSql, visibleTypeSql } from './visibility.js';
export type { Visibility, HiddenSightings } from './visibility.js';
export { sellerProfile, MAX_LINKED_INDICATORS } from './seller-profile.js';
export { listingLinks } from './listing-links.js';
export type { ListingLink, ListingLinkOptions } from './listing-links.js';
export type { SellerProfile, LinkedIndicator } from './seller-profile.js';
export { indicatorStats } from './indicator-stats.js';
export type { StatsRow, StatsBucket, StatsGroupBy } from './indicator-stats.js';
export { risingKeywords, MAX_RISING_KEYWORDS } from './rising-keywords.js';
export type { RisingKeyword } from './rising-keywords.js';
export { linkGraph, MAX_GRAPH_HOPS, MAX_GRAPH_NODES, MAX_MIN_LISTINGS } from './link-graph.js';
export type { LinkGraph, GraphNode, GraphLink, GraphNodeKind, GraphOptions } from './link-graph.js';
export { computeListingPseudonym, isListingPseudonym, MAX_ITEM_LISTINGS, MAX_RAW_LISTING_LENGTH } from './listing-pseudonym.js';
export { observedAtOutOfRange, OLDEST_OBSERVED_AT, MAX_OBSERVED_AT_LEAD_MS } from './observation-time.js';
