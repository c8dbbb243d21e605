/**
 * The report room's HTTP routes (no platform API key: the public and reviewers use them):
 *   GET  /report[?lang=zh|en]               the public report page
 *   GET  /report/assets/:name               its scripts, styles and the ALTCHA widget (CSP build)
 *   GET  /v1/reports/challenge              a proof-of-work challenge (ALTCHA)
 *   POST /v1/reports                        a report (JSON, photos base64) → {receipt, state}
 *   GET  /v1/reports/status?receipt=…       the report's state
 *   GET  /review, /review/assets/review.js  the review page
 *   POST /review/login | /review/logout     session cookie (HttpOnly, SameSite=Strict, Secure on https)
 *   GET  /review/api/me | queue | numbers   reviewer session
 *   GET  /review/api/reports/:id/photos/:n  a report's photo (reviewer session)
 *   POST /review/api/reports/:id/decisions  {decision, note?, keyword?}  session + x-csrf-token
 * and, behind the platform API's authentication, for the operator's socket only:
 *   GET/POST /v1/reviewers, POST /v1/reviewers/:name/remove
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Clock, Random } from '../kernel/index.js';
import { isWildintelError } from '../kernel/index.js';
import type { DataSource } from 'typeorm';
import { REPORT_ERROR_STATUS, ReportError } from './errors.js';
import { countRefusal, reportStatus, type ReportIntake } from './intake.js';
import { PAGE_CSP, pageAssets, reportPage, reviewPage, type Language } from './pages.js';
import type { ReportPow } from './pow.js';
import type { PrefixRateLimit } from './rate-limit.js';
import { MAX_PHOTOS } from './report-request.js';
import type { ReviewDesk } from './review.js';
import { addReviewer, listReviewers, logIn, logOut, removeReviewer, sessionOf, type Session } from './reviewers.js';
import { readReportNumbers } from './stats.js';

export interface ReportRouteDeps {
  readonly db: DataSource;
  readonly clock: Clock;
  readonly random: Random;
  readonly intake: ReportIntake;
  readonly pow: ReportPow;
  readonly rate: PrefixRateLimit;
  /** Login attempts per network: each costs a scrypt, so they are bounded like reports. */
  readonly loginRate: PrefixRateLimit;
  readonly desk: ReviewDesk;
  readonly maxPhotoBytes: number;
  readonly sessionHours: number;
}

const COOKIE = 'wildintel_review';

export function createPublicReportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();
  const assets = pageAssets();
  const page = (html: () => string) => (_req: Request, res: Response): void => {
    res.set({ 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' }).type('html').send(html());
  };
  router.get('/report', (req, res) => page(() => reportPage(languageOf(req)))(req, res));
  router.get(['/report/assets/:name', '/review/assets/:name'], (req, res, next) => {
    const asset = assets.get(String(req.params['name']));
    if (asset === undefined) return next();
    res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' }).type(asset.type).send(asset.body);
  });
  router.get('/v1/reports/challenge', (_req, res, next) => {
    deps.pow.challenge().then((c) => res.set('cache-control', 'no-store').json(c), next);
  });
  // base64 is 4/3 of the photos; 64 KiB for the rest.
  const reportBody = express.json({ limit: Math.ceil((MAX_PHOTOS * deps.maxPhotoBytes * 4) / 3) + 65_536 });
  router.post('/v1/reports', rateLimited(deps.rate, 'too many reports from your network this hour: try again later'), reportBody, (req, res, next) => {
    deps.intake.file(req.body).then((filed) => res.status(201).json(filed), next);
  });
  router.get('/v1/reports/status', (req, res, next) => {
    const receipt = req.query['receipt'];
    if (typeof receipt !== 'string') return next(new ReportError('UNKNOWN_RECEIPT', 'send ?receipt=<your receipt code>', { details: { field: 'receipt' } }));
    reportStatus(deps.db, receipt.trim().toUpperCase()).then((status) => res.set('cache-control', 'no-store').json(status), next);
  });
  router.get('/review', page(reviewPage));
  router.post('/review/login', rateLimited(deps.loginRate, 'too many login attempts from your network this hour'), express.json({ limit: '4kb' }), sameOrigin, (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    logIn(deps.db, body['name'], body['password'], deps.random, deps.clock.now(), deps.sessionHours).then((s) => {
      res.cookie(COOKIE, s.token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/review', expires: s.expiresAt });
      res.json({ name: s.name, role: s.role, csrf: s.csrf, expiresAt: s.expiresAt.toISOString() });
    }, next);
  });
  const withSession = reviewerSession(deps);
  router.post('/review/logout', express.json({ limit: '4kb' }), withSession, csrfChecked, (req, res, next) => {
    logOut(deps.db, cookieOf(req)).then(() => res.clearCookie(COOKIE, { path: '/review' }).json({ ok: true }), next);
  });
  router.get('/review/api/me', withSession, (_req, res) => {
    const s = res.locals['reviewer'] as Session;
    res.set('cache-control', 'no-store').json({ name: s.name, role: s.role, csrf: s.csrf });
  });
  router.get('/review/api/queue', withSession, (req, res, next) => {
    deps.desk.queue(Number(req.query['limit'] ?? 100) || 100).then((reports) => res.set('cache-control', 'no-store').json({ reports }), next);
  });
  router.get('/review/api/numbers', withSession, (_req, res, next) => {
    readReportNumbers(deps.db, deps.clock.now()).then((n) => res.set('cache-control', 'no-store').json(n), next);
  });
  router.get('/review/api/reports/:id/photos/:n', withSession, (req, res, next) => {
    deps.desk.photo(String(req.params['id']), Number(req.params['n'])).then((bytes) => {
      if (bytes === undefined) return next(new ReportError('UNKNOWN_REPORT', 'no such photo'));
      // Whatever the public sent is shown as an image or not at all: sniffing off, sandboxed.
      res.set({ 'content-type': imageType(bytes), 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox", 'cache-control': 'private, no-store' }).send(Buffer.from(bytes));
    }, next);
  });
  router.post('/review/api/reports/:id/decisions', express.json({ limit: '16kb' }), withSession, csrfChecked, (req, res, next) => {
    deps.desk.decide(res.locals['reviewer'] as Session, String(req.params['id']), req.body).then((r) => res.json(r), next);
  });
  router.use(reportErrors(deps));
  return router;
}

/** Reviewer accounts on the platform API: the operator's socket only (wildintel node reviewers). */
export function createReviewerAdminRoutes(deps: Pick<ReportRouteDeps, 'db' | 'clock' | 'random'>, operator: boolean): Router {
  const router = Router();
  const only = (_req: Request, _res: Response, next: NextFunction): void => next(operator ? undefined : new ReportError('OPERATOR_ONLY', 'reviewer accounts are managed by the node operator: run wildintel node reviewers on the node'));
  router.get('/v1/reviewers', only, (_req, res, next) => {
    listReviewers(deps.db).then((reviewers) => res.json({ reviewers }), next);
  });
  router.post('/v1/reviewers', only, express.json({ limit: '4kb' }), (req, res, next) => {
    addReviewer(deps.db, req.body, deps.random, deps.clock.now()).then((r) => res.json(r), next);
  });
  router.post('/v1/reviewers/:name/remove', only, (req, res, next) => {
    removeReviewer(deps.db, req.params['name']).then((r) => res.json(r), next);
  });
  router.use(reportErrors(deps));
  return router;
}

function languageOf(req: Request): Language {
  const asked = req.query['lang'];
  if (asked === 'zh' || asked === 'en') return asked;
  return /^zh\b/i.test(req.get('accept-language') ?? '') ? 'zh' : 'en';
}

function rateLimited(limit: PrefixRateLimit, message: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    // Counted before the body is read: a flood from one network costs the node almost nothing.
    next(limit.take(req.socket.remoteAddress) ? undefined : new ReportError('RATE_LIMITED', message));
  };
}

/** A login from another site's page is refused (login CSRF); browsers send Origin on every POST. */
function sameOrigin(req: Request, _res: Response, next: NextFunction): void {
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host') ?? ''}`) return next(new ReportError('CSRF_REJECTED', 'a login must come from the review page itself'));
  if (!req.is('application/json')) return next(new ReportError('CSRF_REJECTED', 'send JSON (content-type: application/json)'));
  next();
}

function csrfChecked(req: Request, res: Response, next: NextFunction): void {
  const session = res.locals['reviewer'] as Session;
  if (req.get('x-csrf-token') !== session.csrf || !req.is('application/json')) return next(new ReportError('CSRF_REJECTED', 'send the x-csrf-token header of your session (reload the review page)'));
  sameOrigin(req, res, next);
}

function cookieOf(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

function reviewerSession(deps: ReportRouteDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    sessionOf(deps.db, cookieOf(req), deps.clock.now()).then((session) => {
      if (session === undefined) return next(new ReportError('UNAUTHENTICATED', 'log in on the review page (/review)'));
      res.locals['reviewer'] = session;
      res.locals['client'] = `reviewer:${session.name}`;
      next();
    }, next);
  };
}

function imageType(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 12));
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  return 'application/octet-stream';
}

/** Coded JSON for the room's failures; a refused report is counted by its code. Anything else goes on to the node's handler (masked 500). */
function reportErrors(deps: Pick<ReportRouteDeps, 'db' | 'clock'>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const coded = toReportError(err);
    if (coded === undefined) return next(err);
    const send = (): void => {
      res.status(REPORT_ERROR_STATUS[coded.code]).json({ error: { code: coded.code, message: coded.message, ...coded.details } });
    };
    if (req.method === 'POST' && req.originalUrl.split('?')[0] === '/v1/reports') countRefusal(deps.db, coded.code, deps.clock.now()).then(send, next);
    else send();
  };
}

function toReportError(err: unknown): ReportError | undefined {
  if (err instanceof ReportError) return err;
  if (isWildintelError(err)) return undefined;
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.too.large') return new ReportError('REPORT_TOO_LARGE', 'the report is over the size limit: send fewer or smaller photos');
  if (e.type === 'entity.parse.failed') return new ReportError('INVALID_REPORT', 'the body is not valid JSON', { details: { field: 'report' } });
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new ReportError('INVALID_REPORT', 'the request body cannot be read', { details: { field: 'report' } });
  return undefined;
}
