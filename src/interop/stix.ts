/**
 * The STIX 2.1 mapping (docs/interop.md "The STIX mapping"): pure functions from what a reader
 * may see to STIX objects. No I/O and no clock: every time comes from the log, through `timeOf`.
 */
import type { IndicatorType, Tlp } from '../indicators/index.js';
import { formatFeedTime, versionTime, type FeedTime } from './feed-time.js';
import { sightingVersionLeaf, type FeedIndicator, type FeedMember, type FeedOpinion, type FeedSighting } from './feed-rows.js';
import { PROVENANCE_EXTENSION_ID, stixIds, WILDINTEL_PROJECT_IDENTITY_ID } from './stix-ids.js';
import { tlpMarkingDefinition, tlpMarkingId } from './tlp-markings.js';

/** A STIX object as served: JSON, with the properties every object has. */
export type StixObject = { readonly type: string; readonly id: string; readonly spec_version: '2.1' } & Readonly<Record<string, unknown>>;

/** Where an object is mapped: the collection's TLP, the hub, and the time of any log index. */
export interface StixContext {
  readonly tlp: Tlp;
  /** The collection's number (collectionSlot), which tells its versions of an object apart. */
  readonly slot: number;
  /** The hub's log origin, e.g. `hub.example.org/wildintel`. */
  readonly origin: string;
  readonly timeOf: (leafIndex: number) => FeedTime;
}

/**
 * When the provenance extension and the project identity were first published (the interop
 * context's first release). They are the same objects on every hub, so their `created` is this
 * fixed date in the past, never a hub's own time.
 */
export const PROJECT_OBJECTS_CREATED = '2026-12-02T00:00:00.000Z';

/** Provenance entries listed per object, newest first; `sighting_count` gives the total. */
export const MAX_PROVENANCE_ENTRIES = 100;

/** docs/interop.md: the pattern language of each indicator type. */
export const PATTERN_TYPES: Readonly<Record<IndicatorType, string>> = {
  KEYWORD: 'wildintel-keyword',
  SELLER: 'wildintel-seller-fingerprint',
  IMAGE_PDQ: 'wildintel-pdq',
  IMAGE_SHA256: 'stix',
};

const INDICATOR_NAMES: Readonly<Record<IndicatorType, string>> = { KEYWORD: 'Keyword', SELLER: 'Seller', IMAGE_PDQ: 'Image PDQ', IMAGE_SHA256: 'Image SHA-256' };

/** What each indicator type means and how its pattern matches (tools show `description`; docs/interop.md "Pattern languages"). */
const INDICATOR_DESCRIPTIONS: Readonly<Record<IndicatorType, string>> = {
  KEYWORD: 'A code word of the illegal online wildlife trade, reported by wildintel member platforms. Pattern language wildintel-keyword: a text matches when its normalization (NFKC, case-folded, half-width, simplified Chinese, no spacing or punctuation) contains the pattern.',
  SELLER: 'A seller account of the illegal online wildlife trade, as a keyed pseudonym (fp1): the raw identifier stays with the reporting member. Pattern language wildintel-seller-fingerprint: an identifier matches when its fingerprint under the federation pseudonym key named in the pattern is equal (only members hold the key).',
  IMAGE_PDQ: 'A listing photo of the illegal online wildlife trade, as a 256-bit PDQ perceptual hash. Pattern language wildintel-pdq: an image matches when its PDQ hash is within Hamming distance 31 of the pattern.',
  IMAGE_SHA256: 'A listing photo of the illegal online wildlife trade, by the SHA-256 of its file, reported by wildintel member platforms.',
};

function patternOf(indicator: FeedIndicator): { pattern: string; pattern_type: string; pattern_version: string } {
  if (indicator.type === 'IMAGE_SHA256') {
    // The value is validated as 64 lowercase hex characters at ingest, so no quoting is needed.
    return { pattern: `[file:hashes.'SHA-256' = '${indicator.value}']`, pattern_type: 'stix', pattern_version: '2.1' };
  }
  return { pattern: indicator.value, pattern_type: PATTERN_TYPES[indicator.type], pattern_version: '1' };
}

function labelsOf(sightings: readonly FeedSighting[]): string[] {
  const labels = new Set<string>();
  for (const s of sightings) {
    labels.add(`commodity:${s.commodity.toLowerCase()}`);
    if (s.species !== null) labels.add(`species:${s.species}`);
    if (s.purpose !== null) labels.add(`purpose:${s.purpose.toLowerCase()}`);
  }
  return [...labels].sort();
}

function provenanceEntry(s: FeedSighting): Record<string, unknown> {
  return {
    member: s.member,
    batch_id: s.batchId,
    batch_sha256: s.batchSha256,
    leaf_index: s.leafIndex,
    tlp: s.tlp,
    observed_at: s.observedAt.toISOString(),
    ...(s.retractionLeaf === null ? {} : { retracted_at_leaf_index: s.retractionLeaf }),
  };
}

function provenanceExtension(indicator: FeedIndicator, sightings: readonly FeedSighting[]): Record<string, unknown> {
  const newestFirst = [...sightings].sort((a, b) => b.leafIndex - a.leafIndex || b.sightingId - a.sightingId);
  return {
    [PROVENANCE_EXTENSION_ID]: {
      extension_type: 'property-extension',
      indicator_id: indicator.id,
      indicator_type: indicator.type,
      ...(indicator.quality === null ? {} : { pdq_quality: indicator.quality }),
      sighting_count: sightings.length,
      provenance: newestFirst.slice(0, MAX_PROVENANCE_ENTRIES).map(provenanceEntry),
      ...(sightings.length > MAX_PROVENANCE_ENTRIES ? { provenance_truncated: true } : {}),
    },
  };
}

/** The indicator's STIX id: as its row stores it when read with one, else derived (the same id). */
const indicatorStixId = (indicator: FeedIndicator): string => (indicator.stixUuid === undefined ? stixIds.indicator(indicator.id) : `indicator--${indicator.stixUuid}`);

const stamp = (ctx: StixContext, leaf: number): string => formatFeedTime(ctx.timeOf(leaf));
/** `modified` of a version the collection builds from its own sightings and marks with its TLP. */
const versionStamp = (ctx: StixContext, leaf: number): string => formatFeedTime(versionTime(ctx.timeOf(leaf), ctx.slot));

/** The log index of an indicator's latest change among `sightings`: its version in the collection. */
export function indicatorVersionLeaf(sightings: readonly FeedSighting[]): number {
  return Math.max(...sightings.map(sightingVersionLeaf));
}

/**
 * One indicator as the sightings of one collection show it (`sightings`: all of them, live and
 * retracted, at least one). Revoked when every one was retracted; validity, confidence and labels
 * come from the live ones (from all of them once revoked, so the object stays meaningful).
 * `created` is the same in every collection: the log entry at which the indicator first entered
 * the log (`firstLeaf`, whoever reported it); `modified` is the collection's own version.
 */
export function stixIndicator(indicator: FeedIndicator, sightings: readonly FeedSighting[], firstLeaf: number, ctx: StixContext): StixObject {
  if (sightings.length === 0) throw new Error('internal: an indicator is mapped from at least one sighting');
  const live = sightings.filter((s) => s.retractedAt === null);
  const basis = live.length > 0 ? live : sightings;
  const validFrom = Math.min(...basis.map((s) => s.observedAt.getTime()));
  const expiries = basis.map((s) => s.expiresAt?.getTime());
  const validUntil = expiries.every((e) => e !== undefined) ? Math.max(...(expiries as number[])) : undefined;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: indicatorStixId(indicator),
    created_by_ref: stixIds.hub(ctx.origin),
    created: stamp(ctx, firstLeaf),
    modified: versionStamp(ctx, indicatorVersionLeaf(sightings)),
    name: `${INDICATOR_NAMES[indicator.type]}: ${indicator.value}`,
    description: INDICATOR_DESCRIPTIONS[indicator.type],
    indicator_types: [indicator.type === 'SELLER' ? 'attribution' : 'malicious-activity'],
    ...patternOf(indicator),
    valid_from: new Date(validFrom).toISOString(),
    ...(validUntil !== undefined && validUntil > validFrom ? { valid_until: new Date(validUntil).toISOString() } : {}),
    labels: labelsOf(basis),
    confidence: Math.max(...basis.map((s) => s.confidence)),
    ...(live.length === 0 ? { revoked: true } : {}),
    object_marking_refs: [tlpMarkingId(ctx.tlp)],
    external_references: [{ source_name: 'wildintel', external_id: indicator.id }],
    extensions: provenanceExtension(indicator, sightings),
  };
}

/**
 * One member's report as a STIX sighting (only for members that share them, see
 * interop_sighting_policy): seen by the member's platform, once or `listingCount` times.
 */
export function stixSighting(indicator: FeedIndicator, s: FeedSighting, ctx: StixContext): StixObject {
  const member = stixIds.member(s.member);
  const at = s.observedAt.toISOString();
  return {
    type: 'sighting',
    spec_version: '2.1',
    id: s.stixUuid === undefined ? stixIds.sighting(s.member, s.batchId, s.indicatorId) : `sighting--${s.stixUuid}`,
    created_by_ref: member,
    created: stamp(ctx, s.leafIndex),
    modified: stamp(ctx, sightingVersionLeaf(s)),
    first_seen: at,
    last_seen: at,
    count: s.listingCount ?? 1,
    sighting_of_ref: indicatorStixId(indicator),
    where_sighted_refs: [member],
    confidence: s.confidence,
    ...(s.retractedAt === null ? {} : { revoked: true }),
    object_marking_refs: [tlpMarkingId(ctx.tlp)],
    extensions: provenanceExtension(indicator, [s]),
  };
}

const OPINION_VALUES = { CONFIRMED: 'agree', FALSE_POSITIVE: 'disagree' } as const;

/** An opinion on an indicator; `by` is the party (`agency:customs`, `member:shopmart`). */
export function stixOpinion(o: FeedOpinion, ctx: StixContext): StixObject {
  const time = stamp(ctx, o.leafIndex);
  const memberSlug = o.by.startsWith('member:') ? o.by.slice('member:'.length) : undefined;
  return {
    type: 'opinion',
    spec_version: '2.1',
    id: stixIds.opinion(o.leafIndex),
    ...(memberSlug === undefined ? {} : { created_by_ref: stixIds.member(memberSlug) }),
    created: time,
    modified: versionStamp(ctx, o.leafIndex),
    authors: [o.by],
    opinion: OPINION_VALUES[o.verdict],
    ...(o.note === null ? {} : { explanation: o.note }),
    object_refs: [stixIds.indicator(o.indicatorId)],
    object_marking_refs: [tlpMarkingId(ctx.tlp)],
    extensions: { [PROVENANCE_EXTENSION_ID]: { extension_type: 'property-extension', indicator_id: o.indicatorId, opinion_leaf_index: o.leafIndex, opinion_record_sha256: o.recordSha256 } },
  };
}

/** A member platform. */
export function stixMemberIdentity(m: FeedMember): StixObject {
  const at = m.enrolledAt.toISOString();
  return {
    type: 'identity',
    spec_version: '2.1',
    id: stixIds.member(m.slug),
    created: at,
    modified: at,
    name: m.name,
    description: `Member platform of the wildintel federation (member ${m.slug}): it signs the batches its sightings come from.`,
    identity_class: 'organization',
    external_references: [{ source_name: 'wildintel', external_id: `member:${m.slug}` }],
  };
}

/** The hub that aggregates sightings into indicators (their created_by_ref); it exists since its log's first entry. */
export function stixHubIdentity(origin: string, logStart: string): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: stixIds.hub(origin),
    created: logStart,
    modified: logStart,
    name: `wildintel hub ${origin}`,
    description: 'The federation hub: it verifies members\' signed batches, logs them in its transparency log and aggregates their sightings into indicators.',
    identity_class: 'system',
  };
}

const PROJECT_IDENTITY: StixObject = {
  type: 'identity',
  spec_version: '2.1',
  id: WILDINTEL_PROJECT_IDENTITY_ID,
  created: PROJECT_OBJECTS_CREATED,
  modified: PROJECT_OBJECTS_CREATED,
  name: 'wildintel',
  description: 'The open-source federation server against the illegal online wildlife trade; author of the wildintel provenance extension.',
  identity_class: 'organization',
};

/** docs/interop.md "The provenance extension": its normative definition, as plain text. */
export const PROVENANCE_EXTENSION_SCHEMA = [
  'Property extension (extension_type "property-extension") on indicator, sighting and opinion objects.',
  'indicator_id (string): the wildintel indicator id, base64url SHA-256 of the RFC 8785 JSON of {type, value}.',
  'indicator_type (string): KEYWORD, SELLER, IMAGE_PDQ or IMAGE_SHA256. pdq_quality (integer 0-100): IMAGE_PDQ only.',
  'sighting_count (integer): the sightings the object is built from, live and retracted.',
  'provenance (list, newest first, at most 100; provenance_truncated true when there were more): per sighting',
  'member (slug), batch_id (uuid), batch_sha256 (base64url SHA-256 of the compact JWS, the jwsSha256 of its batch log entry),',
  'leaf_index (index of that entry in the hub\'s transparency log), tlp, observed_at, and retracted_at_leaf_index when withdrawn.',
  'opinion_leaf_index and opinion_record_sha256 (opinions): the opinion log entry and the SHA-256 of the record it commits to.',
  'To verify: GET /v1/batches/<member>/<batch_id> (SHA-256 must equal batch_sha256; verify the JWS and its x5c chain to the federation root),',
  'GET /log/entries?start=<leaf_index>&end=<leaf_index+1> and GET /log/proof/inclusion?index=<leaf_index>&size=<checkpoint size> against a signed checkpoint.',
].join(' ');

const PROVENANCE_EXTENSION: StixObject = {
  type: 'extension-definition',
  spec_version: '2.1',
  id: PROVENANCE_EXTENSION_ID,
  created_by_ref: WILDINTEL_PROJECT_IDENTITY_ID,
  created: PROJECT_OBJECTS_CREATED,
  modified: PROJECT_OBJECTS_CREATED,
  name: 'wildintel provenance',
  description: 'Where a wildintel indicator, sighting or opinion comes from: the member, its signed batch and the batch\'s entry in the hub\'s transparency log, so that a consumer can fetch and verify the batch and its inclusion proof.',
  schema: PROVENANCE_EXTENSION_SCHEMA,
  version: '1.0.0',
  extension_types: ['property-extension'],
};

/**
 * The objects every collection starts with: its TLP marking, the extension and who wrote it, the
 * hub. None while the log is empty (`logStart`, the time of its first entry, undefined): the hub's
 * identity dates from that entry, and a collection has nothing to qualify yet.
 */
export function staticObjects(tlp: Tlp, origin: string, logStart: FeedTime | undefined): StixObject[] {
  if (logStart === undefined) return [];
  return [tlpMarkingDefinition(tlp) as unknown as StixObject, PROJECT_IDENTITY, PROVENANCE_EXTENSION, stixHubIdentity(origin, formatFeedTime(logStart))];
}

/** The version a TAXII manifest lists: `modified`, or `created` for objects that have none (marking definitions). */
export function versionOf(object: StixObject): string {
  return String(object['modified'] ?? object['created']);
}
