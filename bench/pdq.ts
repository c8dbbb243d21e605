/**
 * PDQ images per second on one core (the benchmark process is single-threaded; sharp is limited
 * to one thread), for 1-megapixel JPEGs with decoding included, and for pixels already decoded;
 * beside the decode alone as the baseline of the same run.
 */
import sharp from 'sharp';
import { decodeImage, pdqFromPixels, type Pixels } from '../src/hashing/index.js';
import { median, round } from './load.js';

export interface PdqBenchResult {
  endToEndPerSecond: number;
  decodedPerSecond: number;
  decodeOnlyPerSecond: number;
}

async function photoLikeJpeg(seed: number): Promise<Buffer> {
  const width = 1000;
  const height = 1000;
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const noise = (s >> 16) % 24;
      const i = (y * width + x) * 3;
      data[i] = (x / 4 + 60 * Math.sin(y / 40) + noise) & 255;
      data[i + 1] = (y / 4 + 50 * Math.cos(x / 55) + noise) & 255;
      data[i + 2] = ((x + y) / 8 + noise) & 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

async function rate(seconds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    await fn();
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

export async function benchPdq(opts: { seconds?: number; runs?: number } = {}): Promise<PdqBenchResult> {
  const { seconds = 3, runs = 3 } = opts;
  sharp.concurrency(1);
  const jpegs = await Promise.all([1, 2, 3, 4].map(photoLikeJpeg));
  const decoded: Pixels[] = await Promise.all(jpegs.map((j) => decodeImage(j)));
  let i = 0;
  const next = <T>(list: T[]): T => list[i++ % list.length]!;
  const results = { e2e: [] as number[], decoded: [] as number[], decode: [] as number[] };
  for (let r = 0; r < runs; r++) {
    results.decode.push(await rate(seconds, () => decodeImage(next(jpegs))));
    results.e2e.push(await rate(seconds, async () => pdqFromPixels(await decodeImage(next(jpegs)))));
    results.decoded.push(await rate(seconds, () => pdqFromPixels(next(decoded))));
  }
  return { endToEndPerSecond: round(median(results.e2e), 1), decodedPerSecond: round(median(results.decoded), 1), decodeOnlyPerSecond: round(median(results.decode), 1) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPdq().then((r) => console.log(JSON.stringify(r, null, 2)));
}
