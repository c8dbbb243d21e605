import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DIHEDRAL_NAMES, hashImage, hashImageDihedral } from '../hashing/index.js';
import { isWildintelError } from '../kernel/index.js';
import type { CliContext } from './context.js';

export function registerHashCommand(program: Command, cli: CliContext): void {
  program
    .command('hash <files...>')
    .description('PDQ-hash images at full resolution: prints "<64-hex> <quality> <file>" per image')
    .option('--dihedral', 'print the eight dihedral hashes (orig rot90 rot180 rot270 flipx flipy flipp flipm), then quality and file')
    .action(async (files: string[], opts: { dihedral?: boolean }) => {
      const bar = process.stderr.isTTY && files.length > 20 ? new SingleBar({ format: 'hashing [{bar}] {value}/{total} images', stream: process.stderr }, Presets.shades_classic) : undefined;
      bar?.start(files.length, 0);
      let failed = 0;
      for (const file of files) {
        try {
          if (opts.dihedral) {
            const { hashes, quality } = await hashImageDihedral(file);
            cli.print(`${DIHEDRAL_NAMES.map((n) => hashes[n]).join(' ')} ${quality} ${file}`);
          } else {
            const { pdq, quality } = await hashImage(file);
            cli.print(`${pdq} ${quality} ${file}`);
          }
        } catch (err) {
          failed++;
          process.stderr.write(`wildintel: ${file}: ${err instanceof Error ? err.message : String(err)}${isWildintelError(err) ? ` [${err.code}]` : ''}\n`);
        }
        bar?.increment();
      }
      bar?.stop();
      if (failed > 0) process.exitCode = 1;
    });
}
