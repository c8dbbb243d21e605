/**
 * The MISP feed under the hub (`/misp/manifest.json`, `/misp/<uuid>.json`, `/misp/hashes.csv`):
 * what `wildintel export misp` writes to a directory, served to a MISP instance that adds the hub
 * as a feed. Same gate as TAXII; errors in the hub's `{"error": {code, message, details}}` form.
 */
import { Router, type Request, type Response } from 'express';
import { isWildintelError } from '../kernel/index.js';
import { admitFeedRequest, recordFeedAccess, requireFeedScope, type FeedCaller, type FeedDeps } from './feed-access.js';
import { HTTP_STATUS, InteropError } from './errors.js';
import { findMispEventKey, listMispEvents, logSize, writeMispEvent, writeMispHashes } from './misp-feed.js';
import { mispManifestEntry } from './misp.js';
import { streamSink } from './stream-sink.js';

const EVENT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;

/** What a request answers: how many items (for the audit record), then the writing of the body. */
interface Answer {
  readonly fields: string;
  readonly returned: number;
  readonly contentType: string;
  readonly write: (res: Response) => Promise<void>;
}

type Handler = (caller: FeedCaller, req: Request, upTo: number) => Promise<Answer>;

function handlersFor(d: FeedDeps): Record<'manifest' | 'hashes' | 'event', Handler> {
  return {
    manifest: async (caller, _req, upTo) => {
      const events = await listMispEvents(d.db, caller.visibility, upTo);
      const body = JSON.stringify(Object.assign({}, ...events.map(mispManifestEntry)));
      return { fields: 'manifest.json', returned: events.length, contentType: 'application/json', write: async (res) => void res.send(body) };
    },
    hashes: async (caller, _req, upTo) => {
      const events = await listMispEvents(d.db, caller.visibility, upTo);
      return {
        fields: 'hashes.csv',
        returned: events.reduce((n, e) => n + e.liveAttributes, 0),
        contentType: 'text/csv; charset=utf-8',
        write: async (res) => {
          await writeMispHashes(d.db, caller.visibility, upTo, streamSink(res));
          res.end();
        },
      };
    },
    event: async (caller, req, upTo) => {
      const uuid = EVENT_FILE.exec(String(req.params['file']))?.[1];
      const key = uuid === undefined ? undefined : await findMispEventKey(d.db, caller.visibility, uuid);
      const [event] = key === undefined ? [] : await listMispEvents(d.db, caller.visibility, upTo, key);
      if (event === undefined) throw new InteropError('NOT_FOUND', 'no such event in this feed, or this token may not read it');
      return {
        fields: `event:${uuid}`,
        returned: event.attributes,
        contentType: 'application/json',
        write: async (res) => {
          await writeMispEvent(d.db, caller.visibility, upTo, event, streamSink(res));
          res.end();
        },
      };
    },
  };
}

function sendError(res: Response, err: unknown, d: FeedDeps): void {
  if (!isWildintelError(err) || HTTP_STATUS[err.code] === undefined) {
    d.logger.error({ err }, 'MISP feed request failed');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
    return;
  }
  const status = HTTP_STATUS[err.code]!;
  if (status === 401) res.set('www-authenticate', 'Bearer realm="wildintel"');
  const retry = err.details?.['retryAfterSeconds'];
  // Every 429 says when to come back: a client that honours Retry-After must never be left guessing.
  if (status === 429) res.set('retry-after', String(typeof retry === 'number' ? retry : 1));
  res.status(status).json({ error: err.toJSON() });
}

/** The gate, the audit record (before any byte of the answer), then the streamed body. */
function serve(d: FeedDeps, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    let caller: FeedCaller | undefined;
    const parameters = { path: req.path };
    let answer: Answer;
    try {
      caller = await admitFeedRequest(d, req.get('authorization'));
      requireFeedScope(caller);
      answer = await handler(caller, req, await logSize(d.db));
      await recordFeedAccess(d, caller, { operation: 'misp-feed', fields: answer.fields, parameters, returned: answer.returned, ok: true });
    } catch (err) {
      const audited = isWildintelError(err) && err.code === 'ACCESS_AUDIT_UNAVAILABLE';
      const failure = caller === undefined || audited ? err : await recordFeedAccess(d, caller, { operation: 'misp-feed', fields: req.path, parameters, returned: 0, ok: false }).then(() => err, (e: unknown) => e);
      sendError(res, failure, d);
      return;
    }
    try {
      res.status(200).type(answer.contentType);
      await answer.write(res);
    } catch (err) {
      // Headers are gone: cut the connection, so that a truncated file never reads as a whole one.
      d.logger.warn({ err }, 'MISP feed response cut short');
      res.destroy();
    }
  };
}

export function createMispRouter(d: FeedDeps): Router {
  const router = Router();
  const handlers = handlersFor(d);
  router.get('/manifest.json', serve(d, handlers.manifest));
  router.get('/hashes.csv', serve(d, handlers.hashes));
  router.get('/:file', serve(d, handlers.event));
  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'the MISP feed has manifest.json, hashes.csv and <event uuid>.json' } });
  });
  return router;
}
