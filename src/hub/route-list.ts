import type { Express } from 'express';

/** One way into the hub's HTTP server: a route (`GET /v1/feed`), or a mounted handler (`* /graphql`). */
export interface HttpRoute {
  readonly method: string;
  readonly path: string;
}

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Readonly<Record<string, boolean>> };
  readonly handle?: { readonly stack?: readonly Layer[] };
  readonly rawPath?: string | RegExp;
  readonly name?: string;
}

/**
 * Every route and mounted handler of an Express 5 app, read from its router, so that a test can
 * hold the list against the paths the entitlement, audit and fuzz suites know: a route added
 * without them shows up. Middleware mounted at the root (logging, the 404 handler) is left out.
 */
export function listRoutes(app: Express): HttpRoute[] {
  const stack = (app as unknown as { router: { stack: readonly Layer[] } }).router.stack;
  const unique = new Map(walk(stack, '').map((r) => [`${r.method} ${r.path}`, r]));
  return [...unique.values()].sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

function walk(stack: readonly Layer[], prefix: string): HttpRoute[] {
  return stack.flatMap((layer): HttpRoute[] => {
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (layer.route !== undefined) {
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => ({ method: m.toUpperCase(), path: prefix + layer.route!.path }));
    }
    if (layer.handle?.stack !== undefined) return walk(layer.handle.stack, prefix + mount);
    return mount === '' ? [] : [{ method: '*', path: prefix + mount }];
  });
}
