/**
 * The analyst console: a web page served by the hub at /console, built from src/console/web
 * (browser code, its own tsconfig) on first use. Everything it shows comes through the GraphQL
 * API with the analyst's token, so the API's authorization and visibility decide what it shows.
 */
export { createConsoleRoutes, contentSecurityPolicy, securityHeaders } from './routes.js';
export { loadConsoleAssets, sizes as consoleAssetSizes } from './build.js';
export type { ConsoleAssets, ConsoleAsset } from './build.js';
