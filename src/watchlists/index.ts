/**
 * The watchlists context: an agency's saved searches, matched against every accepted batch with
 * the entitlement of the token that saved them, and the alerts they raise, read back only
 * through the reading token's own visibility. Other contexts import from this file only.
 */
export { WatchlistError } from './errors.js';
export type { WatchlistErrorCode } from './errors.js';
export { parseWatchlistInput, matchCriteria, MAX_KEYWORDS } from './criteria.js';
export type { WatchlistCriteria, WatchlistInput, Candidate, CriteriaMatch, AlertReason } from './criteria.js';
export { ownerOf, ownerVisibility } from './owner.js';
export type { WatchlistOwner } from './owner.js';
export {
  createWatchlist,
  listWatchlists,
  deleteWatchlist,
  listAlerts,
  countUnacknowledged,
  alertsOfBatch,
  acknowledgeAlerts,
  MAX_WATCHLISTS_PER_AGENCY,
  MAX_ALERT_PAGE,
} from './watchlist-store.js';
export type { WatchlistView, AlertView, AlertFilter } from './watchlist-store.js';
export { createAlertMatcher } from './alert-matcher.js';
export type { AlertMatcher, MatchedBatch } from './alert-matcher.js';
