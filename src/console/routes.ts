import { Router, type Request, type Response } from 'express';
import type { Logger } from '../kernel/index.js';
import { loadConsoleAssets, type ConsoleAssets } from './build.js';

/** A Host header as a browser sends it: a name or address and an optional port, nothing else. */
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The console's Content-Security-Policy: everything from the hub itself. Scripts need
 * 'wasm-unsafe-eval' to compile the PDQ filter (WebAssembly) in the photo worker; `blob:` images
 * are the dropped photo's preview, `data:` images and fonts are GraphiQL's icons and code font
 * embedded in its stylesheet; connections go to the hub's GraphQL over HTTP and WebSocket only.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const ws = host !== undefined && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${ws}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The headers of every response a browser may render from the console's paths: pages, assets,
 * redirects and errors. `X-Frame-Options` says `frame-ancestors 'none'` to browsers without CSP 2.
 */
export function securityHeaders(req: Request, res: Response): void {
  res.set({
    'content-security-policy': contentSecurityPolicy(req.get('host')),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  });
}

/**
 * The analyst console at /console (and / redirects there), built from src/console/web on first
 * use (see build.ts), and a browser's GET /graphql sent to its API explorer: Apollo's landing
 * page loads its scripts from a CDN, which an agency's restricted network does not reach.
 */
export function createConsoleRoutes(deps: { logger: Logger; load?: () => Promise<ConsoleAssets> }): Router {
  // Strict: /console and /console/ are different routes (the first redirects to the second).
  const router = Router({ strict: true });
  let assets: Promise<ConsoleAssets> | undefined;
  const load = (): Promise<ConsoleAssets> => {
    assets ??= (deps.load ?? (() => loadConsoleAssets(deps.logger)))().catch((err: unknown) => {
      assets = undefined;
      throw err;
    });
    return assets;
  };

  const redirect = (status: number, to: string) => (req: Request, res: Response) => {
    securityHeaders(req, res);
    res.redirect(status, to);
  };
  router.get('/', redirect(302, '/console/'));
  router.get('/console', redirect(301, '/console/'));
  router.get('/graphql', (req, res, next) => {
    const browsing = req.accepts(['application/json', 'text/html']) === 'text/html' && req.query['query'] === undefined;
    if (browsing) redirect(302, '/console/#/explorer')(req, res);
    else next();
  });
  router.get('/console/{*file}', async (req, res) => {
    securityHeaders(req, res);
    const segments = (req.params as { file?: string[] }).file ?? [];
    const name = segments.length === 0 ? 'index.html' : segments.join('/');
    let files: ConsoleAssets['files'];
    try {
      files = (await load()).files;
    } catch (err) {
      deps.logger.error({ err }, 'the analyst console could not be built');
      res.status(503).json({ error: { code: 'CONSOLE_UNAVAILABLE', message: 'the analyst console could not be built; see the hub log' } });
      return;
    }
    const asset = files.get(name);
    // Only names the build wrote exist: the path is a map key, never a file path.
    if (asset === undefined) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such console file' } });
      return;
    }
    res.set({ 'content-type': asset.type, etag: asset.etag, 'cache-control': name.startsWith('chunks/') || name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache', vary: 'accept-encoding' });
    if (req.get('if-none-match') === asset.etag) {
      res.status(304).end();
      return;
    }
    const gzip = asset.gzip !== null && /\bgzip\b/.test(req.get('accept-encoding') ?? '');
    if (gzip) res.set('content-encoding', 'gzip');
    res.send(gzip ? asset.gzip : asset.body);
  });
  return router;
}
