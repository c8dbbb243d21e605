/**
 * The TAXII 2.1 server at /taxii2/ (OASIS TAXII 2.1, section 4–5): discovery, one API root
 * (`wildintel`), a read-only collection per TLP × commodity the token may read, objects and
 * manifest with the spec's filters and paging, single objects and their versions.
 */
import { Router, type Request, type Response } from 'express';
import { isWildintelError } from '../kernel/index.js';
import { findReadableCollection, narrowTo, readableCollections, type CollectionInfo } from './collections.js';
import { readCollectionPage, type FeedEntry, type FeedPage } from './collection-feed.js';
import { comparePositions, type Position } from './collection-window.js';
import { admitFeedRequest, recordFeedAccess, requireFeedScope, type FeedCaller, type FeedDeps } from './feed-access.js';
import { compareFeedTime, formatFeedTime, parseFeedTime } from './feed-time.js';
import { HTTP_STATUS, InteropError } from './errors.js';
import { logStart } from './log-times.js';
import { resumeAfter } from './date-added.js';
import { findObjects } from './object-lookup.js';
import { staticObjects, versionOf } from './stix.js';
import {
  acceptsTaxii,
  encodeNext,
  laterOf,
  parseObjectsQuery,
  queryParameters,
  sendTaxii,
  sendTaxiiError,
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  type ObjectsQuery,
} from './taxii-http.js';

export const API_ROOT = 'wildintel';

const LIST_PARAMS = ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'];
const OBJECT_PARAMS = ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'];
const VERSION_PARAMS = ['added_after', 'limit', 'next', 'match[spec_version]'];

interface Answer {
  readonly body: unknown;
  /** What the access audit records as asked for, and how many items went back. */
  readonly fields: string;
  readonly returned: number;
  readonly headers?: Record<string, string>;
}

type Handler = (caller: FeedCaller, req: Request) => Promise<Answer>;

function notFound(what: string): InteropError {
  return new InteropError('NOT_FOUND', `${what} does not exist, or this token may not read it`);
}

function collectionOf(caller: FeedCaller, req: Request): CollectionInfo {
  if (req.params['root'] !== API_ROOT) throw notFound('this API root');
  const collection = findReadableCollection(caller.visibility, String(req.params['id']));
  if (collection === undefined) throw notFound('this collection');
  return collection;
}

function describe(c: CollectionInfo): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    description: `Indicators with a ${c.title.split(' ')[0]} sighting of ${c.commodity.toLowerCase().replace(/_/g, ' ')}, as STIX 2.1, within the reading token's entitlement.`,
    alias: c.alias,
    can_read: true,
    can_write: false,
    media_types: [STIX_MEDIA_TYPE],
  };
}

/** X-TAXII-Date-Added-First/Last of a page (3.3.2), when it holds anything. */
function dateHeaders(entries: readonly FeedEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  return { 'X-TAXII-Date-Added-First': formatFeedTime(entries[0]!.dateAdded), 'X-TAXII-Date-Added-Last': formatFeedTime(entries.at(-1)!.dateAdded) };
}

/** Where a request resumes: its `next`, or past its `added_after` (date-added.ts), whichever is further. */
async function afterOf(d: FeedDeps, caller: FeedCaller, collection: CollectionInfo, q: ObjectsQuery): Promise<Position> {
  if (q.addedAfter === undefined) return q.after;
  const staticCount = staticObjects(collection.tlp, d.origin, await logStart(d.db)).length;
  return laterOf(q.after, await resumeAfter(d.db, narrowTo(caller.visibility, collection), q.addedAfter, staticCount));
}

/** A page of found entries (an id lookup): of the asked types, after the position, at most `limit`. */
function pageOf(found: readonly FeedEntry[], q: ObjectsQuery, after: Position): FeedPage {
  const all = found.filter((e) => (q.types === undefined || q.types.has(e.object.type)) && comparePositions(e.position, after) > 0);
  const entries = all.slice(0, q.limit);
  return { entries, more: all.length > q.limit, next: entries.at(-1)?.position ?? after };
}

/** match[version] with exact versions keeps the entries of those versions (each object has one). */
function byVersion(page: FeedPage, q: ObjectsQuery): FeedPage {
  if (q.versions.any || q.versions.exact.length === 0) return page;
  return { ...page, entries: page.entries.filter((e) => q.versions.exact.some((v) => compareFeedTime(v, parseFeedTime(versionOf(e.object))!) === 0)) };
}

/** The entries a request asks for: the walk (or the id lookup) after its position, filtered by version. */
async function select(d: FeedDeps, caller: FeedCaller, collection: CollectionInfo, q: ObjectsQuery): Promise<FeedPage> {
  if (!q.specVersionMatches) return { entries: [], more: false, next: q.after };
  const after = await afterOf(d, caller, collection, q);
  const base = { visibility: caller.visibility, collection, origin: d.origin };
  const page = q.ids === undefined ? await readCollectionPage(d.db, { ...base, after, limit: q.limit, types: q.types }) : pageOf(await findObjects(d.db, { ...base, ids: q.ids }), q, after);
  return byVersion(page, q);
}

function envelope(page: FeedPage, collection: CollectionInfo, items: unknown[]): Record<string, unknown> {
  return { more: page.more, ...(page.more ? { next: encodeNext(page.next, collection.id) } : {}), ...(items.length > 0 ? { objects: items } : {}) };
}

const manifestRecord = (e: FeedEntry) => ({ id: e.object.id, date_added: formatFeedTime(e.dateAdded), version: versionOf(e.object), media_type: STIX_MEDIA_TYPE });

function handlersFor(d: FeedDeps): Record<string, Handler> {
  return {
    discovery: async (_caller, req) => ({
      fields: 'discovery',
      returned: 1,
      body: {
        title: 'wildintel',
        description: "Signed, anonymized indicators of the illegal online wildlife trade, as STIX 2.1, within the token's TLP and commodities.",
        // TAXII 2.1 4.1.1: absolute, or a path starting with '/'; the mount point as this request reached it.
        default: `${req.baseUrl}/${API_ROOT}/`,
        api_roots: [`${req.baseUrl}/${API_ROOT}/`],
      },
    }),
    apiRoot: async (_caller, req) => {
      if (req.params['root'] !== API_ROOT) throw notFound('this API root');
      return { fields: 'api-root', returned: 1, body: { title: 'wildintel indicators', description: 'One collection per TLP label and commodity the token may read.', versions: [TAXII_MEDIA_TYPE], max_content_length: 0 } };
    },
    collections: async (caller, req) => {
      if (req.params['root'] !== API_ROOT) throw notFound('this API root');
      const collections = readableCollections(caller.visibility).map(describe);
      return { fields: 'collections', returned: collections.length, body: collections.length > 0 ? { collections } : {} };
    },
    collection: async (caller, req) => {
      const c = collectionOf(caller, req);
      return { fields: `collection:${c.alias}`, returned: 1, body: describe(c) };
    },
    objects: async (caller, req) => {
      const c = collectionOf(caller, req);
      const page = await select(d, caller, c, parseObjectsQuery(queryParameters(req.originalUrl, LIST_PARAMS), c.id));
      return { fields: `objects:${c.alias}`, returned: page.entries.length, headers: dateHeaders(page.entries), body: envelope(page, c, page.entries.map((e) => e.object)) };
    },
    manifest: async (caller, req) => {
      const c = collectionOf(caller, req);
      const page = await select(d, caller, c, parseObjectsQuery(queryParameters(req.originalUrl, LIST_PARAMS), c.id));
      return { fields: `manifest:${c.alias}`, returned: page.entries.length, headers: dateHeaders(page.entries), body: envelope(page, c, page.entries.map(manifestRecord)) };
    },
    object: async (caller, req) => {
      const { c, page } = await oneObject(d, caller, req, OBJECT_PARAMS);
      return { fields: `object:${c.alias}`, returned: page.entries.length, headers: dateHeaders(page.entries), body: envelope(page, c, page.entries.map((e) => e.object)) };
    },
    versions: async (caller, req) => {
      const { c, page } = await oneObject(d, caller, req, VERSION_PARAMS);
      return { fields: `versions:${c.alias}`, returned: page.entries.length, headers: dateHeaders(page.entries), body: { more: false, ...(page.entries.length > 0 ? { versions: page.entries.map((e) => versionOf(e.object)) } : {}) } };
    },
    status: async () => {
      throw new InteropError('NOT_FOUND', 'this server is read-only: it has no status resources');
    },
    readOnly: async () => {
      throw new InteropError('READ_ONLY', 'the collections are read-only (can_write is false): members publish through signed batches');
    },
  };
}

/** One object of a collection (404 when it is not in it), with the request's filters applied. */
async function oneObject(d: FeedDeps, caller: FeedCaller, req: Request, allowed: readonly string[]): Promise<{ c: CollectionInfo; page: FeedPage }> {
  const c = collectionOf(caller, req);
  const q = parseObjectsQuery(queryParameters(req.originalUrl, allowed), c.id);
  const found = await findObjects(d.db, { visibility: caller.visibility, collection: c, origin: d.origin, ids: [String(req.params['objectId'])] });
  if (found.length === 0) throw notFound('this object');
  if (!q.specVersionMatches) return { c, page: { entries: [], more: false, next: q.after } };
  return { c, page: byVersion(pageOf(found, q, await afterOf(d, caller, c, q)), q) };
}

/** Runs a handler behind the gate: negotiation, authentication, rate limit, scope, then the audit record before the answer. */
function serve(d: FeedDeps, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    let caller: FeedCaller | undefined;
    const parameters = { path: req.path, query: Object.fromEntries(new URLSearchParams(req.originalUrl.split('?')[1] ?? '')) };
    try {
      if (!acceptsTaxii(req.get('accept'))) throw new InteropError('NOT_ACCEPTABLE', `this server answers ${TAXII_MEDIA_TYPE}; send it in Accept`);
      caller = await admitFeedRequest(d, req.get('authorization'));
      requireFeedScope(caller);
      const answer = await handler(caller, req);
      await recordFeedAccess(d, caller, { operation: 'taxii2', fields: answer.fields, parameters, returned: answer.returned, ok: true });
      sendTaxii(res, 200, answer.body, answer.headers);
    } catch (err) {
      const failure = caller === undefined || codeOf(err) === 'ACCESS_AUDIT_UNAVAILABLE' ? err : await recordFeedAccess(d, caller, { operation: 'taxii2', fields: req.path, parameters, returned: 0, ok: false }).then(() => err, (auditErr: unknown) => auditErr);
      fail(d, res, failure);
    }
  };
}

const codeOf = (err: unknown): string | undefined => (isWildintelError(err) ? err.code : undefined);

function fail(d: FeedDeps, res: Response, err: unknown): void {
  if (isWildintelError(err) && HTTP_STATUS[err.code] !== undefined) {
    sendTaxiiError(res, HTTP_STATUS[err.code]!, err.code, err.message, err.details);
    return;
  }
  d.logger.error({ err }, 'TAXII request failed');
  sendTaxiiError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
}

export function createTaxiiRouter(d: FeedDeps): Router {
  const router = Router();
  const handlers = handlersFor(d);
  const collection = '/:root/collections/:id';
  router.get('/', serve(d, handlers['discovery']!));
  router.get('/:root', serve(d, handlers['apiRoot']!));
  router.get('/:root/status/:statusId', serve(d, handlers['status']!));
  router.get('/:root/collections', serve(d, handlers['collections']!));
  router.get(collection, serve(d, handlers['collection']!));
  router.get(`${collection}/objects`, serve(d, handlers['objects']!));
  router.post(`${collection}/objects`, serve(d, handlers['readOnly']!));
  router.get(`${collection}/manifest`, serve(d, handlers['manifest']!));
  router.get(`${collection}/objects/:objectId`, serve(d, handlers['object']!));
  router.delete(`${collection}/objects/:objectId`, serve(d, handlers['readOnly']!));
  router.get(`${collection}/objects/:objectId/versions`, serve(d, handlers['versions']!));
  router.use((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.set('allow', 'GET');
      sendTaxiiError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported here: the TAXII server is read-only`);
      return;
    }
    sendTaxiiError(res, 404, 'NOT_FOUND', 'no such TAXII endpoint');
  });
  return router;
}
