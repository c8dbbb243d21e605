/**
 * Jarosz box-filter downsampling to 64×64 (two passes of: box filter along rows, then down
 * columns; then decimation), bit-exact with pdq/cpp/downscaling/downscaling.cpp. Not part of the
 * module's public surface.
 *
 * The reference blurs whole rows×cols float buffers. This file computes the same float32 values
 * in the same per-element order, but streams: rows of luma flow through the four 1-D passes
 * while only a ring of (window+8) rows is kept, so the working set stays in cache and nothing of
 * image size is allocated. Only outputs that decimation reads are kept after the last row pass.
 * Buffers are Float64Array holding float32 values (every result goes through Math.fround):
 * reading them needs no float32→float64 conversion, which is most of the cost in V8.
 *
 * Exactness notes (jarosz.test.ts checks the result against a literal transcription of the
 * reference, bit for bit, on many image sizes):
 * - The running sums must stay running sums (O(1) per output whatever the window), added then
 *   subtracted, rounded to float32 after each operation. A float32 prefix-sum difference
 *   (S[r] − S[l]) rounds differently: measured, it changes 98% of the outputs.
 * - A window of 1 is not skipped: the reference still runs its running sum, and
 *   fl(fl(s + x) − y) can differ from x in the last bit.
 * - Division by the window length is done as a multiplication by its reciprocal in double. For
 *   a float32 s and an integer n < 2^27 this rounds to the same float32 as s / n: the exact
 *   quotient lies at least 2^-25/n (relative) from any float32 rounding midpoint, while the
 *   double product is within 2^-52 of it.
 */

import { fillLumaRow, type LumaSource } from './luma.js';

const f = Math.fround;

/** Rows filtered together by the row passes (boxRows8 is written for exactly this many). */
const GROUP = 8;

/** Per-call geometry, derived once from the image size. */
export interface JaroszPlan {
  readonly rows: number;
  readonly cols: number;
  /** Window along rows (horizontal blur), ⌈cols/128⌉. */
  readonly wx: number;
  /** Window down columns (vertical blur), ⌈rows/128⌉. */
  readonly wy: number;
  /** ⌊(j+0.5)·cols/64⌋ and ⌊(i+0.5)·rows/64⌋, computed in double as the reference does. */
  readonly sampleCols: Int32Array;
  readonly sampleRows: Int32Array;
}

export function planJarosz(rows: number, cols: number): JaroszPlan {
  const sample = (n: number): Int32Array => Int32Array.from({ length: 64 }, (_, i) => Math.floor(((i + 0.5) * n) / 64));
  return {
    rows,
    cols,
    wx: Math.floor((cols + 127) / 128),
    wy: Math.floor((rows + 127) / 128),
    sampleCols: sample(cols),
    sampleRows: sample(rows),
  };
}

/** Grow-only scratch memory, reused across calls (hashing is synchronous: one set per isolate). */
let pool = new Float64Array(1 << 16);

function carve(sizes: readonly number[]): Float64Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (pool.length < total) pool = new Float64Array(total);
  let at = 0;
  return sizes.map((n) => pool.subarray(at, (at += n)));
}

/** 1/n in double for n = 0..window (index 0 unused). */
function reciprocals(window: number): Float64Array {
  const inv = new Float64Array(window + 1);
  for (let n = 1; n <= window; n++) inv[n] = 1 / n;
  return inv;
}

/**
 * Blurs and decimates the luma to `out` (64×64, row-major). Equivalent to the reference's
 * jaroszFilterFloat(…, 2 passes) followed by decimateFloat.
 */
export function jaroszDownsample64(plan: JaroszPlan, luma: LumaSource, out: Float32Array): void {
  new Downsampler(plan, luma, out).run();
}

/**
 * One image's pass through the pipeline: luma rows → row box (GROUP rows at a time) → column
 * box (streaming) → row box again (GROUP at a time) → column box over the 64 sampled columns →
 * the 64 sampled rows. A class rather than closures so that V8 reuses optimised code.
 */
class Downsampler {
  private readonly lumaRows: Float64Array;
  /** Output rows of the first column pass, a ring of GROUP rows (row i at slot i mod GROUP). */
  private readonly staged: Float64Array;
  private readonly blurred: Float64Array;
  private readonly row64: Float64Array;
  private readonly invX: Float64Array;
  private readonly down1: ColumnBox;
  private readonly down2: ColumnBox;
  private readonly slots1: number;
  private readonly ring1Offsets = new Int32Array(GROUP);
  private readonly stagedOffsets = new Int32Array(GROUP);
  private readonly ring2Offsets = new Int32Array(GROUP);
  private readonly rowOffsets: Int32Array;
  private stagedCount = 0;
  private flushedCount = 0;
  private nextSample = 0;

  constructor(
    private readonly plan: JaroszPlan,
    private readonly luma: LumaSource,
    private readonly out: Float32Array,
  ) {
    const { cols, wx, wy } = plan;
    this.slots1 = wy + GROUP;
    const [lumaRows, ring1, sums1, staged, blurred, ring2, sums2, row64] = carve([
      GROUP * cols, this.slots1 * cols, cols, GROUP * cols, cols, (wy + GROUP) * 64, 64, 64,
    ]) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    this.lumaRows = lumaRows;
    this.staged = staged;
    this.blurred = blurred;
    this.row64 = row64;
    this.invX = reciprocals(wx);
    this.down1 = new ColumnBox(ring1, sums1, cols, wy, this.slots1, reciprocals(wy));
    this.down2 = new ColumnBox(ring2, sums2, 64, wy, wy + GROUP, reciprocals(wy));
    this.rowOffsets = Int32Array.from({ length: GROUP }, (_, i) => i * cols);
  }

  run(): void {
    const { rows, cols, wx } = this.plan;
    const { down1, lumaRows, ring1Offsets } = this;
    for (let r0 = 0; r0 < rows; r0 += GROUP) {
      const k = Math.min(GROUP, rows - r0);
      for (let i = 0; i < k; i++) {
        fillLumaRow(this.luma, r0 + i, lumaRows, i * cols);
        ring1Offsets[i] = ((r0 + i) % this.slots1) * cols;
      }
      boxRowsGrouped(lumaRows, this.rowOffsets, down1.ring, ring1Offsets, k, cols, wx, this.invX);
      for (let i = 0; i < k; i++) {
        if (down1.push(this.staged, this.stagedOffset(this.stagedCount))) this.stagedCount++;
        this.flushStaged(false);
      }
    }
    while (down1.remaining > 0) {
      down1.drain(this.staged, this.stagedOffset(this.stagedCount++));
      this.flushStaged(false);
    }
    this.flushStaged(true);
    while (this.down2.remaining > 0) {
      this.down2.drain(this.row64, 0);
      this.keepSampledRow();
    }
  }

  private stagedOffset(row: number): number {
    return (row % GROUP) * this.plan.cols;
  }

  /**
   * Second row pass over staged rows, GROUP at a time (or whatever is left at the end). Only its
   * 64 sampled columns are ever read, so they go straight into the second column pass's ring.
   */
  private flushStaged(all: boolean): void {
    const { cols, wx, sampleCols } = this.plan;
    const { blurred, down2, stagedOffsets, ring2Offsets } = this;
    while (this.stagedCount - this.flushedCount >= GROUP || (all && this.stagedCount > this.flushedCount)) {
      const count = Math.min(GROUP, this.stagedCount - this.flushedCount);
      for (let i = 0; i < count; i++) {
        stagedOffsets[i] = this.stagedOffset(this.flushedCount + i);
        ring2Offsets[i] = down2.slotOffset(i);
      }
      if (count === GROUP) {
        boxRows8Sampled(this.staged, stagedOffsets, down2.ring, ring2Offsets, cols, wx, this.invX, sampleCols);
      } else {
        for (let i = 0; i < count; i++) {
          boxRow(this.staged, stagedOffsets[i]!, blurred, 0, cols, wx, this.invX);
          for (let j = 0; j < 64; j++) down2.ring[ring2Offsets[i]! + j] = blurred[sampleCols[j]!]!;
        }
      }
      this.flushedCount += count;
      for (let i = 0; i < count; i++) if (down2.push(this.row64, 0)) this.keepSampledRow();
    }
  }

  /** The second column pass wrote output row `emitted − 1`; keep it if decimation samples it (maybe more than once). */
  private keepSampledRow(): void {
    const r = this.down2.emitted - 1;
    const { sampleRows } = this.plan;
    while (this.nextSample < 64 && sampleRows[this.nextSample] === r) this.out.set(this.row64, 64 * this.nextSample++);
  }
}

/** Runs the 1-D row filter over `count` (≤ GROUP) rows, interleaved when a whole group is there. */
function boxRowsGrouped(
  src: Float64Array, srcOffsets: Int32Array, dst: Float64Array, dstOffsets: Int32Array,
  count: number, n: number, window: number, inv: Float64Array,
): void {
  if (count === GROUP) {
    boxRows8(src, srcOffsets, dst, dstOffsets, n, window, inv);
    return;
  }
  for (let i = 0; i < count; i++) boxRow(src, srcOffsets[i]!, dst, dstOffsets[i]!, n, window, inv);
}

/**
 * The reference's box1DFloat on one contiguous row: a float32 running sum with shortened (not
 * padded) edge windows. Phases: add h−1 inputs; add and write w−h+1 times; add, subtract
 * (in that order) and write n−w times; subtract and write h−1 times.
 */
function boxRow(src: Float64Array, s: number, dst: Float64Array, d: number, n: number, w: number, inv: Float64Array): void {
  const h = (w + 2) >> 1;
  const invW = inv[w]!;
  let sum = 0;
  let count = 0;
  let ri = s;
  let li = s;
  let oi = d;
  for (let i = 0; i < h - 1; i++) {
    sum = f(sum + src[ri++]!);
    count++;
  }
  for (let i = 0; i < w - h + 1; i++) {
    sum = f(sum + src[ri++]!);
    dst[oi++] = f(sum * inv[++count]!);
  }
  for (let i = 0; i < n - w; i++) {
    sum = f(f(sum + src[ri++]!) - src[li++]!);
    dst[oi++] = f(sum * invW);
  }
  for (let i = 0; i < h - 1; i++) {
    sum = f(sum - src[li++]!);
    dst[oi++] = f(sum * inv[--count]!);
  }
}

/**
 * boxRow on eight rows at once. A float32 running sum is a serial chain of add, round,
 * subtract, round (about 25 cycles per element); eight independent chains let the CPU overlap
 * them. The arithmetic of each row is exactly boxRow's. Long, but it is the hot loop.
 */
function boxRows8(src: Float64Array, so: Int32Array, dst: Float64Array, dO: Int32Array, n: number, w: number, inv: Float64Array): void {
  const s0 = so[0]!, s1 = so[1]!, s2 = so[2]!, s3 = so[3]!, s4 = so[4]!, s5 = so[5]!, s6 = so[6]!, s7 = so[7]!;
  const d0 = dO[0]!, d1 = dO[1]!, d2 = dO[2]!, d3 = dO[3]!, d4 = dO[4]!, d5 = dO[5]!, d6 = dO[6]!, d7 = dO[7]!;
  const h = (w + 2) >> 1;
  const invW = inv[w]!;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let count = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  for (let i = 0; i < h - 1; i++, ri++, count++) {
    a0 = f(a0 + src[s0 + ri]!); a1 = f(a1 + src[s1 + ri]!); a2 = f(a2 + src[s2 + ri]!); a3 = f(a3 + src[s3 + ri]!);
    a4 = f(a4 + src[s4 + ri]!); a5 = f(a5 + src[s5 + ri]!); a6 = f(a6 + src[s6 + ri]!); a7 = f(a7 + src[s7 + ri]!);
  }
  for (let i = 0; i < w - h + 1; i++, ri++, oi++) {
    a0 = f(a0 + src[s0 + ri]!); a1 = f(a1 + src[s1 + ri]!); a2 = f(a2 + src[s2 + ri]!); a3 = f(a3 + src[s3 + ri]!);
    a4 = f(a4 + src[s4 + ri]!); a5 = f(a5 + src[s5 + ri]!); a6 = f(a6 + src[s6 + ri]!); a7 = f(a7 + src[s7 + ri]!);
    const q = inv[++count]!;
    dst[d0 + oi] = f(a0 * q); dst[d1 + oi] = f(a1 * q); dst[d2 + oi] = f(a2 * q); dst[d3 + oi] = f(a3 * q);
    dst[d4 + oi] = f(a4 * q); dst[d5 + oi] = f(a5 * q); dst[d6 + oi] = f(a6 * q); dst[d7 + oi] = f(a7 * q);
  }
  for (let i = 0; i < n - w; i++, ri++, li++, oi++) {
    a0 = f(f(a0 + src[s0 + ri]!) - src[s0 + li]!); a1 = f(f(a1 + src[s1 + ri]!) - src[s1 + li]!);
    a2 = f(f(a2 + src[s2 + ri]!) - src[s2 + li]!); a3 = f(f(a3 + src[s3 + ri]!) - src[s3 + li]!);
    a4 = f(f(a4 + src[s4 + ri]!) - src[s4 + li]!); a5 = f(f(a5 + src[s5 + ri]!) - src[s5 + li]!);
    a6 = f(f(a6 + src[s6 + ri]!) - src[s6 + li]!); a7 = f(f(a7 + src[s7 + ri]!) - src[s7 + li]!);
    dst[d0 + oi] = f(a0 * invW); dst[d1 + oi] = f(a1 * invW); dst[d2 + oi] = f(a2 * invW); dst[d3 + oi] = f(a3 * invW);
    dst[d4 + oi] = f(a4 * invW); dst[d5 + oi] = f(a5 * invW); dst[d6 + oi] = f(a6 * invW); dst[d7 + oi] = f(a7 * invW);
  }
  for (let i = 0; i < h - 1; i++, li++, oi++) {
    a0 = f(a0 - src[s0 + li]!); a1 = f(a1 - src[s1 + li]!); a2 = f(a2 - src[s2 + li]!); a3 = f(a3 - src[s3 + li]!);
    a4 = f(a4 - src[s4 + li]!); a5 = f(a5 - src[s5 + li]!); a6 = f(a6 - src[s6 + li]!); a7 = f(a7 - src[s7 + li]!);
    const q = inv[--count]!;
    dst[d0 + oi] = f(a0 * q); dst[d1 + oi] = f(a1 * q); dst[d2 + oi] = f(a2 * q); dst[d3 + oi] = f(a3 * q);
    dst[d4 + oi] = f(a4 * q); dst[d5 + oi] = f(a5 * q); dst[d6 + oi] = f(a6 * q); dst[d7 + oi] = f(a7 * q);
  }
}

/**
 * boxRows8 for the last row pass, whose outputs decimation reads only at the sampled columns:
 * the running sums go through every position as before, but only positions in `sampleCols`
 * (ascending, possibly repeated) are written, to column k (0..63) of each 64-wide output row.
 */
function boxRows8Sampled(
  src: Float64Array, so: Int32Array, dst: Float64Array, dO: Int32Array, n: number, w: number, inv: Float64Array, sampleCols: Int32Array,
): void {
  const s0 = so[0]!, s1 = so[1]!, s2 = so[2]!, s3 = so[3]!, s4 = so[4]!, s5 = so[5]!, s6 = so[6]!, s7 = so[7]!;
  const d0 = dO[0]!, d1 = dO[1]!, d2 = dO[2]!, d3 = dO[3]!, d4 = dO[4]!, d5 = dO[5]!, d6 = dO[6]!, d7 = dO[7]!;
  const h = (w + 2) >> 1;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let count = 0;
  let ri = 0;
  let li = 0;
  let k = 0;
  let next = sampleCols[0]!;
  // At each output position: `while (next === oi)` writes the (possibly repeated) samples there.
  // Written out three times rather than as a closure, which would keep a0..a7 out of registers.
  for (let i = 0; i < h - 1; i++, ri++, count++) {
    a0 = f(a0 + src[s0 + ri]!); a1 = f(a1 + src[s1 + ri]!); a2 = f(a2 + src[s2 + ri]!); a3 = f(a3 + src[s3 + ri]!);
    a4 = f(a4 + src[s4 + ri]!); a5 = f(a5 + src[s5 + ri]!); a6 = f(a6 + src[s6 + ri]!); a7 = f(a7 + src[s7 + ri]!);
  }
  let oi = 0;
  for (let i = 0; i < w - h + 1; i++, ri++, oi++) {
    a0 = f(a0 + src[s0 + ri]!); a1 = f(a1 + src[s1 + ri]!); a2 = f(a2 + src[s2 + ri]!); a3 = f(a3 + src[s3 + ri]!);
    a4 = f(a4 + src[s4 + ri]!); a5 = f(a5 + src[s5 + ri]!); a6 = f(a6 + src[s6 + ri]!); a7 = f(a7 + src[s7 + ri]!);
    const q = inv[++count]!;
    while (next === oi) {
      dst[d0 + k] = f(a0 * q); dst[d1 + k] = f(a1 * q); dst[d2 + k] = f(a2 * q); dst[d3 + k] = f(a3 * q);
      dst[d4 + k] = f(a4 * q); dst[d5 + k] = f(a5 * q); dst[d6 + k] = f(a6 * q); dst[d7 + k] = f(a7 * q);
      next = ++k < 64 ? sampleCols[k]! : -1;
    }
  }
  const invW = inv[w]!;
  for (let i = 0; i < n - w; i++, ri++, li++, oi++) {
    a0 = f(f(a0 + src[s0 + ri]!) - src[s0 + li]!); a1 = f(f(a1 + src[s1 + ri]!) - src[s1 + li]!);
    a2 = f(f(a2 + src[s2 + ri]!) - src[s2 + li]!); a3 = f(f(a3 + src[s3 + ri]!) - src[s3 + li]!);
    a4 = f(f(a4 + src[s4 + ri]!) - src[s4 + li]!); a5 = f(f(a5 + src[s5 + ri]!) - src[s5 + li]!);
    a6 = f(f(a6 + src[s6 + ri]!) - src[s6 + li]!); a7 = f(f(a7 + src[s7 + ri]!) - src[s7 + li]!);
    while (next === oi) {
      dst[d0 + k] = f(a0 * invW); dst[d1 + k] = f(a1 * invW); dst[d2 + k] = f(a2 * invW); dst[d3 + k] = f(a3 * invW);
      dst[d4 + k] = f(a4 * invW); dst[d5 + k] = f(a5 * invW); dst[d6 + k] = f(a6 * invW); dst[d7 + k] = f(a7 * invW);
      next = ++k < 64 ? sampleCols[k]! : -1;
    }
  }
  for (let i = 0; i < h - 1; i++, li++, oi++) {
    a0 = f(a0 - src[s0 + li]!); a1 = f(a1 - src[s1 + li]!); a2 = f(a2 - src[s2 + li]!); a3 = f(a3 - src[s3 + li]!);
    a4 = f(a4 - src[s4 + li]!); a5 = f(a5 - src[s5 + li]!); a6 = f(a6 - src[s6 + li]!); a7 = f(a7 - src[s7 + li]!);
    const q = inv[--count]!;
    while (next === oi) {
      dst[d0 + k] = f(a0 * q); dst[d1 + k] = f(a1 * q); dst[d2 + k] = f(a2 * q); dst[d3 + k] = f(a3 * q);
      dst[d4 + k] = f(a4 * q); dst[d5 + k] = f(a5 * q); dst[d6 + k] = f(a6 * q); dst[d7 + k] = f(a7 * q);
      next = ++k < 64 ? sampleCols[k]! : -1;
    }
  }
}

/**
 * box1DFloat down every column at once, fed one row at a time (contiguous memory, and the
 * columns' sums are independent, so no serial chain). Input rows live in a ring of `slots` rows,
 * enough to subtract the row that leaves the window.
 */
class ColumnBox {
  private pushed = 0;
  private drained = 0;
  private count = 0;
  /** Output rows written so far. */
  emitted = 0;
  private readonly half: number;

  constructor(
    readonly ring: Float64Array,
    private readonly sums: Float64Array,
    private readonly width: number,
    private readonly window: number,
    private readonly slots: number,
    private readonly inv: Float64Array,
  ) {
    this.half = (window + 2) >> 1;
    sums.fill(0);
  }

  /** Where the caller must write the input row `ahead` rows after the next one, before pushing it. */
  slotOffset(ahead = 0): number {
    return ((this.pushed + ahead) % this.slots) * this.width;
  }

  /** Rows still to be written by drain() once every input row has been pushed. */
  get remaining(): number {
    return this.half - 1 - this.drained;
  }

  /** Consumes the next input row; writes an output row to out at o and returns true when one is due. */
  push(out: Float64Array, o: number): boolean {
    const { ring, sums, width } = this;
    const ri = this.pushed++;
    const add = (ri % this.slots) * width;
    if (ri >= this.window) {
      const sub = ((ri - this.window) % this.slots) * width;
      addSubtractRow(ring, add, sub, sums, out, o, width, this.inv[this.window]!);
      this.emitted++;
      return true;
    }
    this.count++;
    if (ri < this.half - 1) {
      for (let j = 0; j < width; j++) sums[j] = f(sums[j]! + ring[add + j]!);
      return false;
    }
    const q = this.inv[this.count]!;
    for (let j = 0; j < width; j++) {
      const s = f(sums[j]! + ring[add + j]!);
      sums[j] = s;
      out[o + j] = f(s * q);
    }
    this.emitted++;
    return true;
  }

  /** Writes the next of the final h−1 output rows (subtract only, shrinking window). */
  drain(out: Float64Array, o: number): void {
    const { ring, sums, width } = this;
    const sub = ((this.pushed - this.window + this.drained++) % this.slots) * width;
    const q = this.inv[--this.count]!;
    for (let j = 0; j < width; j++) {
      const s = f(sums[j]! - ring[sub + j]!);
      sums[j] = s;
      out[o + j] = f(s * q);
    }
    this.emitted++;
  }
}

/**
 * The steady state of the column filter, for every column j: sum = fl(fl(sum + in[j]) − old[j]),
 * out[j] = fl(sum / window). Unrolled by four: V8 then shares bounds and detached-buffer checks
 * between neighbouring columns (measured about 20% faster).
 */
function addSubtractRow(ring: Float64Array, add: number, sub: number, sums: Float64Array, out: Float64Array, o: number, width: number, q: number): void {
  let j = 0;
  for (; j + 3 < width; j += 4) {
    const s0 = f(f(sums[j]! + ring[add + j]!) - ring[sub + j]!);
    const s1 = f(f(sums[j + 1]! + ring[add + j + 1]!) - ring[sub + j + 1]!);
    const s2 = f(f(sums[j + 2]! + ring[add + j + 2]!) - ring[sub + j + 2]!);
    const s3 = f(f(sums[j + 3]! + ring[add + j + 3]!) - ring[sub + j + 3]!);
    sums[j] = s0; sums[j + 1] = s1; sums[j + 2] = s2; sums[j + 3] = s3;
    out[o + j] = f(s0 * q); out[o + j + 1] = f(s1 * q); out[o + j + 2] = f(s2 * q); out[o + j + 3] = f(s3 * q);
  }
  for (; j < width; j++) {
    const s0 = f(f(sums[j]! + ring[add + j]!) - ring[sub + j]!);
    sums[j] = s0;
    out[o + j] = f(s0 * q);
  }
}
