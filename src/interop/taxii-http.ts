/**
 * TAXII 2.1 on the wire (OASIS TAXII 2.1, sections 1.6, 3.3–3.6): media types and content
 * negotiation, the query parameters of the objects and manifest endpoints (strict: a malformed or
 * repeated one is a 400, never silently ignored), the opaque `next` cursor and the error message.
 */
import type { Response } from 'express';
import { comparePositions, ORD, type Position } from './collection-window.js';
import { START } from './collection-feed.js';
import { parseFeedTime, type FeedTime } from './feed-time.js';
import { InteropError } from './errors.js';
import { MAX_MATCH_IDS } from './object-lookup.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/**
 * The most a page holds (a larger limit is lowered to it, as 3.4 allows), and also a page's size
 * when `limit` is absent: taxii2-client's as_pages asks without a limit and then keeps the size it
 * was given, so a large first import takes as few requests (and as little rate limit) as it can.
 */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = MAX_LIMIT;

/**
 * Whether an Accept header admits TAXII 2.1 JSON: `application/taxii+json` with no version or
 * version 2.1, `application/*` or `*\/*`, at a q above 0. No header accepts anything (RFC 9110 12.5.1).
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const param = (name: string): string | undefined => params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1).replace(/^"|"$/g, '');
    if (Number(param('q') ?? '1') <= 0) return false;
    if (type === '*/*' || type === 'application/*') return true;
    const version = param('version');
    return type === 'application/taxii+json' && (version === undefined || version === '2.1');
  });
}

export function sendTaxii(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // end(), not send(): Express would append a charset parameter to the media type.
  const text = JSON.stringify(body);
  res.status(status).set({ ...headers, 'content-type': TAXII_MEDIA_TYPE, 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

/** The TAXII error message (3.6.1): a title, the HTTP status as a string, our stable code in error_code. */
export function sendTaxiiError(res: Response, status: number, code: string, message: string, details?: Readonly<Record<string, unknown>>): void {
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="wildintel"';
  const retry = details?.['retryAfterSeconds'];
  // Every 429 says when to come back: a client that honours Retry-After must never be left guessing.
  if (status === 429) headers['retry-after'] = String(typeof retry === 'number' ? retry : 1);
  sendTaxii(res, status, { title: TITLES[status] ?? 'Error', description: message, error_code: code, http_status: String(status), ...(details === undefined ? {} : { details }) }, headers);
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  429: 'Too many requests',
  503: 'Service unavailable',
};

const bad = (message: string, parameter: string): InteropError => new InteropError('INVALID_PARAMETER', message, { details: { parameter } });

/** The query string as single values; a repeated parameter is refused (3.4: "MUST only be one instance"). */
export function queryParameters(url: string, allowed: readonly string[]): Map<string, string> {
  const search = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const found = new Map<string, string>();
  for (const [name, value] of search) {
    if (found.has(name)) throw bad(`${name} may be given once`, name);
    if (name.startsWith('match[') && !allowed.includes(name)) throw bad(`this server filters on ${allowed.filter((a) => a.startsWith('match[')).join(', ')}; ${name} is not supported`, name);
    if (allowed.includes(name)) found.set(name, value);
  }
  return found;
}

function list(value: string, parameter: string, item: RegExp): string[] {
  const items = value.split(',');
  if (items.some((i) => !item.test(i))) throw bad(`${parameter} takes a comma-separated list`, parameter);
  return items;
}

export interface ObjectsQuery {
  readonly after: Position;
  readonly limit: number;
  readonly types?: ReadonlySet<string> | undefined;
  readonly ids?: readonly string[] | undefined;
  /** match[version]: 'last' (default), 'first', 'all' or exact versions. Each object has one version here. */
  readonly versions: { readonly any: boolean; readonly exact: readonly FeedTime[] };
  /** False when match[spec_version] leaves out 2.1: nothing matches. */
  readonly specVersionMatches: boolean;
  readonly addedAfter?: FeedTime | undefined;
}

const STIX_TYPE = /^[a-z][a-z0-9-]{1,249}$/;
const STIX_ID = /^[a-z][a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Parses the filters and paging of objects, manifest and versions requests (TAXII 2.1 3.4–3.5). */
export function parseObjectsQuery(p: Map<string, string>, collectionId: string): ObjectsQuery {
  const limitText = p.get('limit');
  if (limitText !== undefined && !/^[1-9][0-9]{0,8}$/.test(limitText)) throw bad('limit must be a positive integer', 'limit');
  const addedAfterText = p.get('added_after');
  const addedAfter = addedAfterText === undefined ? undefined : parseFeedTime(addedAfterText);
  if (addedAfterText !== undefined && addedAfter === undefined) throw bad('added_after must be a timestamp such as 2026-11-28T09:30:00.000000Z', 'added_after');
  const nextText = p.get('next');
  const next = nextText === undefined ? START : decodeNext(nextText, collectionId);
  const ids = p.has('match[id]') ? list(p.get('match[id]')!, 'match[id]', STIX_ID) : undefined;
  if (ids !== undefined && ids.length > MAX_MATCH_IDS) throw bad(`match[id] takes at most ${MAX_MATCH_IDS} ids`, 'match[id]');
  return {
    after: next,
    limit: Math.min(Number(limitText ?? DEFAULT_LIMIT), MAX_LIMIT),
    types: p.has('match[type]') ? new Set(list(p.get('match[type]')!, 'match[type]', STIX_TYPE)) : undefined,
    ids,
    versions: parseVersions(p.get('match[version]')),
    specVersionMatches: p.has('match[spec_version]') ? list(p.get('match[spec_version]')!, 'match[spec_version]', /^[0-9]\.[0-9]+$/).includes('2.1') : true,
    addedAfter,
  };
}

function parseVersions(text: string | undefined): ObjectsQuery['versions'] {
  if (text === undefined) return { any: true, exact: [] };
  const exact: FeedTime[] = [];
  let any = false;
  for (const v of list(text, 'match[version]', /^[^,]+$/)) {
    if (v === 'last' || v === 'first' || v === 'all') any = true;
    else {
      const t = parseFeedTime(v);
      if (t === undefined) throw bad('match[version] takes last, first, all or timestamps', 'match[version]');
      exact.push(t);
    }
  }
  return { any, exact };
}

/** The later of two positions: `next` and `added_after` together resume from whichever is further. */
export function laterOf(a: Position, b: Position): Position {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** `next` is opaque to clients; it names the collection it walks, so that another collection cannot be resumed from its position. */
export function encodeNext(p: Position, collectionId: string): string {
  return Buffer.from(`v1:${p.leaf}:${p.ord}:${p.key}:${collectionId}`).toString('base64url');
}

/**
 * Where a `next` resumes. One this server never gave is a 400. One given for another collection
 * starts this collection from its beginning: OpenCTI's TAXII2 connector keeps one filter set for
 * every collection of a run, so it sends the previous collection's last `next` (and no
 * `added_after`) with its first request for the next collection, and a refusal would end its run.
 */
function decodeNext(text: string, collectionId: string): Position {
  const m = /^v1:(-?[0-9]{1,16}):([0-9]):(-?[0-9]{1,16}):([0-9a-f-]{36})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const position = m === null ? undefined : { leaf: Number(m[1]), ord: Number(m[2]), key: Number(m[3]) };
  if (m === null || position === undefined || encodeNext(position, m[4]!) !== text || position.leaf < START.leaf || (position.ord > ORD.opinion && position.ord !== ORD.afterLeaf)) {
    throw bad('next is not a value this server gave; pass it back unchanged', 'next');
  }
  return m[4] === collectionId ? position : START;
}
