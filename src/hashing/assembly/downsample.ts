// PDQ's Jarosz downsampling as WebAssembly (AssemblyScript): float32 luma, a box filter along
// rows, down columns, along rows again and down columns again, then decimation to 64×64,
// bit-exact with pdq/cpp/downscaling/downscaling.cpp.
//
// Why WebAssembly: the filter is running sums in float32. JavaScript has only doubles, so each
// add must be rounded with Math.fround, and that rounding is most of the cost; here f32
// arithmetic is native and four columns go through each SIMD instruction.
//
// Rows stream through: the caller writes a few rows of pixels at a time into a staging area and
// nothing of image size is held, only rings of (window + GROUP) filtered rows.

/** Rows filtered together by the row passes (four independent running sums overlap in the CPU). */
const GROUP: i32 = 4;
/** Rows of pixels the caller stages per push(). */
export const CHUNK_ROWS: i32 = 16;

// Per-image geometry and state, set by begin().
let rows: i32 = 0;
let cols: i32 = 0;
let channels: i32 = 0;
let grey: bool = false;
let wx: i32 = 0;
let pixelsAt: usize = 0;
let lumaAt: usize = 0;
let stagedAt: usize = 0;
let row64At: usize = 0;
let outAt: usize = 0;
let sampleColsAt: usize = 0;
let sampleRowsAt: usize = 0;
let redMask: v128 = i32x4.splat(0);
let greenMask: v128 = i32x4.splat(0);
let blueMask: v128 = i32x4.splat(0);
let down1: ColumnBox = changetype<ColumnBox>(0);
let down2: ColumnBox = changetype<ColumnBox>(0);
let stagedCount: i32 = 0;
let flushedCount: i32 = 0;
let nextSampleRow: i32 = 0;

let top: usize = 0;

/** A bump allocator over the module's memory, reset by begin(): there is one image at a time. */
function alloc(bytes: usize): usize {
  const at = top;
  top = (top + bytes + 15) & ~(<usize>15);
  return at;
}

/**
 * Starts an image; returns where the caller writes up to CHUNK_ROWS rows of pixels before each
 * push(), or 0 when memory cannot grow that far.
 */
export function begin(height: i32, width: i32, samplesPerPixel: i32, isGrey: bool): usize {
  rows = height;
  cols = width;
  channels = samplesPerPixel;
  grey = isGrey;
  wx = (cols + 127) / 128;
  const wy = (rows + 127) / 128;
  top = (__heap_base + 15) & ~(<usize>15);
  const rowBytes = <usize>cols << 2;
  // The luma loads 16 bytes for every four pixels: up to 15 past the last staged sample.
  pixelsAt = alloc(<usize>CHUNK_ROWS * <usize>cols * <usize>channels + 16);
  lumaAt = alloc(<usize>GROUP * rowBytes);
  stagedAt = alloc(<usize>GROUP * rowBytes);
  row64At = alloc(256);
  outAt = alloc(64 * 256);
  sampleColsAt = alloc(256);
  sampleRowsAt = alloc(256);
  const masksAt = alloc(48);
  const box1 = alloc(offsetof<ColumnBox>()), ring1 = alloc(<usize>(wy + GROUP) * rowBytes), sums1 = alloc(rowBytes);
  const box2 = alloc(offsetof<ColumnBox>()), ring2 = alloc(<usize>(wy + GROUP) * 256), sums2 = alloc(256);
  const have = <usize>memory.size() << 16;
  if (top > have && memory.grow(<i32>((top - have + 0xffff) >> 16)) < 0) return 0;
  down1 = ColumnBox.at(box1, ring1, sums1, cols, wy, wy + GROUP);
  down2 = ColumnBox.at(box2, ring2, sums2, 64, wy, wy + GROUP);
  for (let i = 0; i < 64; i++) {
    store<i32>(sampleColsAt + (<usize>i << 2), <i32>Math.floor(((<f64>i + 0.5) * <f64>cols) / 64));
    store<i32>(sampleRowsAt + (<usize>i << 2), <i32>Math.floor(((<f64>i + 0.5) * <f64>rows) / 64));
  }
  redMask = channelMask(masksAt, 0);
  greenMask = channelMask(masksAt + 16, 1);
  blueMask = channelMask(masksAt + 32, 2);
  stagedCount = 0;
  flushedCount = 0;
  nextSampleRow = 0;
  return pixelsAt;
}

/** Filters the `count` rows of pixels staged at begin()'s address. */
export function push(count: i32): void {
  for (let r = 0; r < count; r += GROUP) {
    const k = min(GROUP, count - r);
    const ring = down1.ring;
    for (let i = 0; i < k; i++) {
      const pixels = pixelsAt + <usize>(r + i) * <usize>cols * <usize>channels;
      const luma = lumaAt + (<usize>(i * cols) << 2);
      if (grey) greyLumaRow(pixels, luma);
      else rgbLumaRow(pixels, luma);
    }
    const slot0 = down1.slotOffset(0);
    if (k == GROUP) {
      boxRows4(lumaAt, ring, slot0, down1.slotOffset(1), down1.slotOffset(2), down1.slotOffset(3), false);
    } else {
      for (let i = 0; i < k; i++) boxRow(lumaAt + (<usize>(i * cols) << 2), ring + down1.slotOffset(i), false);
    }
    for (let i = 0; i < k; i++) {
      if (down1.push(stagedRow(stagedCount))) stagedCount++;
      flushStaged(false);
    }
  }
}

/** After every row was pushed: the 64×64 float32 result's address. */
export function finish(): usize {
  while (down1.remaining() > 0) {
    down1.drain(stagedRow(stagedCount++));
    flushStaged(false);
  }
  flushStaged(true);
  while (down2.remaining() > 0) {
    down2.drain(row64At);
    keepSampledRow();
  }
  return outAt;
}

function stagedRow(row: i32): usize {
  return stagedAt + (<usize>((row % GROUP) * cols) << 2);
}

// The second row pass, on GROUP staged rows at a time (or what is left at the end). Only its 64
// sampled columns are ever read, so they go straight into the second column pass's ring.
function flushStaged(all: bool): void {
  while (stagedCount - flushedCount >= GROUP || (all && stagedCount > flushedCount)) {
    const count = min(GROUP, stagedCount - flushedCount);
    const ring = down2.ring;
    if (count == GROUP) {
      boxRows4(stagedRow(flushedCount), ring, down2.slotOffset(0), down2.slotOffset(1), down2.slotOffset(2), down2.slotOffset(3), true);
    } else {
      for (let i = 0; i < count; i++) boxRow(stagedRow(flushedCount + i), ring + down2.slotOffset(i), true);
    }
    flushedCount += count;
    for (let i = 0; i < count; i++) if (down2.push(row64At)) keepSampledRow();
  }
}

// The second column pass wrote output row `emitted − 1`: keep it if decimation samples it (maybe
// more than once).
function keepSampledRow(): void {
  const r = down2.emitted - 1;
  while (nextSampleRow < 64 && load<i32>(sampleRowsAt + (<usize>nextSampleRow << 2)) == r) {
    memory.copy(outAt + (<usize>nextSampleRow << 8), row64At, 256);
    nextSampleRow++;
  }
}

// A byte shuffle that spreads one channel of four pixels into the low bytes of four 32-bit lanes
// (indices past 15 give zero), which then convert to float exactly.
function channelMask(at: usize, channel: i32): v128 {
  for (let lane = 0; lane < 16; lane++) {
    store<u8>(at + <usize>lane, (lane & 3) == 0 ? <u8>((lane >> 2) * channels + channel) : 0xff);
  }
  return v128.load(at);
}

function greyLumaRow(p: usize, o: usize): void {
  const step = <usize>(channels << 2);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    v128.store(o, f32x4.convert_i32x4_u(i8x16.swizzle(v128.load(p), redMask)));
    p += step;
    o += 16;
  }
  for (; j < cols; j++) {
    store<f32>(o, <f32>load<u8>(p));
    p += channels;
    o += 4;
  }
}

// Y = (0.299·R + 0.587·G) + 0.114·B in float32, as the reference computes it.
function rgbLumaRow(p: usize, o: usize): void {
  const step = <usize>(channels << 2);
  const kr = f32x4.splat(0.299), kg = f32x4.splat(0.587), kb = f32x4.splat(0.114);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const v = v128.load(p);
    const r = f32x4.convert_i32x4_u(i8x16.swizzle(v, redMask));
    const g = f32x4.convert_i32x4_u(i8x16.swizzle(v, greenMask));
    const b = f32x4.convert_i32x4_u(i8x16.swizzle(v, blueMask));
    v128.store(o, f32x4.add(f32x4.add(f32x4.mul(kr, r), f32x4.mul(kg, g)), f32x4.mul(kb, b)));
    p += step;
    o += 16;
  }
  for (; j < cols; j++) {
    store<f32>(o, (<f32>0.299 * <f32>load<u8>(p) + <f32>0.587 * <f32>load<u8>(p + 1)) + <f32>0.114 * <f32>load<u8>(p + 2));
    p += channels;
    o += 4;
  }
}

// The reference's box1DFloat along one row of `cols` (contiguous): a float32 running sum with
// shortened edge windows. Phases: add h−1 inputs; add and write w−h+1 times; add, subtract (in
// that order) and write cols−w times; subtract and write h−1 times. With `sampled`, only the 64
// sampled columns are written, to a 64-wide row.
function boxRow(src: usize, dst: usize, sampled: bool): void {
  const w = wx;
  const h = (w + 2) >> 1;
  let ri = src;
  let li = src;
  let sum: f32 = 0;
  let count: i32 = 0;
  let oi: i32 = 0;
  let k: i32 = 0;
  let next: i32 = sampled ? load<i32>(sampleColsAt) : 0;
  for (let i = 0; i < h - 1; i++) { sum += load<f32>(ri); ri += 4; count++; }
  for (let i = 0; i < w - h + 1; i++) {
    sum += load<f32>(ri); ri += 4; count++;
    if (!sampled) store<f32>(dst + (<usize>oi << 2), sum / <f32>count);
    else while (next == oi) { store<f32>(dst + (<usize>k << 2), sum / <f32>count); k++; next = nextSampleCol(k); }
    oi++;
  }
  const fw = <f32>w;
  for (let i = 0; i < cols - w; i++) {
    sum = (sum + load<f32>(ri)) - load<f32>(li); ri += 4; li += 4;
    if (!sampled) store<f32>(dst + (<usize>oi << 2), sum / fw);
    else while (next == oi) { store<f32>(dst + (<usize>k << 2), sum / fw); k++; next = nextSampleCol(k); }
    oi++;
  }
  for (let i = 0; i < h - 1; i++) {
    sum -= load<f32>(li); li += 4; count--;
    if (!sampled) store<f32>(dst + (<usize>oi << 2), sum / <f32>count);
    else while (next == oi) { store<f32>(dst + (<usize>k << 2), sum / <f32>count); k++; next = nextSampleCol(k); }
    oi++;
  }
}

// @ts-ignore: decorator
@inline
function nextSampleCol(k: i32): i32 {
  return k < 64 ? load<i32>(sampleColsAt + (<usize>k << 2)) : -1;
}

// boxRow on GROUP = 4 contiguous rows at once, written to four rows of `ring`: four independent
// chains of float adds, which the CPU overlaps.
function boxRows4(src: usize, ring: usize, o0: usize, o1: usize, o2: usize, o3: usize, sampled: bool): void {
  const w = wx;
  const h = (w + 2) >> 1;
  const stride = <usize>cols << 2;
  const d0 = ring + o0, d1 = ring + o1, d2 = ring + o2, d3 = ring + o3;
  let ri = src;
  let li = src;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let count: i32 = 0;
  let oi: i32 = 0;
  let k: i32 = 0;
  let next: i32 = sampled ? load<i32>(sampleColsAt) : 0;
  for (let i = 0; i < h - 1; i++) {
    s0 += load<f32>(ri); s1 += load<f32>(ri + stride); s2 += load<f32>(ri + 2 * stride); s3 += load<f32>(ri + 3 * stride);
    ri += 4; count++;
  }
  for (let i = 0; i < w - h + 1; i++) {
    s0 += load<f32>(ri); s1 += load<f32>(ri + stride); s2 += load<f32>(ri + 2 * stride); s3 += load<f32>(ri + 3 * stride);
    ri += 4; count++;
    const c = <f32>count;
    if (!sampled) write4(d0, d1, d2, d3, oi, s0, s1, s2, s3, c);
    else while (next == oi) { write4(d0, d1, d2, d3, k, s0, s1, s2, s3, c); k++; next = nextSampleCol(k); }
    oi++;
  }
  const fw = <f32>w;
  for (let i = 0; i < cols - w; i++) {
    s0 = (s0 + load<f32>(ri)) - load<f32>(li);
    s1 = (s1 + load<f32>(ri + stride)) - load<f32>(li + stride);
    s2 = (s2 + load<f32>(ri + 2 * stride)) - load<f32>(li + 2 * stride);
    s3 = (s3 + load<f32>(ri + 3 * stride)) - load<f32>(li + 3 * stride);
    ri += 4; li += 4;
    if (!sampled) write4(d0, d1, d2, d3, oi, s0, s1, s2, s3, fw);
    else while (next == oi) { write4(d0, d1, d2, d3, k, s0, s1, s2, s3, fw); k++; next = nextSampleCol(k); }
    oi++;
  }
  for (let i = 0; i < h - 1; i++) {
    s0 -= load<f32>(li); s1 -= load<f32>(li + stride); s2 -= load<f32>(li + 2 * stride); s3 -= load<f32>(li + 3 * stride);
    li += 4; count--;
    const c = <f32>count;
    if (!sampled) write4(d0, d1, d2, d3, oi, s0, s1, s2, s3, c);
    else while (next == oi) { write4(d0, d1, d2, d3, k, s0, s1, s2, s3, c); k++; next = nextSampleCol(k); }
    oi++;
  }
}

// @ts-ignore: decorator
@inline
function write4(d0: usize, d1: usize, d2: usize, d3: usize, at: i32, s0: f32, s1: f32, s2: f32, s3: f32, c: f32): void {
  const o = <usize>at << 2;
  store<f32>(d0 + o, s0 / c); store<f32>(d1 + o, s1 / c); store<f32>(d2 + o, s2 / c); store<f32>(d3 + o, s3 / c);
}

// box1DFloat down every column at once, fed one row at a time: the columns' sums are independent,
// so four go through each SIMD instruction. Input rows live in a ring of `slots` rows, enough to
// subtract the row that leaves the window.
@unmanaged
class ColumnBox {
  ring: usize;
  sums: usize;
  width: i32;
  window: i32;
  slots: i32;
  half: i32;
  pushed: i32;
  drained: i32;
  count: i32;
  emitted: i32;

  static at(self: usize, ring: usize, sums: usize, width: i32, window: i32, slots: i32): ColumnBox {
    const box = changetype<ColumnBox>(self);
    box.ring = ring;
    box.sums = sums;
    box.width = width;
    box.window = window;
    box.slots = slots;
    box.half = (window + 2) >> 1;
    box.pushed = 0;
    box.drained = 0;
    box.count = 0;
    box.emitted = 0;
    memory.fill(sums, 0, <usize>width << 2);
    return box;
  }

  /** Offset in the ring where the caller writes the input row `ahead` rows after the next one. */
  slotOffset(ahead: i32): usize {
    return <usize>(((this.pushed + ahead) % this.slots) * this.width) << 2;
  }

  remaining(): i32 {
    return this.half - 1 - this.drained;
  }

  /** Consumes the next input row; writes an output row to `out` and returns true when one is due. */
  push(out: usize): bool {
    const ri = this.pushed++;
    const add = this.ring + (<usize>((ri % this.slots) * this.width) << 2);
    if (ri >= this.window) {
      const sub = this.ring + (<usize>(((ri - this.window) % this.slots) * this.width) << 2);
      addSubtractRow(this.sums, add, sub, out, this.width, <f32>this.window);
      this.emitted++;
      return true;
    }
    this.count++;
    if (ri < this.half - 1) {
      addRow(this.sums, add, this.width);
      return false;
    }
    addRowOut(this.sums, add, out, this.width, <f32>this.count);
    this.emitted++;
    return true;
  }

  /** Writes the next of the final h−1 output rows (subtract only, shrinking window). */
  drain(out: usize): void {
    const sub = this.ring + (<usize>(((this.pushed - this.window + this.drained++) % this.slots) * this.width) << 2);
    this.count--;
    subtractRowOut(this.sums, sub, out, this.width, <f32>this.count);
    this.emitted++;
  }
}

function addRow(sums: usize, add: usize, width: i32): void {
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const o = <usize>j << 2;
    v128.store(sums + o, f32x4.add(v128.load(sums + o), v128.load(add + o)));
  }
  for (; j < width; j++) {
    const o = <usize>j << 2;
    store<f32>(sums + o, load<f32>(sums + o) + load<f32>(add + o));
  }
}

function addRowOut(sums: usize, add: usize, out: usize, width: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const o = <usize>j << 2;
    const s = f32x4.add(v128.load(sums + o), v128.load(add + o));
    v128.store(sums + o, s);
    v128.store(out + o, f32x4.div(s, cv));
  }
  for (; j < width; j++) {
    const o = <usize>j << 2;
    const s = load<f32>(sums + o) + load<f32>(add + o);
    store<f32>(sums + o, s);
    store<f32>(out + o, s / c);
  }
}

function addSubtractRow(sums: usize, add: usize, sub: usize, out: usize, width: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const o = <usize>j << 2;
    const s = f32x4.sub(f32x4.add(v128.load(sums + o), v128.load(add + o)), v128.load(sub + o));
    v128.store(sums + o, s);
    v128.store(out + o, f32x4.div(s, cv));
  }
  for (; j < width; j++) {
    const o = <usize>j << 2;
    const s = (load<f32>(sums + o) + load<f32>(add + o)) - load<f32>(sub + o);
    store<f32>(sums + o, s);
    store<f32>(out + o, s / c);
  }
}

function subtractRowOut(sums: usize, sub: usize, out: usize, width: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const o = <usize>j << 2;
    const s = f32x4.sub(v128.load(sums + o), v128.load(sub + o));
    v128.store(sums + o, s);
    v128.store(out + o, f32x4.div(s, cv));
  }
  for (; j < width; j++) {
    const o = <usize>j << 2;
    const s = load<f32>(sums + o) - load<f32>(sub + o);
    store<f32>(sums + o, s);
    store<f32>(out + o, s / c);
  }
}
