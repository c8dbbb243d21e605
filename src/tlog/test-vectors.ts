import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Test support only (not exported by index.ts): the shared, read-only test vectors
 * live beside the repository in ../shared/test-vectors/tlog and are never copied in.
 */
export const VECTORS_DIR = new URL('../../../shared/test-vectors/tlog/', import.meta.url);

/** `false` when the vectors are present, else the reason to skip (for `describe(…, { skip })`). */
export const skipWithoutVectors: false | string = existsSync(fileURLToPath(VECTORS_DIR))
  ? false
  : `shared test vectors not found at ${fileURLToPath(VECTORS_DIR)}; skipping vector tests`;

/** One case of transparency-dev/merkle's inclusion probes (merkle/inclusion.json). */
export interface InclusionCase {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}

export function readVectorJson<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(relative, VECTORS_DIR), 'utf8')) as T;
}

export function readVectorBytes(relative: string): Buffer {
  return readFileSync(new URL(relative, VECTORS_DIR));
}

export function b64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

export function toB64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
