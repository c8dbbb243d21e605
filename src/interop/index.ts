/**
 * The interop context: what agencies' own tools read. A TAXII 2.1 server of STIX 2.1 objects
 * (/taxii2/), a MISP feed (/misp/ and `wildintel export misp`), the pure STIX and MISP mappings
 * behind them, and the member setting that lets sightings travel as STIX sightings
 * (docs/interop.md). Every path decides what a token sees through the indicator store's one
 * visibility and records the request in the access audit.
 */
import { Router } from 'express';
import type { FeedDeps } from './feed-access.js';
import { createMispRouter } from './misp-routes.js';
import { createTaxiiRouter } from './taxii-routes.js';

export type { FeedDeps, FeedCaller } from './feed-access.js';
export { admitFeedRequest, requireFeedScope, recordFeedAccess, FEED_SCOPE } from './feed-access.js';
export { InteropError } from './errors.js';
export type { InteropErrorCode } from './errors.js';
export { exportMispFeed } from './misp-export.js';
export type { MispExportResult, MispExportOptions } from './misp-export.js';
export { setSightingSharing, listSightingSharing } from './sighting-policy.js';
export type { SightingPolicy } from './sighting-policy.js';
export { WILDINTEL_STIX_NAMESPACE, PROVENANCE_EXTENSION_ID, stixIds, plainIds } from './stix-ids.js';
export { tlpMarkingDefinition, tlpMarkingId, TLP2_EXTENSION_ID } from './tlp-markings.js';
export { TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE } from './taxii-http.js';
export { API_ROOT } from './taxii-routes.js';

/** The routes this context adds, for the route table the fuzz suite walks. */
export const INTEROP_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST' | 'DELETE'; path: string }> = [
  { method: 'GET', path: '/taxii2/' },
  { method: 'GET', path: '/taxii2/:root/' },
  { method: 'GET', path: '/taxii2/:root/status/:statusId/' },
  { method: 'GET', path: '/taxii2/:root/collections/' },
  { method: 'GET', path: '/taxii2/:root/collections/:id/' },
  { method: 'GET', path: '/taxii2/:root/collections/:id/objects/' },
  { method: 'POST', path: '/taxii2/:root/collections/:id/objects/' },
  { method: 'GET', path: '/taxii2/:root/collections/:id/manifest/' },
  { method: 'GET', path: '/taxii2/:root/collections/:id/objects/:objectId/' },
  { method: 'DELETE', path: '/taxii2/:root/collections/:id/objects/:objectId/' },
  { method: 'GET', path: '/taxii2/:root/collections/:id/objects/:objectId/versions/' },
  { method: 'GET', path: '/misp/manifest.json' },
  { method: 'GET', path: '/misp/hashes.csv' },
  { method: 'GET', path: '/misp/:file' },
];

/** Mounted by the hub's HTTP app: /taxii2/ and /misp/. */
export function createInteropRoutes(deps: FeedDeps): Router {
  const router = Router();
  router.use('/taxii2', createTaxiiRouter(deps));
  router.use('/misp', createMispRouter(deps));
  return router;
}
