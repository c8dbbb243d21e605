import { z } from 'zod';
import { COMMODITIES, normalizeKeyword, parseIndicatorValue, type Commodity, type Visibility } from '../indicators/index.js';
import { pdqDistance } from '../hashing/index.js';
import { WatchlistError } from './errors.js';

/**
 * What a watchlist watches for, as stored (JSON in `watchlists.criteria`). Commodities narrow;
 * keywords, a seller and an image are alternatives: a sighting matches when its commodity is
 * listed (or none is) and it is one of the targets, or any sighting of those commodities when no
 * target is given. Pure: no I/O, no clock.
 */
export interface WatchlistCriteria {
  readonly commodities: readonly Commodity[];
  /** As the analyst typed them, and normalized the way members normalize code words. */
  readonly keywords: ReadonlyArray<{ readonly text: string; readonly normalized: string }>;
  /** A seller fingerprint (fp1.…). */
  readonly seller: string | null;
  readonly image: { readonly pdq: string; readonly maxDistance: number } | null;
}

export interface WatchlistInput {
  name: string;
  commodities?: readonly string[] | null | undefined;
  keywords?: readonly string[] | null | undefined;
  seller?: string | null | undefined;
  image?: { pdq: string; maxDistance?: number | null | undefined } | null | undefined;
}

/** The sighting a batch brought, as the matcher sees it. */
export interface Candidate {
  readonly indicatorId: string;
  readonly type: string;
  readonly value: string;
  readonly commodity: string;
}

export type AlertReason = 'KEYWORD' | 'SELLER' | 'IMAGE' | 'COMMODITY';

export interface CriteriaMatch {
  readonly reason: AlertReason;
  /** KEYWORD: the watched keyword (normalized) found in the code word. */
  readonly matched: string | null;
  /** IMAGE: Hamming distance to the watched hash. */
  readonly distance: number | null;
}

export const MAX_KEYWORDS = 20;
const MAX_KEYWORD_TEXT = 200;
/** As matchImage: beyond 64 bits nearly everything matches. */
const MAX_IMAGE_DISTANCE = 64;

const inputSchema = z.object({
  name: z.string().trim().min(1, 'a watchlist needs a name').max(200, 'the name may have at most 200 characters'),
  commodities: z.array(z.enum(COMMODITIES)).max(COMMODITIES.length).nullish(),
  keywords: z.array(z.string().max(MAX_KEYWORD_TEXT, `a keyword may have at most ${MAX_KEYWORD_TEXT} characters`)).max(MAX_KEYWORDS, `at most ${MAX_KEYWORDS} keywords`).nullish(),
  seller: z.string().max(200).nullish(),
  image: z.object({ pdq: z.string().max(64), maxDistance: z.number().int().min(0).max(MAX_IMAGE_DISTANCE, `maxDistance may be at most ${MAX_IMAGE_DISTANCE}`).nullish() }).nullish(),
});

function invalid(field: string, message: string): WatchlistError {
  return new WatchlistError('INVALID_WATCHLIST', message, { details: { field } });
}

/**
 * Checks a watchlist as an analyst submitted it, against what their token may see: a seller
 * needs a visibility that includes SELLER indicators, and commodities must be among the token's.
 * Returns the name and the stored criteria; refuses with INVALID_WATCHLIST or FORBIDDEN.
 */
export function parseWatchlistInput(input: WatchlistInput, vis: Visibility): { name: string; criteria: WatchlistCriteria } {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join('.') || 'input', issue.message);
  }
  const { name, commodities, keywords, seller, image } = parsed.data;
  const keywordList = [...new Set(keywords ?? [])].map((text) => ({ text, normalized: normalizeKeyword(text) }));
  if (keywordList.some((k) => k.normalized === '')) throw invalid('keywords', 'a keyword has no letters or digits left after normalization');
  const commodityList = [...new Set(commodities ?? [])];
  if (vis.commodities !== null && commodityList.some((c) => !vis.commodities!.includes(c))) {
    throw invalid('commodities', `your token sees only ${vis.commodities.join(', ')}`);
  }
  const sellerValue = seller ? checkedValue('SELLER', seller.trim(), 'seller') : null;
  if (sellerValue !== null && !vis.types.includes('SELLER')) throw new WatchlistError('FORBIDDEN', 'watching a seller needs a token with sellers:read', { details: { field: 'seller' } });
  const imageValue = image ? { pdq: checkedValue('IMAGE_PDQ', image.pdq.toLowerCase(), 'image.pdq'), maxDistance: image.maxDistance ?? 31 } : null;
  const criteria = { commodities: commodityList, keywords: keywordList, seller: sellerValue, image: imageValue };
  if (commodityList.length === 0 && !hasTarget(criteria)) throw invalid('input', 'give commodities, keywords, a seller or an image to watch');
  return { name, criteria };
}

function checkedValue(type: 'SELLER' | 'IMAGE_PDQ', raw: string, field: string): string {
  try {
    return parseIndicatorValue(type, raw);
  } catch (cause) {
    throw new WatchlistError('INVALID_WATCHLIST', `${field}: ${(cause as Error).message.replace(/^value: /, '')}`, { cause, details: { field } });
  }
}

function hasTarget(c: WatchlistCriteria): boolean {
  return c.keywords.length > 0 || c.seller !== null || c.image !== null;
}

/** Whether a newly published sighting matches, and why (the first target that does). */
export function matchCriteria(c: WatchlistCriteria, candidate: Candidate): CriteriaMatch | null {
  if (c.commodities.length > 0 && !(c.commodities as readonly string[]).includes(candidate.commodity)) return null;
  if (!hasTarget(c)) return { reason: 'COMMODITY', matched: null, distance: null };
  if (candidate.type === 'KEYWORD') {
    const hit = c.keywords.find((k) => candidate.value.includes(k.normalized));
    return hit === undefined ? null : { reason: 'KEYWORD', matched: hit.normalized, distance: null };
  }
  if (candidate.type === 'SELLER') return c.seller === candidate.value ? { reason: 'SELLER', matched: null, distance: null } : null;
  if (candidate.type === 'IMAGE_PDQ' && c.image !== null) {
    const distance = pdqDistance(c.image.pdq, candidate.value);
    return distance <= c.image.maxDistance ? { reason: 'IMAGE', matched: null, distance } : null;
  }
  return null;
}

/** Stored JSON back to criteria; the database only ever holds what parseWatchlistInput made. */
export function criteriaFromJson(value: unknown): WatchlistCriteria {
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as WatchlistCriteria;
  return { commodities: v.commodities ?? [], keywords: v.keywords ?? [], seller: v.seller ?? null, image: v.image ?? null };
}
