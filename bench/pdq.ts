/**
 * PDQ throughput on one core for 1-megapixel images: end to end (JPEG decode by sharp with EXIF
 * orientation, then PDQ), PDQ alone on already decoded pixels, and the sharp decode alone as the
 * baseline of the same run. Each figure is the median of several timed runs.
 *
 * One core: the measurement awaits each image before the next, and sharp is limited to one
 * libvips thread, so decoding (libuv thread) and hashing (main thread) never overlap.
 * Run directly with `node --import tsx bench/pdq.ts [seconds]`, or from bench/run.ts.
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { decodeImage, pdqFromPixels, type Pixels } from '../src/hashing/index.js';
import { median, round } from './load.js';

interface Figures<T> {
  /** Decode + PDQ, one image at a time. */
  endToEnd: T;
  /** PDQ on pixels already decoded. */
  decoded: T;
  /** The sharp decode alone (baseline). */
  decodeOnly: T;
}

export interface PdqBenchResult {
  /** Images per second of wall-clock time (median run): decode + PDQ. */
  endToEndPerSecond: number;
  /** Images per second of wall-clock time (median run): PDQ on decoded pixels. */
  decodedPerSecond: number;
  /** Images per second of wall-clock time (median run): the sharp decode alone. */
  decodeOnlyPerSecond: number;
  /**
   * Images per second of the process's CPU time (all threads, so decoding on the libvips thread
   * counts): what one dedicated core would do, little affected by other load on the machine.
   */
  perCpuSecond: Figures<number>;
  /** Every run's wall-clock figure, in run order. */
  runs: Figures<number[]>;
  image: { width: number; height: number; jpegBytes: number };
}

const WIDTH = 1000;
const HEIGHT = 1000;
const IMAGES = 4;

/** A photo-like 1000×1000 JPEG: smooth gradients and waves under per-pixel noise, quality 85. */
async function photoLikeJpeg(seed: number): Promise<Buffer> {
  const data = Buffer.alloc(WIDTH * HEIGHT * 3);
  let s = seed;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const noise = (s >>> 16) % 24;
      const i = (y * WIDTH + x) * 3;
      data[i] = (x / 4 + 60 * Math.sin((y + seed * 50) / 40) + noise) & 255;
      data[i + 1] = (y / 4 + 50 * Math.cos(x / (40 + seed * 5)) + noise) & 255;
      data[i + 2] = ((x + y) / 8 + noise) & 255;
    }
  }
  return sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** Calls fn one at a time for about `seconds`; returns calls per second of wall-clock and of CPU time. */
async function rate(seconds: number, fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    await fn();
    n++;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: n / wallSeconds, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

export async function benchPdq(opts: { seconds?: number; runs?: number } = {}): Promise<PdqBenchResult> {
  const { seconds = 2, runs = 5 } = opts;
  const previousConcurrency = sharp.concurrency();
  sharp.concurrency(1);
  try {
    const jpegs: Buffer[] = [];
    for (let i = 1; i <= IMAGES; i++) jpegs.push(await photoLikeJpeg(i));
    const decoded: Pixels[] = [];
    for (const jpeg of jpegs) decoded.push(await decodeImage(jpeg));
    let i = 0;
    const next = <T>(list: readonly T[]): T => list[i++ % list.length]!;
    // Warm up the JIT and libvips before timing.
    for (let k = 0; k < 10; k++) pdqFromPixels(await decodeImage(next(jpegs)));
    const measures: Figures<() => Promise<unknown> | unknown> = {
      decodeOnly: () => decodeImage(next(jpegs)),
      endToEnd: async () => pdqFromPixels(await decodeImage(next(jpegs))),
      decoded: () => pdqFromPixels(next(decoded)),
    };
    const wall: Figures<number[]> = { endToEnd: [], decoded: [], decodeOnly: [] };
    const cpu: Figures<number[]> = { endToEnd: [], decoded: [], decodeOnly: [] };
    for (let run = 0; run < runs; run++) {
      for (const key of ['decodeOnly', 'endToEnd', 'decoded'] as const) {
        const r = await rate(seconds, measures[key]);
        wall[key].push(round(r.wall, 1));
        cpu[key].push(r.cpu);
      }
    }
    return {
      endToEndPerSecond: round(median(wall.endToEnd), 1),
      decodedPerSecond: round(median(wall.decoded), 1),
      decodeOnlyPerSecond: round(median(wall.decodeOnly), 1),
      perCpuSecond: { endToEnd: round(median(cpu.endToEnd), 1), decoded: round(median(cpu.decoded), 1), decodeOnly: round(median(cpu.decodeOnly), 1) },
      runs: wall,
      image: { width: WIDTH, height: HEIGHT, jpegBytes: Math.round(jpegs.reduce((a, b) => a + b.length, 0) / jpegs.length) },
    };
  } finally {
    sharp.concurrency(previousConcurrency);
  }
}

function table(r: PdqBenchResult): string {
  const row = (name: string, perSecond: number, perCpuSecond: number, runs: number[], target: string): string =>
    `| ${name.padEnd(48)} | ${String(perSecond).padStart(8)} | ${(1000 / perSecond).toFixed(1).padStart(8)} | ${String(perCpuSecond).padStart(12)} | ${target.padEnd(6)} | ${runs.join(', ')} |`;
  return [
    `PDQ, ${r.image.width}×${r.image.height} JPEG (~${Math.round(r.image.jpegBytes / 1024)} KiB), one core; median of ${r.runs.decoded.length} runs`,
    '',
    `| ${'measure'.padEnd(48)} | images/s | ms/image | per CPU-sec. | target | runs (images/s) |`,
    `|${'-'.repeat(50)}|---------:|---------:|-------------:|--------|---|`,
    row('end to end: sharp decode (EXIF-oriented) + PDQ', r.endToEndPerSecond, r.perCpuSecond.endToEnd, r.runs.endToEnd, '≥ 40'),
    row('PDQ on decoded pixels', r.decodedPerSecond, r.perCpuSecond.decoded, r.runs.decoded, '≥ 60'),
    row('baseline: sharp decode alone', r.decodeOnlyPerSecond, r.perCpuSecond.decodeOnly, r.runs.decodeOnly, ''),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const before = loadavg()[0]!;
  const result = await benchPdq(seconds === undefined ? {} : { seconds });
  console.log(table(result));
  console.log(`node ${process.version}, sharp ${sharp.versions.sharp}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, load average ${before.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
}
