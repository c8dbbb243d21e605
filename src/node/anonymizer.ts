/**
 * Turns a platform's raw observation into the indicators the member publishes (design.md
 * "Indicators"): a seller identifier into its HMAC fingerprint under the current federation
 * pseudonym key, listing text into a normalized KEYWORD (the text kept as `original`), an image
 * into IMAGE_PDQ (with its quality) and IMAGE_SHA256. The raw identifier comes back only to be
 * sealed in the node's vault; nothing else derived from it leaves this module.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { keywordSpecificity } from '../guards/index.js';
import { hashImage, type ImageHashes } from '../hashing/index.js';
import { isWildintelError } from '../kernel/index.js';
import {
  computeListingPseudonym,
  computeSellerFingerprint,
  indicatorId,
  InvalidIdentifierError,
  InvalidIndicatorError,
  keywordFromText,
  normalizeKeyword,
  parseIndicator,
  PDQ_WEAK_QUALITY,
  type IndicatorType,
  type PseudonymKey,
  type PublishedIndicator,
  type SellerIdentifier,
  type Tlp,
} from '../indicators/index.js';
import { PLACEHOLDER_WORD, scrubText, type FoundIdentifier, type IdentifierKind } from '../identifiers/index.js';
import { NodeError } from './errors.js';
import { invalidObservation, type ImageSource, type Observation, type ObservationCommon } from './observation.js';
import type { RawValue } from './vault.js';

export interface AnonymizerOptions {
  /** Oldest first; the last is the current epoch, used for new fingerprints. */
  readonly pseudonymKeys: readonly PseudonymKey[];
  readonly defaultRegion?: CountryCode | undefined;
  /** The only directory `path` images may come from; undefined refuses `path`. */
  readonly imageDir?: string | undefined;
  /** Hashes images within the node's pixel budget and decode bound (default: hashImage's defaults, unbounded). */
  readonly hashImage?: (input: Uint8Array | string) => Promise<ImageHashes>;
  /** PDQ hashes of lower quality are refused (default PDQ_WEAK_QUALITY, 50). */
  readonly minPdqQuality?: number;
}

export interface MadeIndicator {
  readonly id: string;
  readonly indicator: PublishedIndicator;
}

/** For the vault only: the raw identifier behind a SELLER indicator, or the raw listing behind a listing pseudonym. */
export interface MadePseudonym {
  readonly fingerprint: string;
  readonly keyId: string;
  readonly identifier: RawValue;
}

/** The common fields as signed: the raw listing replaced by its pseudonym. */
type PublishedCommon = Omit<ObservationCommon, 'listing'> & { readonly listings?: readonly string[] };

export interface AnonymizedObservation {
  readonly tlp: Tlp;
  readonly indicators: readonly MadeIndicator[];
  /** One per SELLER indicator made (the seller observed, or identifiers found in keyword text), and the listing's. */
  readonly pseudonyms: readonly MadePseudonym[];
}

export interface Anonymizer {
  /** Throws INVALID_OBSERVATION (index, field) for anything the hub would refuse or the node must not publish. */
  anonymize(observation: Observation, index: number): Promise<AnonymizedObservation>;
  /** The indicator ids a raw identifier has under every pseudonym key held (for retractions). */
  sellerIndicatorIds(identifier: SellerIdentifier): string[];
  /** The id of the KEYWORD a keyword observation of `text` publishes, identifiers replaced (for retractions). Throws InvalidIndicatorError. */
  keywordIndicatorId(text: string): string;
  /** The pseudonyms (lp1.…) a raw listing id or URL has under every pseudonym key held (for outcomes by listing). Throws InvalidIndicatorError. */
  listingPseudonyms(raw: string): string[];
}

/** Indicator fields named as the platform API names them. */
const FIELD_OF: Readonly<Record<string, string>> = { 'context.language': 'language', 'context.platformSection': 'platformSection', 'context.listingCount': 'listingCount' };

export function createAnonymizer(options: AnonymizerOptions): Anonymizer {
  const current = options.pseudonymKeys.at(-1);
  if (current === undefined) throw new NodeError('NODE_MISCONFIGURED', 'the node needs a federation pseudonym key (PSEUDONYM_KEYS_FILE)');
  const region = options.defaultRegion === undefined ? {} : { defaultRegion: options.defaultRegion };
  const hash = options.hashImage ?? ((input: Uint8Array | string) => hashImage(input));
  const minQuality = options.minPdqQuality ?? PDQ_WEAK_QUALITY;
  const fingerprint = (identifier: SellerIdentifier, key: PseudonymKey, index: number): string => {
    try {
      return computeSellerFingerprint(identifier, key, region);
    } catch (err) {
      if (err instanceof InvalidIdentifierError) throw invalidObservation(index, `identifier.${err.field}`, err.reason, err);
      throw err;
    }
  };

  return {
    async anonymize(observation, index) {
      const { tlp } = observation;
      // The listing becomes its pseudonym; the platform section is published verbatim, so it is scrubbed first, whatever the observation.
      const listed = publishedCommon(observation, current, index);
      const { common, found } = scrubSection(listed.common, region.defaultRegion);
      const inSection = found.flatMap((f) => sellerOf(f, current, region.defaultRegion));
      const withSection = (made: Pick<AnonymizedObservation, 'indicators' | 'pseudonyms'>): AnonymizedObservation => ({
        tlp,
        indicators: dedupe([...made.indicators, ...inSection.map((s) => madeIndicator('SELLER', s.fingerprint, common, index))]),
        pseudonyms: [...made.pseudonyms, ...inSection, ...listed.pseudonyms],
      });
      switch (observation.kind) {
        case 'seller': {
          const value = fingerprint(observation.identifier, current, index);
          return withSection({ indicators: [madeIndicator('SELLER', value, common, index)], pseudonyms: [{ fingerprint: value, keyId: current.keyId, identifier: observation.identifier }] });
        }
        case 'keyword':
          return withSection(keywordIndicators(observation.text, common, index, current, region.defaultRegion));
        case 'image': {
          const hashes = await hashSource(observation.image, options.imageDir, (field, reason, cause, code) => invalidObservation(index, field, reason, cause, code), hash);
          const field = observation.image.kind === 'bytes' ? 'data' : 'path';
          if (hashes.quality < minQuality) {
            // A blank or flat image hashes to (nearly) all zeros, which "matches" every other blank image.
            throw invalidObservation(index, field, `has a PDQ quality of ${hashes.quality}, under NODE_MIN_PDQ_QUALITY (${minQuality}): a blank, flat or tiny image cannot be matched`, undefined, 'PDQ_QUALITY_TOO_LOW');
          }
          return withSection({ indicators: [madeIndicator('IMAGE_PDQ', hashes.pdq, common, index, { quality: hashes.quality }), madeIndicator('IMAGE_SHA256', hashes.sha256, common, index)], pseudonyms: [] });
        }
      }
    },
    sellerIndicatorIds(identifier) {
      return options.pseudonymKeys.map((key) => indicatorId('SELLER', fingerprint(identifier, key, 0)));
    },
    keywordIndicatorId(text) {
      return indicatorId('KEYWORD', keywordFromText(publishedKeywordText(text, region.defaultRegion)));
    },
    listingPseudonyms(raw) {
      return options.pseudonymKeys.map((key) => computeListingPseudonym(raw, key));
    },
  };
}

/**
 * The raw listing id never leaves the node: it becomes its keyed pseudonym on every indicator of
 * the observation (what the hub links by), and the pair goes to the vault like a seller's.
 */
function publishedCommon(observation: ObservationCommon, key: PseudonymKey, index: number): { common: PublishedCommon; pseudonyms: MadePseudonym[] } {
  const { listing, ...rest } = observation;
  if (listing === undefined) return { common: rest, pseudonyms: [] };
  let pseudonym: string;
  try {
    pseudonym = computeListingPseudonym(listing, key);
  } catch (err) {
    if (err instanceof InvalidIndicatorError) throw invalidObservation(index, 'listing', err.reason, err);
    throw err;
  }
  return { common: { ...rest, listings: [pseudonym] }, pseudonyms: [{ fingerprint: pseudonym, keyId: key.keyId, identifier: { kind: 'listing', value: listing } }] };
}

/** What a found identifier becomes in published text: a placeholder naming its kind, never the value. */
const PLACEHOLDER = (kind: IdentifierKind): string => `[${PLACEHOLDER_WORD[kind]}]`;
const PLACEHOLDERS = new RegExp(`\\[(?:${Object.values(PLACEHOLDER_WORD).join('|')})\\]`, 'g');
/** The same in a platform section, which is a slug. */
const SLUG_PLACEHOLDER = (kind: IdentifierKind): string => PLACEHOLDER_WORD[kind];

/**
 * Listing text is published (normalized, and as `original`), so identifiers in it never are:
 * each one found, in the raw text or in its normalized form (src/identifiers), is replaced by a
 * placeholder before the keyword is made, and a phone, e-mail, handle, link or cued account
 * becomes what a seller observation of it would — a SELLER indicator with its fingerprint (sealed
 * in the vault), so the seller is still correlated across platforms under the pseudonym. A text
 * that is nothing but identifiers makes no keyword.
 */
function keywordIndicators(text: string, common: PublishedCommon, index: number, key: PseudonymKey, region: CountryCode | undefined): Pick<AnonymizedObservation, 'indicators' | 'pseudonyms'> {
  const scrubbed = scrubText(text, PLACEHOLDER, { defaultRegion: region });
  const sellers = scrubbed.found.flatMap((f) => sellerOf(f, key, region));
  const indicators: MadeIndicator[] = [];
  if (scrubbed.found.length === 0 || normalizeKeyword(scrubbed.text.replace(PLACEHOLDERS, ' ')) !== '') {
    // Around a seller's contact, shop talk ("加我 …") is no keyword, but the seller still is.
    const keyword = keywordIndicator(scrubbed.text, common, index, sellers.length > 0);
    if (keyword !== undefined) indicators.push(keyword);
  }
  for (const s of sellers) indicators.push(madeIndicator('SELLER', s.fingerprint, common, index));
  if (indicators.length === 0) throw invalidObservation(index, 'text', 'holds only identifiers (phone numbers, e-mail addresses, handles or account numbers) and no keyword: send identifiers as seller observations');
  return { indicators: dedupe(indicators), pseudonyms: sellers };
}

/** `context.platformSection` is published verbatim, so a handle in it ("wx-zzseller8812") is scrubbed too. */
function scrubSection(common: PublishedCommon, region: CountryCode | undefined): { common: PublishedCommon; found: readonly FoundIdentifier[] } {
  const section = common.context?.platformSection;
  if (section === undefined) return { common, found: [] };
  const scrubbed = scrubText(section, SLUG_PLACEHOLDER, { defaultRegion: region });
  if (scrubbed.found.length === 0) return { common, found: [] };
  return { common: { ...common, context: { ...common.context, platformSection: scrubbed.text } }, found: scrubbed.found };
}

function sellerOf(found: FoundIdentifier, key: PseudonymKey, region: CountryCode | undefined): MadePseudonym[] {
  if (!found.contact) return [];
  const identifier: SellerIdentifier = { kind: found.kind, value: found.value };
  try {
    return [{ fingerprint: computeSellerFingerprint(identifier, key, region === undefined ? {} : { defaultRegion: region }), keyId: key.keyId, identifier }];
  } catch (err) {
    // Found by shape but not a valid identifier of its kind (a phone number of no real range): the placeholder is enough.
    if (err instanceof InvalidIdentifierError) return [];
    throw err;
  }
}

/** One batch carries an indicator once: the same handle twice in a text is one SELLER. */
function dedupe(indicators: readonly MadeIndicator[]): MadeIndicator[] {
  const seen = new Set<string>();
  return indicators.filter((i) => !seen.has(i.id) && (seen.add(i.id), true));
}

/** The KEYWORD of a text; one too broad to publish (src/guards) is refused, or left out when `dropBroad`. */
function keywordIndicator(text: string, common: PublishedCommon, index: number, dropBroad: boolean): MadeIndicator | undefined {
  let value: string;
  try {
    value = keywordFromText(text);
  } catch (err) {
    if (err instanceof InvalidIndicatorError) throw invalidObservation(index, 'text', err.reason, err);
    throw err;
  }
  const specificity = keywordSpecificity(value);
  if (!specificity.broad) return madeIndicator('KEYWORD', value, common, index, { original: text });
  if (dropBroad) return undefined;
  throw new NodeError('KEYWORD_TOO_BROAD', `observation ${index}: text: the keyword ${specificity.reason}`, { details: { index, field: 'text', reason: specificity.rule } });
}

/** The text a keyword observation publishes: identifiers replaced by placeholders (for retractions by text). */
export function publishedKeywordText(text: string, region: CountryCode | undefined): string {
  return scrubText(text, PLACEHOLDER, { defaultRegion: region }).text;
}

/** How a caller reports a bad image: the field at fault (`data` or `path`), why, and why in a code (IMAGE_TOO_LARGE…). */
export type ImageRefusal = (field: 'data' | 'path', reason: string, cause?: unknown, code?: string) => Error;

/**
 * Hashes an image from the platform with `hash` (PDQ, or its dihedral variants): bytes as given,
 * a path only inside NODE_IMAGE_DIR. An unreadable or unhashable image, or a refused path, goes to
 * `refuse`.
 */
export async function hashSource<T>(source: ImageSource, imageDir: string | undefined, refuse: ImageRefusal, hash: (input: Uint8Array | string) => Promise<T>): Promise<T> {
  const input = source.kind === 'bytes' ? source.bytes : await allowedPath(source.path, imageDir, refuse);
  try {
    return await hash(input);
  } catch (err) {
    const field = source.kind === 'bytes' ? 'data' : 'path';
    if (isWildintelError(err) && err.code === 'IMAGE_UNREADABLE') throw refuse(field, 'is not a readable image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)', err, 'IMAGE_UNREADABLE');
    if (isWildintelError(err) && err.code === 'IMAGE_TOO_LARGE') throw refuse(field, `is too large to hash: ${err.message.replace(/^the image is /, '')} (${'bytes' in (err.details ?? {}) ? 'NODE_IMAGE_DECODES × 6 × NODE_MAX_IMAGE_PIXELS' : 'NODE_MAX_IMAGE_PIXELS'})`, err, 'IMAGE_TOO_LARGE');
    if (isWildintelError(err) && err.code === 'INVALID_PIXELS') throw refuse(field, `cannot be hashed: ${err.message.replace(/^invalid pixels: /, '')}`, err, 'INVALID_PIXELS');
    throw err;
  }
}

/** Resolves symbolic links before the check, so a link inside the directory cannot point outside it. */
async function allowedPath(requested: string, imageDir: string | undefined, refuse: ImageRefusal): Promise<string> {
  if (imageDir === undefined) throw refuse('path', 'is not enabled on this node (NODE_IMAGE_DIR is unset): send the image as data');
  let root: string;
  let file: string;
  try {
    root = await realpath(imageDir);
    file = await realpath(path.resolve(imageDir, requested));
  } catch (cause) {
    throw refuse('path', 'names no readable file under NODE_IMAGE_DIR', cause);
  }
  if (!file.startsWith(root + path.sep)) throw refuse('path', 'is outside NODE_IMAGE_DIR');
  return file;
}

/**
 * The indicator as it will be signed, checked by the same parser the hub runs, so that a batch
 * is never refused for an indicator the platform API accepted.
 */
function madeIndicator(type: IndicatorType, value: string, common: PublishedCommon, index: number, extra: { quality?: number; original?: string } = {}): MadeIndicator {
  const { commodity, species, purpose, confidence, observedAt, expiresAt, context, listings } = common;
  const candidate = { type, value, commodity, species, purpose, confidence, observedAt, expiresAt, context, listings, ...extra };
  for (const [k, v] of Object.entries(candidate)) if (v === undefined) delete candidate[k as keyof typeof candidate];
  let indicator: PublishedIndicator;
  try {
    indicator = parseIndicator(candidate, index);
  } catch (err) {
    if (err instanceof InvalidIndicatorError) throw invalidObservation(index, FIELD_OF[err.field] ?? (err.field === 'value' ? 'value' : err.field), err.reason, err);
    throw err;
  }
  return { id: indicatorId(type, value), indicator };
}
