import { DIHEDRAL_NAMES, pdqDihedralFromHash, pdqDihedralFromPixels, pdqDistance, type Pixels } from './src/hashing/index.js';
function waves(width: number, height: number, seed = 1): Pixels {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const v = 128 + 60 * Math.sin((x * seed) / 9 + y / 17) + 40 * Math.cos((y * (seed + 1)) / 13 - x / 23) + 20 * Math.sin((x + 2 * y) / 5);
    data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return { width, height, channels: 1, data };
}
function noisy(seed: number): Pixels {
  const w = 120 + seed * 7, h = 300 - seed * 3;
  const data = new Uint8Array(w * h);
  let s = seed;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const v = 128 + 60 * Math.sin((x * seed) / 9 + y / (7 + seed)) + 40 * Math.cos((y * (seed + 1)) / 13 - x / 23) + ((s >>> 16) % 30) + (x > w / 3 && y < h / 2 ? 40 : 0);
    data[y * w + x] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return { width: w, height: h, channels: 1, data };
}
for (const [label, set] of [['waves64', Array.from({length: 30}, (_, i) => waves(64, 64, i + 1))], ['noisy', Array.from({length: 30}, (_, i) => noisy(i + 1))]] as const) {
  const ds: number[] = [];
  for (const p of set) {
    const { hashes } = pdqDihedralFromPixels(p);
    const fh = pdqDihedralFromHash(hashes.orig);
    for (const n of DIHEDRAL_NAMES) if (n !== 'orig' && n !== 'flipp') ds.push(pdqDistance(fh[n], hashes[n]));
  }
  ds.sort((a, b) => a - b);
  console.log(label, 'n', ds.length, 'median', ds[ds.length >> 1], 'p90', ds[Math.floor(ds.length * 0.9)], 'max', ds.at(-1));
}
