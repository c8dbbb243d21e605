import type { Command } from 'commander';
import { describeSettings } from '../config/index.js';
import type { CliContext } from './context.js';

export function registerConfigCommand(program: Command, cli: CliContext): void {
  program
    .command('config')
    .description('list every setting with its default, and check the current environment')
    .action(() => {
      const rows = describeSettings().map((s) => `  ${s.name.padEnd(20)} ${(s.default ?? '—').padEnd(12)} ${s.description}`);
      cli.config(); // fails with a one-line message if the environment is invalid
      cli.print(`setting              default      meaning\n${rows.join('\n')}\n\nconfiguration is valid`);
    });
}
