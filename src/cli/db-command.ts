import type { Command } from 'commander';
import { operate } from './operator-client.js';
import type { CliContext } from './context.js';

export function registerDbCommands(program: Command, cli: CliContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (the hub also applies them when it starts)')
    .action(async () => {
      const { applied } = (await operate(cli.config(), cli.logger(), 'db.migrate')) as { applied: string[] };
      cli.print(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s): ${applied.join(', ')}`);
    });
  db.command('status')
    .description('show the database kind and the applied migrations')
    .action(async () => {
      const status = (await operate(cli.config(), cli.logger(), 'db.status')) as { kind: string; ready: boolean; migrations: string[] };
      cli.print(`${status.kind}: ${status.ready ? 'ready' : 'migrations pending'}\n${status.migrations.map((m) => `  ${m}`).join('\n')}`);
    });
}
