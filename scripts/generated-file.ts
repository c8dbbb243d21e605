/**
 * Writes a generated source file, or with `--check` on the command line (CI) fails when the
 * committed one differs from what the generator makes now (or is missing), naming the command
 * that regenerates it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeOrCheckGenerated(root: string, outFile: string, text: string, regenerate: string): void {
  const name = path.relative(root, outFile);
  if (!process.argv.includes('--check')) {
    writeFileSync(outFile, text);
    console.log(`wrote ${name}`);
    return;
  }
  if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== text) {
    console.error(`${name} is stale: run ${regenerate}`);
    process.exit(1);
  }
  console.log(`${name} is up to date`);
}
