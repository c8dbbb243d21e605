import type { Command } from 'commander';
import type { PublishedWarninglist } from '../guards/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { operate } from './operator-client.js';

function describe(l: PublishedWarninglist): string {
  const where = l.leafIndex === null ? 'built in' : `log entry ${l.leafIndex}`;
  return `${l.name}  version ${l.version}  ${l.kind}  ${l.entries.length} entries  sha256 ${l.sha256}  (${where})`;
}

/** `wildintel warninglist publish|list`: the federation operator's warninglists (docs/member-node.md "Warninglists"). */
export function registerWarninglistCommands(program: Command, cli: CliContext): void {
  const warninglist = program.command('warninglist').description('federation warninglists: benign phrases and generic terms that suppress a keyword match');
  warninglist
    .command('publish <file>')
    .description('publish a list, {"name","version","kind":"phrases"|"generic","description","entries":[…]} in JSON: stored, logged as a warninglist entry, served to every node')
    .action(async (file: string) => {
      let list: unknown;
      try {
        list = JSON.parse(readTextFile(file, 'warninglist file'));
      } catch (err) {
        if (err instanceof SyntaxError) throw new CliError('INVALID_ARGUMENT', `${file} is not JSON: ${err.message}`);
        throw err;
      }
      cli.print(describe((await operate(cli.config(), cli.logger(), 'warninglist.publish', list)) as PublishedWarninglist));
    });
  warninglist
    .command('list')
    .description('the lists in effect: the highest version of each name')
    .action(async () => {
      const { lists } = (await operate(cli.config(), cli.logger(), 'warninglist.list')) as { lists: PublishedWarninglist[] };
      cli.print(lists.map(describe).join('\n'));
    });
}
