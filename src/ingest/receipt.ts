/** design.md item 5: what the hub answers for an accepted batch. */
export interface Receipt {
  readonly batchId: string;
  /** The batch's entry in the transparency log. */
  readonly leafIndex: number;
  /** Ids of the batch's indicators, in payload order. */
  readonly indicatorIds: readonly string[];
  /** A signed checkpoint (C2SP signed note) whose tree already includes `leafIndex`. */
  readonly checkpoint: string;
  /** True when this exact batch had been accepted before and this is its original receipt. */
  readonly duplicate: boolean;
}
