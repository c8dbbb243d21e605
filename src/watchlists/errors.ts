import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of codes the watchlists module throws.
 * - `INVALID_WATCHLIST`: the criteria or name break the rules (details.field says which).
 * - `NOT_FOUND`: no such watchlist or alert for the caller's agency, as far as the caller may see.
 * - `FORBIDDEN`: the criteria ask for what the caller's token may not read (a seller without sellers:read).
 * - `INVALID_ALERT_FILTER`: a bad page size or cursor for `alerts`.
 */
export type WatchlistErrorCode = 'INVALID_WATCHLIST' | 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_ALERT_FILTER';

export class WatchlistError extends WildintelError<WatchlistErrorCode> {}
