import type { IndicatorRecord } from '../indicators/index.js';

/**
 * What the `indicators` resolver returns: the page, and the total as a function that the
 * `totalCount` field calls, so that the count (which reads every match) runs only for clients
 * that select it.
 */
export interface IndicatorConnectionModel {
  edges: Array<{ cursor: string; node: IndicatorRecord }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  countAll(): Promise<number>;
}
