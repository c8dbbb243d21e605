/**
 * Which luma the PDQ reference computes (pdqhashing.cpp fillFloatLumaFrom*), and the luma itself
 * for the images it does not blur (exactly 64×64). Larger images get theirs in the WebAssembly
 * filter, by the same formula. Not part of the module's public surface.
 */

const f = Math.fround;

/**
 * Grey or RGB. ImageMagick, which decodes for the reference, writes a greyscale PNM when every
 * pixel is grey, and the reference then uses the grey value directly. That matters: the luma
 * formula is not the identity on grey (15,15,15 gives 15.000001 in float32). A colour photograph
 * is told apart within its first pixels.
 */
export function isGreyImage(data: Uint8Array | Uint8ClampedArray, channels: number): boolean {
  if (channels < 3) return true;
  for (let p = 0; p < data.length; p += channels) {
    if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
  }
  return true;
}

/** Y = (0.299·R + 0.587·G) + 0.114·B, each product and sum rounded to float32; or the grey sample. */
export function lumaInto(data: Uint8Array | Uint8ClampedArray, channels: number, grey: boolean, out: Float32Array): void {
  for (let i = 0, p = 0; i < out.length; i++, p += channels) {
    out[i] = grey ? data[p]! : f(f(f(f(0.299) * data[p]!) + f(f(0.587) * data[p + 1]!)) + f(f(0.114) * data[p + 2]!));
  }
}
