/**
 * Hashes a photo with PDQ inside the analyst's browser, in a worker: the photo is decoded here
 * and only its hash goes back to the page (and from there to the hub). The PDQ core is the hub's
 * own (src/hashing/pdq.ts and its WebAssembly filter); a worker may compile WebAssembly
 * synchronously, which a page's main thread may not for a module over 4 KiB.
 *
 * Decoding follows src/hashing/decode.ts as far as a browser can: no colour management
 * (`colorSpaceConversion: 'none'`, as sharp's ignoreIcc), EXIF orientation applied, alpha not
 * premultiplied into the bitmap. Browser decoders are not libvips, so the hash may differ from
 * the node's by a few bits (docs/agency-api.md gives the distances measured).
 */
import { pdqFromPixels } from '../../hashing/pdq.js';

export interface HashRequest {
  id: number;
  file: Blob;
}

export type HashReply =
  | { id: number; ok: true; hash: string; quality: number; width: number; height: number; ms: number }
  | { id: number; ok: false; error: string };

interface WorkerScope {
  onmessage: ((ev: MessageEvent<HashRequest>) => void) | null;
  postMessage(reply: HashReply): void;
}

const scope = self as unknown as WorkerScope;

async function hash(file: Blob): Promise<Omit<Extract<HashReply, { ok: true }>, 'id'>> {
  const t0 = performance.now();
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (ctx === null) throw new Error('no 2D canvas in this browser');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = ctx.getImageData(0, 0, width, height);
  const { hash: hex, quality } = pdqFromPixels({ width, height, channels: 4, data });
  return { ok: true, hash: hex, quality, width, height, ms: Math.round(performance.now() - t0) };
}

scope.onmessage = (ev) => {
  const { id, file } = ev.data;
  hash(file).then(
    (r) => scope.postMessage({ id, ...r }),
    (err: unknown) => scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
};
