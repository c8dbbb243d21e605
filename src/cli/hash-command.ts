import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { isWildintelError } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { wholeNumber } from './files.js';

// sharp (libvips) is loaded when images are hashed, not for help.
const loadHashing = (): Promise<typeof import('../hashing/index.js')> => import('../hashing/index.js');

type Outcome = { ok: true; line: string } | { ok: false; error: string };

export function registerHashCommand(program: Command, cli: CliContext): void {
  program
    .command('hash <files...>')
    .description('PDQ-hash images at full resolution: prints "<64-hex> <quality> <file>" per image, in the order given')
    .option('--dihedral', 'print the eight dihedral hashes (orig rot90 rot180 rot270 flipx flipy flipp flipm), then quality and file')
    .option('--jobs <n>', 'images read and decoded at once (decoding runs on libvips threads)', String(availableParallelism()))
    .action(async (files: string[], opts: { dihedral?: boolean; jobs: string }) => {
      const jobs = wholeNumber(opts.jobs, '--jobs', 1, 64);
      const bar = process.stderr.isTTY && files.length > 20 ? new SingleBar({ format: 'hashing [{bar}] {value}/{total} images', stream: process.stderr }, Presets.shades_classic) : undefined;
      bar?.start(files.length, 0);
      let failed = 0;
      const hashing = await loadHashing();
      await inOrder(files, jobs, (file) => hashOne(hashing, file, opts.dihedral === true), (file, outcome) => {
        if (outcome.ok) cli.print(outcome.line);
        else {
          failed++;
          process.stderr.write(`wildintel: ${file}: ${outcome.error}\n`);
        }
        bar?.increment();
      });
      bar?.stop();
      if (failed > 0) process.exitCode = 1;
    });
}

async function hashOne({ DIHEDRAL_NAMES, hashImage, hashImageDihedral }: Awaited<ReturnType<typeof loadHashing>>, file: string, dihedral: boolean): Promise<Outcome> {
  try {
    if (dihedral) {
      const { hashes, quality } = await hashImageDihedral(file);
      return { ok: true, line: `${DIHEDRAL_NAMES.map((n) => hashes[n]).join(' ')} ${quality} ${file}` };
    }
    const { pdq, quality } = await hashImage(file);
    return { ok: true, line: `${pdq} ${quality} ${file}` };
  } catch (err) {
    return { ok: false, error: `${err instanceof Error ? err.message : String(err)}${isWildintelError(err) ? ` [${err.code}]` : ''}` };
  }
}

/**
 * Runs `work` on up to `jobs` items at once and hands each result to `report` in the items'
 * order, as soon as it and every earlier one are done: the output of a bulk job is the same
 * whatever the parallelism, and results are not all held until the end.
 */
async function inOrder<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>, report: (item: T, result: R) => void): Promise<void> {
  const started: Array<Promise<R> | undefined> = [];
  let next = 0;
  const startUpTo = (limit: number): void => {
    for (; next < Math.min(limit, items.length); next++) started.push(work(items[next]!));
  };
  startUpTo(jobs);
  for (let i = 0; i < items.length; i++) {
    const result = await started[i]!;
    started[i] = undefined;
    report(items[i]!, result);
    startUpTo(i + 1 + jobs);
  }
}
