import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { hashImage, hashImageDihedral, pdqDistance, DIHEDRAL_NAMES } from './index.js';

// The reference's test images may not be committed here; they are read from the shared folder beside the repository.
const VECTORS = fileURLToPath(new URL('../../../shared/pdq-vectors/', import.meta.url));
const absent = existsSync(path.join(VECTORS, 'vectors-fullres.tsv')) ? false : `skipped: the PDQ reference vectors are absent (${VECTORS})`;

function rows(file: string): string[][] {
  return readFileSync(path.join(VECTORS, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
}

/** CMYK JPEGs decode differently in sharp (lcms) and ImageMagick (plain formula): the README allows 12 bits. */
const looseTolerance = (file: string): boolean => file.endsWith('CMYK.jpg');

describe('PDQ against the reference implementation (full resolution)', { skip: absent }, () => {
  it('matches every hash and quality of vectors-fullres.tsv (exact, CMYK within 12 bits)', async () => {
    const mismatches: string[] = [];
    for (const [file, hex, quality] of rows('vectors-fullres.tsv')) {
      const got = await hashImage(path.join(VECTORS, file!));
      const distance = pdqDistance(got.pdq, hex!);
      if (looseTolerance(file!) ? distance > 12 : distance !== 0 || got.quality !== Number(quality)) mismatches.push(`${file}: distance ${distance}, quality ${got.quality} vs ${quality}`);
    }
    assert.deepEqual(mismatches, []);
  });

  it('matches every dihedral hash of dihedral-fullres.tsv', async () => {
    const mismatches: string[] = [];
    for (const [file, ...rest] of rows('dihedral-fullres.tsv')) {
      const got = await hashImageDihedral(path.join(VECTORS, file!));
      DIHEDRAL_NAMES.forEach((name, i) => {
        const distance = pdqDistance(got.hashes[name], rest[i]!);
        if (looseTolerance(file!) ? distance > 12 : distance !== 0) mismatches.push(`${file} ${name}: distance ${distance}`);
      });
    }
    assert.deepEqual(mismatches, []);
  });
});
