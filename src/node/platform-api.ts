/**
 * The member node's HTTP API for its platform (design.md "The platform API of a member node"):
 *   POST /v1/observations   observations in → indicators made
 *   POST /v1/retractions    withdraw earlier observations (by raw value, text or indicator id)
 *   POST /v1/outcomes       what the platform did about what it reported (src/node/outcomes)
 *   POST /v1/referrals      refer a case to agencies; GET /v1/referrals[/:id] what they did (src/node/referrals)
 *   POST /v1/scan           which federation indicators a listing matches (local only)
 *   GET  /v1/status         outbox, receipts, audit alarms, feed position, disclosure requests
 *   GET  /v1/requests       disclosure requests routed here (src/node/disclosure-routes.ts)
 *   GET  /healthz, /metrics (no key)
 * Bodies are JSON, or multipart/form-data with the JSON in a field and images as file parts.
 * Every /v1 call needs `authorization: Bearer <platform API key>`. Logs carry the method, path,
 * status, duration and key name only: never a body, so never a raw identifier or listing.
 */
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import multer from 'multer';
import { isWildintelError, type Logger } from '../kernel/index.js';
import { NODE_ERROR_STATUS, NodeError, type NodeErrorCode } from './errors.js';
import type { ScanResult } from './federation-index.js';
import type { ObservationService } from './observation-service.js';
import { parseObservations, type UploadedFiles } from './observation.js';
import { parseScanRequest, type ScanRequest } from './scan.js';
import type { NodeStatus } from './status.js';

export interface PlatformApiDeps {
  readonly service: ObservationService;
  readonly scan: (request: ScanRequest) => Promise<ScanResult>;
  readonly status: () => Promise<NodeStatus>;
  /** Records the platform's verdict on a federation indicator at the hub. */
  readonly opinion: (body: unknown) => Promise<unknown>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** The name of the caller's API key, or undefined to refuse it. */
  readonly authenticate: (req: Request) => string | undefined;
  /** Prometheus metrics, served at /metrics without a key like /healthz. */
  readonly metrics?: { readonly contentType: string; metrics(): Promise<string> };
  /** More routes behind the same authentication (disclosure requests). */
  readonly routers?: readonly Router[];
  /** Routes without a platform API key, before the key check (the public report page, src/reports). */
  readonly publicRouters?: readonly Router[];
}

type Handler = (req: Request, files: UploadedFiles) => Promise<unknown>;

export function createPlatformApi(deps: PlatformApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(deps.logger));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const metrics = deps.metrics;
  if (metrics !== undefined) {
    app.get('/metrics', (_req, res, next) => {
      metrics.metrics().then((text) => res.type(metrics.contentType).send(text), next);
    });
  }
  for (const router of deps.publicRouters ?? []) app.use(router);
  app.use('/v1', authenticate(deps));
  const json = express.json({ limit: deps.maxBodyBytes });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.maxBodyBytes, fieldSize: deps.maxBodyBytes, files: 1000, fields: 10 } }).any();
  const route = (path: string, handler: Handler): void => {
    app.post(path, json, upload, (req, res, next) => {
      handler(req, uploadedFiles(req)).then((body) => res.json(body), next);
    });
  };
  route('/v1/observations', async (req, files) => ({ indicators: await deps.service.submit(parseObservations(jsonOf(req, 'observations'), files)) }));
  route('/v1/retractions', async (req) => ({ retractions: await deps.service.retract(jsonOf(req, 'retractions')) }));
  // A multipart scan sends plain fields (text, maxDistance) and an `image` file part.
  route('/v1/scan', async (req, files) => deps.scan(parseScanRequest(req.body ?? {}, files)));
  route('/v1/opinions', async (req) => deps.opinion(req.body ?? {}));
  app.get('/v1/status', (_req, res, next) => {
    deps.status().then((status) => res.json(status), next);
  });
  for (const router of deps.routers ?? []) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

function authenticate(deps: PlatformApiDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = deps.authenticate(req);
    if (client === undefined) {
      next(new NodeError('UNAUTHENTICATED', 'send authorization: Bearer <platform API key> (wildintel node api-key new)'));
      return;
    }
    res.locals['client'] = client;
    next();
  };
}

/** The API key presented as a bearer token, if any. */
export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_.~+/=-]{16,200})$/.exec(req.get('authorization') ?? '');
  return match?.[1];
}

function uploadedFiles(req: Request): UploadedFiles {
  const files = Array.isArray(req.files) ? req.files : [];
  return new Map(files.map((f) => [f.fieldname, new Uint8Array(f.buffer)]));
}

/** The JSON body, or in a multipart request the JSON text of the field named like the list. */
function jsonOf(req: Request, field: string): unknown {
  if (!req.is('multipart/form-data')) return req.body;
  const text: unknown = (req.body as Record<string, unknown> | undefined)?.[field];
  if (typeof text !== 'string') throw new NodeError('MALFORMED_REQUEST', `a multipart request carries the JSON in a field named ${field}`);
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? { [field]: parsed } : parsed;
  } catch {
    throw new NodeError('MALFORMED_REQUEST', `the ${field} field is not JSON`);
  }
}

function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      logger.info({ method: req.method, path: req.path, status: res.statusCode, durationMs, client: res.locals['client'] }, 'request');
    });
    next();
  };
}

/** Coded JSON for every failure; unknown errors are masked and logged through the scrubbing serializer (never with bodies or query parameters). */
function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const coded = toCoded(err);
    if (coded !== undefined) {
      res.status(NODE_ERROR_STATUS[coded.code]).json({ error: { code: coded.code, message: coded.message, ...coded.details } });
      return;
    }
    // The logger's error serializer drops SQL, its parameters and database messages (kernel/logger.ts).
    logger.error({ err }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal error; see the node log' } });
  };
}

function toCoded(err: unknown): { code: NodeErrorCode; message: string; details?: Readonly<Record<string, unknown>> } | undefined {
  if (err instanceof NodeError) return { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
  if (isWildintelError(err)) return undefined;
  const e = err as { type?: string; code?: string; status?: number };
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE') return { code: 'PAYLOAD_TOO_LARGE', message: 'the request is over NODE_MAX_BODY_MB: send fewer observations per request' };
  if (e.type === 'entity.parse.failed') return { code: 'MALFORMED_REQUEST', message: 'the request body is not valid JSON' };
  if (err instanceof multer.MulterError || (typeof e.status === 'number' && e.status >= 400 && e.status < 500)) return { code: 'MALFORMED_REQUEST', message: 'the request body cannot be read' };
  return undefined;
}
