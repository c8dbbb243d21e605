import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DIHEDRAL_NAMES, hashImage, hashImageDihedral, pdqDistance } from './index.js';
import { onlyInPass } from '../db/test-server.js';

/**
 * Meta's reference hashes for its own test images (shared/pdq-vectors, beside the repository:
 * the images are test fixtures that must not be committed here). See its README for how they
 * were made and for the tolerance rules applied below.
 */
const VECTORS = fileURLToPath(new URL('../../../shared/pdq-vectors/', import.meta.url));
const MANIFESTS = ['vectors-fullres.tsv', 'dihedral-fullres.tsv'];
const absent = MANIFESTS.every((m) => existsSync(path.join(VECTORS, m)))
  ? false
  : `PDQ reference vectors absent: ${VECTORS} (expected ${MANIFESTS.join(' and ')}); these agreement tests cannot run`;

/** CMYK JPEGs decode differently in sharp (lcms) and ImageMagick (plain formula): the README allows 12 bits. */
const CMYK_MAX_BITS = 12;
const isCmyk = (file: string): boolean => file.endsWith('/CMYK.jpg');

function manifest(file: string, header: readonly string[]): string[][] {
  const [head, ...lines] = readFileSync(path.join(VECTORS, file), 'utf8').trim().split('\n');
  assert.deepEqual(head?.split('\t'), header, `${file}: unexpected columns`);
  return lines.map((line) => line.split('\t'));
}

/** Checks one hash and quality against the reference; true when both are exact. */
function check(file: string, name: string, got: { hash: string; quality: number }, hex: string, quality: number): boolean {
  const distance = pdqDistance(got.hash, hex);
  if (isCmyk(file)) {
    assert.ok(distance <= CMYK_MAX_BITS, `${name}: ${distance} bits from the reference (CMYK allows ${CMYK_MAX_BITS})`);
    assert.ok(Math.abs(got.quality - quality) <= 2, `quality ${got.quality}, reference ${quality}`);
  } else {
    assert.equal(got.hash, hex, `${name}: ${distance} bits from the reference`);
    assert.equal(got.quality, quality, `${name}: quality`);
  }
  return distance === 0 && got.quality === quality;
}

describe('PDQ agrees with the reference implementation (full resolution)', { skip: onlyInPass('embedded') }, () => {
  if (absent) {
    // A skipped test (not a skipped suite) so that the run's summary counts it as skipped.
    it('matches vectors-fullres.tsv and dihedral-fullres.tsv', { skip: absent }, () => {});
    return;
  }

  describe('vectors-fullres.tsv: hash and quality, exact (CMYK.jpg within 12 bits)', () => {
    const rows = manifest('vectors-fullres.tsv', ['file', 'pdq_hex', 'quality']);
    const exact: string[] = [];
    for (const [file, hex, quality] of rows as Array<[string, string, string]>) {
      it(file, async () => {
        const got = await hashImage(path.join(VECTORS, file));
        if (check(file, 'pdq', { hash: got.pdq, quality: got.quality }, hex, Number(quality))) exact.push(file);
      });
    }
    it('covers every row', (t) => {
      assert.ok(rows.length >= 32, `only ${rows.length} rows`);
      t.diagnostic(`${exact.length} of ${rows.length} rows exact (hash and quality)`);
    });
  });

  describe('dihedral-fullres.tsv: the eight dihedral hashes and quality, exact (CMYK.jpg within 12 bits)', () => {
    const rows = manifest('dihedral-fullres.tsv', ['file', ...DIHEDRAL_NAMES, 'quality']);
    const exact: string[] = [];
    for (const [file, ...rest] of rows as Array<[string, ...string[]]>) {
      it(file, async () => {
        const got = await hashImageDihedral(path.join(VECTORS, file));
        const quality = Number(rest[8]);
        const results = DIHEDRAL_NAMES.map((name, i) => check(file, name, { hash: got.hashes[name], quality: got.quality }, rest[i]!, quality));
        if (results.every(Boolean)) exact.push(file);
      });
    }
    it('covers every row', (t) => {
      assert.ok(rows.length >= 32, `only ${rows.length} rows`);
      t.diagnostic(`${exact.length} of ${rows.length} rows exact (all eight hashes and quality)`);
    });
  });
  describe('a dihedral hash finds the photo rotated or flipped in its pixels', () => {
    // reg-test-input/dih holds one photo saved in each of the eight orientations: what a reseller
    // re-uploading a turned or mirrored copy produces. JPEG re-encoding moves a few bits.
    const DIH = 'images/reg-test-input/dih';
    const saved: Record<string, string> = {
      'bridge-2-rotate-90.jpg': 'rot90',
      'bridge-3-rotate-180.jpg': 'rot180',
      'bridge-4-rotate-270.jpg': 'rot270',
      'bridge-5-flipx.jpg': 'flipx',
      'bridge-6-flipy.jpg': 'flipy',
      'bridge-7-flip-plus-1.jpg': 'flipp',
      'bridge-8-flip-minus-1.jpg': 'flipm',
    };
    it('each saved orientation is within 10 bits of its dihedral hash of the original, and far from the others', async () => {
      const original = await hashImageDihedral(path.join(VECTORS, DIH, 'bridge-1-original.jpg'));
      for (const [file, expected] of Object.entries(saved)) {
        const { pdq } = await hashImage(path.join(VECTORS, DIH, file));
        for (const name of DIHEDRAL_NAMES) {
          const distance = pdqDistance(pdq, original.hashes[name]);
          if (name === expected) assert.ok(distance <= 10, `${file} vs ${name}: ${distance} bits`);
          else assert.ok(distance > 64, `${file} vs ${name}: only ${distance} bits`);
        }
      }
    });
  });
});
