/**
 * Every HTTP route the hub serves, in one table: the request log names a request by its
 * pattern here (a bounded metric label), the fuzz suite sends malformed requests to each, and a
 * test checks that the app serves them. A new route is added here, with what it takes and who
 * may call it, in the same change that mounts it.
 */

import { INTEROP_ROUTES } from '../interop/index.js';

export type RouteKind =
  /** GraphQL over HTTP; graphql-ws shares the path (the `upgrade` route). */
  | 'graphql'
  | 'graphql-ws'
  | 'batch-ingest'
  | 'batch-read'
  | 'feed'
  | 'log'
  | 'keys'
  | 'health'
  | 'metrics'
  /** The analyst console's pages and files (its data comes through GraphQL). */
  | 'console'
  /** TAXII 2.1 and the MISP feed (src/interop). */
  | 'interop'
  /** Disclosure requests, for the member nodes they are routed to (src/disclosure). */
  | 'disclosure';

/** Who may call it: anyone, an agency token, a member request token, either. */
export type RouteAuth = 'public' | 'agency' | 'member' | 'agency-or-member';

export interface HubRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The path as Express matches it: parameters as `:name`, the rest of the path as `*name` (or `{*name}` when it may be empty). */
  readonly path: string;
  readonly kind: RouteKind;
  readonly auth: RouteAuth;
  /** Media type of the body it reads, if any. */
  readonly body?: 'application/json' | 'application/jose';
  /** Query parameters it reads. */
  readonly query?: readonly string[];
  /** Whether what it returns comes from indicator data (entitlement, access audit and rate limit apply). */
  readonly indicatorData: boolean;
  /**
   * Which per-principal budget a request draws from: the interactive class (RATE_LIMIT_*), the
   * machine feeds' export class (EXPORT_RATE_LIMIT_*), or none: public paths, and batch ingest,
   * whose every request a member signs and the hub verifies before storing anything.
   */
  readonly rateClass: RateClass;
}

export type RateClass = 'interactive' | 'export' | 'none';

export const HUB_ROUTES: readonly HubRoute[] = [
  { method: 'POST', path: '/graphql', kind: 'graphql', auth: 'agency-or-member', body: 'application/json', indicatorData: true, rateClass: 'interactive' },
  { method: 'GET', path: '/graphql', kind: 'graphql', auth: 'agency-or-member', query: ['query', 'variables', 'operationName', 'extensions'], indicatorData: true, rateClass: 'interactive' },
  { method: 'GET', path: '/graphql', kind: 'graphql-ws', auth: 'agency', indicatorData: true, rateClass: 'interactive' },
  { method: 'POST', path: '/v1/batches', kind: 'batch-ingest', auth: 'member', body: 'application/jose', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/v1/batches/:member/:batchId', kind: 'batch-read', auth: 'agency-or-member', indicatorData: true, rateClass: 'interactive' },
  { method: 'GET', path: '/v1/feed', kind: 'feed', auth: 'member', query: ['after'], indicatorData: true, rateClass: 'interactive' },
  { method: 'GET', path: '/log/checkpoint', kind: 'log', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/log/entries', kind: 'log', auth: 'public', query: ['start', 'end'], indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/log/proof/inclusion', kind: 'log', auth: 'public', query: ['index', 'size'], indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/log/proof/consistency', kind: 'log', auth: 'public', query: ['from', 'to'], indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/log/tile/*path', kind: 'log', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/.well-known/jwks.json', kind: 'keys', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/healthz', kind: 'health', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/readyz', kind: 'health', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/metrics', kind: 'metrics', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/v1/disclosures', kind: 'disclosure', auth: 'member', indicatorData: false, rateClass: 'interactive' },
  { method: 'POST', path: '/v1/disclosures/:requestId/steps', kind: 'disclosure', auth: 'member', body: 'application/jose', indicatorData: false, rateClass: 'interactive' },
  { method: 'GET', path: '/', kind: 'console', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/console', kind: 'console', auth: 'public', indicatorData: false, rateClass: 'none' },
  { method: 'GET', path: '/console/{*file}', kind: 'console', auth: 'public', indicatorData: false, rateClass: 'none' },
  ...INTEROP_ROUTES.map((r) => ({ ...r, path: r.path.replace(/\/$/, ''), kind: 'interop' as const, auth: 'agency' as const, indicatorData: r.method === 'GET', rateClass: 'export' as const })),
];

/** What the request log and metrics call a request that matches no route (a 404). */
export const UNMATCHED_ROUTE = 'unmatched';

const compiled = HUB_ROUTES.filter((r) => r.kind !== 'graphql-ws').map((r) => ({
  route: r,
  pattern: new RegExp(`^${r.path.split('/').map(segmentPattern).join('/')}/?$`),
}));

function segmentPattern(segment: string): string {
  if (segment.startsWith('{*')) return '.*';
  if (segment.startsWith('*')) return '.+';
  if (segment.startsWith(':')) return '[^/]+';
  return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The route a request is for, by method and path (without the query string); undefined for none. */
export function routeOf(method: string, path: string): HubRoute | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((c) => c.route.method === m && c.pattern.test(path))?.route;
}
