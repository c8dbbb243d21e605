/**
 * PDQ's downsampling (float32 luma, the Jarosz box filters, decimation to 64×64) runs in
 * WebAssembly, compiled from assembly/downsample.ts (see there for why). This side stages the
 * pixels into the module's memory a few rows at a time and copies the 64×64 result out. Not part
 * of the module's public surface.
 *
 * One instance per isolate: hashing is synchronous, so calls never interleave. Its memory grows
 * with the widest image hashed so far (a few rows of it, not the whole image) and stays.
 */
import { HashingError } from './errors.js';
import { DOWNSAMPLE_WASM_BASE64 } from './generated/downsample-wasm.js';

interface DownsampleExports {
  readonly memory: WebAssembly.Memory;
  readonly CHUNK_ROWS: WebAssembly.Global;
  begin(rows: number, cols: number, channels: number, grey: number): number;
  push(rows: number): void;
  finish(): number;
}

let filter: DownsampleExports | undefined;

/** atob rather than Buffer: the analyst console runs this module in a browser's worker too. */
function wasmBytes(): Uint8Array<ArrayBuffer> {
  const binary = atob(DOWNSAMPLE_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function instance(): DownsampleExports {
  filter ??= new WebAssembly.Instance(new WebAssembly.Module(wasmBytes()), {
    env: {
      abort: () => {
        throw new Error('the PDQ downsampling module aborted');
      },
    },
  }).exports as unknown as DownsampleExports;
  return filter;
}

export interface DownsampleInput {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly rows: number;
  readonly cols: number;
  /** Samples per pixel, interleaved; only the first (grey) or first three (RGB) are read. */
  readonly channels: number;
  /** Use the first sample as the luma (see luma.ts for when). */
  readonly grey: boolean;
}

/**
 * The widest image hashed. The filter keeps rings of whole rows in 32-bit WebAssembly memory, so
 * its size must be bounded by the width; a million pixels is far beyond any photograph.
 */
export const MAX_WIDTH = 1 << 20;

/** Equivalent to the reference's jaroszFilterFloat(…, 2 passes) then decimateFloat, into `out` (64×64). */
export function downsample64({ data, rows, cols, channels, grey }: DownsampleInput, out: Float32Array): void {
  const tooWide = (): HashingError =>
    new HashingError('INVALID_PIXELS', `invalid pixels: an image ${cols} pixels wide is too wide to hash (at most ${MAX_WIDTH})`, { details: { width: cols, height: rows, channels, reason: 'too wide' } });
  if (cols > MAX_WIDTH) throw tooWide();
  const wasm = instance();
  const staging = wasm.begin(rows, cols, channels, grey ? 1 : 0);
  if (staging === 0) throw tooWide();
  const chunk = wasm.CHUNK_ROWS.value as number;
  const rowBytes = cols * channels;
  // Read after begin(): growing the memory replaces its buffer.
  const memory = new Uint8Array(wasm.memory.buffer);
  for (let r = 0; r < rows; r += chunk) {
    const n = Math.min(chunk, rows - r);
    memory.set(data.subarray(r * rowBytes, (r + n) * rowBytes), staging);
    wasm.push(n);
  }
  out.set(new Float32Array(wasm.memory.buffer, wasm.finish(), 64 * 64));
}
