/**
 * Images built byte by byte for tests of the node's image limits: PNGs whose header claims more
 * pixels than any budget allows while the file stays tiny (a decompression bomb), and one that
 * is as wide as no hash can be.
 */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid greyscale PNG of `width`×`height` pixels at `bitDepth` bits, every pixel black: a
 * 16000×16000 one at 1 bit is about 31 KB on disk and 256 MB of samples once decoded.
 */
export function blankPng(width: number, height: number, bitDepth: 1 | 8 = 1): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(bitDepth, 8);
  header.writeUInt8(0, 9); // greyscale
  // compression, filter and interlace methods 0
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8);
  const raw = Buffer.alloc(rowBytes * height); // filter 0 and zero samples in every row
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** VmHWM (peak resident set) of a process, in bytes, read from outside it. */
export async function peakRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}
