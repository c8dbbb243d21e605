export { findIndicator, listIndicators, listSightings, encodeCursor, decodeCursor, IndicatorQueryError, MAX_PAGE_SIZE } from './indicator-store.js';
export type { IndicatorRecord, SightingRecord, IndicatorFilter, IndicatorPage, IndicatorQueryErrorCode } from './indicator-store.js';
