/**
 * The MISP feed mapping (docs/interop.md "The MISP feed"): pure functions from the sightings a
 * reader may see to the MISP feed format that PyMISP's feed generator writes (MISPEvent.to_feed,
 * MISPEvent.manifest, hashes.csv). One event per member, per UTC day of the log and per TLP: an
 * event carries one TLP, as a batch does. Numbers are strings there, as MISP writes them.
 */
import { createHash } from 'node:crypto';
import type { IndicatorType, Tlp } from '../indicators/index.js';
import type { FeedIndicator, FeedSighting } from './feed-rows.js';
import { plainIds } from './stix-ids.js';
import { mispTlpTag, tlpName } from './tlp-markings.js';

/**
 * MISP attribute type and category per indicator type (PyMISP describeTypes.json). MISP has no
 * PDQ type, and its `image` object needs the image itself (attachment, archive or link), which a
 * member never sends: a PDQ hash is a `text` attribute in `Other`, told apart by its
 * `wildintel:indicator-type="image-pdq"` tag. A seller fingerprint is a `text` in Attribution.
 */
export const MISP_ATTRIBUTE_TYPES: Readonly<Record<IndicatorType, { type: string; category: string; toIds: boolean; tag: string }>> = {
  KEYWORD: { type: 'text', category: 'Other', toIds: false, tag: 'keyword' },
  // Not `anonymised`: MISP lower-cases those values on import (AttributeValidationTool::
  // modifyBeforeValidation), and a fingerprint is base64url, so it would no longer be the hub's.
  // `text` is stored as sent, and Attribution says what it is.
  SELLER: { type: 'text', category: 'Attribution', toIds: false, tag: 'seller-fingerprint' },
  IMAGE_PDQ: { type: 'text', category: 'Other', toIds: false, tag: 'image-pdq' },
  IMAGE_SHA256: { type: 'sha256', category: 'Payload delivery', toIds: true, tag: 'image-sha256' },
};

/** A sighting with what the MISP feed needs beyond it: its indicator and the log times of its changes. */
export interface MispRow {
  readonly indicator: FeedIndicator;
  readonly sighting: FeedSighting;
  /** When the log recorded the batch, and the retraction if any (ms). */
  readonly loggedAtMs: number;
  readonly retractionLoggedAtMs: number | null;
}

/** The event a sighting belongs to. */
export interface MispEventKey {
  readonly member: string;
  /** UTC day of the batch's log entry, YYYY-MM-DD. */
  readonly day: string;
  readonly tlp: Tlp;
}

export interface MispEventSummary extends MispEventKey {
  readonly memberName: string;
  /** Unix seconds of the event's latest change (a sighting logged or retracted). */
  readonly timestamp: number;
  readonly attributes: number;
  /** Attributes not withdrawn: the event's lines in hashes.csv. */
  readonly liveAttributes: number;
}

type Tag = { name: string; colour: string; local: boolean };
const tag = (name: string, colour = '#0088cc'): Tag => ({ name, colour, local: false });
const quoted = (s: string): string => s.replace(/"/g, "'");

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function mispEventUuid(key: MispEventKey): string {
  return plainIds.mispEvent(key.member, key.day, key.tlp);
}

/** Unix seconds of a row's latest change. */
export function rowTimestamp(row: MispRow): number {
  return Math.floor(Math.max(row.loggedAtMs, row.retractionLoggedAtMs ?? 0) / 1000);
}

function comment(row: MispRow): string {
  const { indicator: i, sighting: s } = row;
  const what = {
    KEYWORD: `code word (normalized)${s.originalText === null ? '' : `, seen as "${s.originalText}"`}`,
    SELLER: 'seller fingerprint (fp1 keyed pseudonym; the raw identifier stays with the member)',
    IMAGE_PDQ: `PDQ perceptual hash (256-bit hex${i.quality === null ? '' : `, quality ${i.quality}`}; a match is a Hamming distance of 31 or less)`,
    IMAGE_SHA256: 'SHA-256 of a listing image',
  }[i.type];
  const expiry = s.expiresAt === null ? '' : `; valid until ${s.expiresAt.toISOString()}`;
  return `wildintel ${what}; confidence ${s.confidence}${expiry}; indicator ${i.id}; batch ${s.batchId} at log index ${s.leafIndex}`;
}

/**
 * The sightings of one indicator in one event as its one MISP attribute (MISP keeps one
 * attribute per value, type and category in an event and drops a repeat when the event is
 * updated). `rows`: every one of them, in log order. It is withdrawn (`deleted`) once every one is
 * retracted; its uuid is the first sighting's, so an event that never repeats a value keeps the
 * uuids it had, and its timestamp moves with the latest change.
 */
export function mispAttribute(rows: readonly MispRow[]): Record<string, unknown> {
  const first = rows[0];
  if (first === undefined) throw new Error('internal: an attribute is made of at least one sighting');
  const kind = MISP_ATTRIBUTE_TYPES[first.indicator.type];
  const live = rows.filter((r) => r.sighting.retractedAt === null);
  const described = (live.length > 0 ? live : rows).reduce((a, b) => (b.sighting.confidence >= a.sighting.confidence ? b : a));
  const names = new Set([`wildintel:indicator-type="${kind.tag}"`]);
  for (const { sighting: s } of rows) {
    names.add(`wildintel:commodity="${s.commodity.toLowerCase()}"`);
    if (s.species !== null) names.add(`wildintel:species="${quoted(s.species)}"`);
    if (s.purpose !== null) names.add(`wildintel:purpose="${s.purpose.toLowerCase()}"`);
  }
  return {
    uuid: plainIds.mispAttribute(first.sighting.member, first.sighting.batchId, first.sighting.indicatorId),
    type: kind.type,
    category: kind.category,
    value: first.indicator.value,
    to_ids: kind.toIds,
    disable_correlation: false,
    deleted: live.length === 0,
    comment: `${comment(described)}${rows.length > 1 ? `; reported ${rows.length} times this day` : ''}`,
    timestamp: String(Math.max(...rows.map(rowTimestamp))),
    first_seen: new Date(Math.min(...rows.map((r) => r.sighting.observedAt.getTime()))).toISOString(),
    Tag: [...names].map((name) => tag(name)),
  };
}

function eventTags(key: MispEventKey): Tag[] {
  const tlp = mispTlpTag(key.tlp);
  return [tag(tlp.name, tlp.colour), tag(`wildintel:member="${key.member}"`)];
}

function eventHeader(e: MispEventSummary): Record<string, unknown> {
  return {
    uuid: mispEventUuid(e),
    info: `wildintel: ${e.memberName} (${e.member}), ${e.day}, ${tlpName(e.tlp)}`,
    date: e.day,
    analysis: '2',
    threat_level_id: '4',
    timestamp: String(e.timestamp),
    Orgc: { name: e.memberName, uuid: plainIds.member(e.member) },
    Tag: eventTags(e),
  };
}

/** The manifest.json entry of an event (PyMISP MISPEvent.manifest). */
export function mispManifestEntry(e: MispEventSummary): Record<string, unknown> {
  const { uuid, ...rest } = eventHeader(e);
  return { [String(uuid)]: rest };
}

/**
 * The fields of `{"Event": …}` other than its attributes, which are streamed: a writer emits
 * `{"Event":{"Attribute":[` + attributes + `],` + these without their braces + `}}`.
 */
export function mispEventFields(e: MispEventSummary): Record<string, unknown> {
  return { ...eventHeader(e), publish_timestamp: String(e.timestamp), published: true, extends_uuid: '', protected: false };
}

/**
 * The hashes.csv line of an attribute (its sightings, as mispAttribute takes them): MD5 of the
 * value and the event, as MISP's feed cache reads it; none once withdrawn.
 */
export function mispHashLine(rows: readonly MispRow[], eventUuid: string): string | undefined {
  const first = rows[0];
  if (first === undefined || rows.every((r) => r.sighting.retractedAt !== null)) return undefined;
  return `${createHash('md5').update(first.indicator.value, 'utf8').digest('hex')},${eventUuid}\n`;
}
