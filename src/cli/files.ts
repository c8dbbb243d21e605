import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WildintelError } from '../kernel/index.js';

export class CliError extends WildintelError<'FILE_NOT_FOUND' | 'FILE_EXISTS' | 'INVALID_ARGUMENT' | 'IDENTIFIER_IN_VALUE'> {}

export function readTextFile(file: string, what: string): string {
  if (!existsSync(file)) throw new CliError('FILE_NOT_FOUND', `${what} ${file} does not exist`);
  return readFileSync(file, 'utf8');
}

/** Writes a public file (certificate, CSR); never replaces one silently. */
export async function writePublicFile(file: string, text: string, { overwrite = false } = {}): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, text, { flag: overwrite ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError('FILE_EXISTS', `refusing to overwrite ${file}`);
    throw err;
  }
}

/** A flag that must be a whole number in a range. */
export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError('INVALID_ARGUMENT', `${flag} must be a whole number from ${min} to ${max}`);
  return n;
}
