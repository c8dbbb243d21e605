import type { Command } from 'commander';
import type { PublishedWarninglist, QuarantineRecord } from '../guards/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { operate } from './operator-client.js';

function describe(l: PublishedWarninglist): string {
  const where = l.leafIndex === null ? 'built in' : `log entry ${l.leafIndex}`;
  return `${l.name}  version ${l.version}  ${l.kind}  ${l.entries.length} entries  sha256 ${l.sha256}  (${where})`;
}

function describeHold(q: QuarantineRecord): string {
  const state = q.releasedAt === null ? 'HELD' : `released ${new Date(q.releasedAt).toISOString()} (log entry ${q.releasedLeafIndex})`;
  // A precision hold counts judged outcomes, not scans (src/guards/hold.ts).
  const counts = q.reason === 'PRECISION' ? `${q.hits} of ${q.scans} judged outcomes NO_VIOLATION` : `${q.hits} of ${q.scans} scans`;
  return `${q.indicatorId}  ${state}  ${q.reason} by ${q.source}: ${counts}, ${new Date(q.heldAt).toISOString()} (log entry ${q.heldLeafIndex})`;
}

/** `wildintel warninglist publish|list` and `wildintel quarantine list|release` (docs/member-node.md "Precision guards"). */
export function registerGuardCommands(program: Command, cli: CliContext): void {
  const quarantine = program.command('quarantine').description('flood quarantine: indicators held back from matching everywhere');
  quarantine
    .command('list')
    .description('indicators quarantined, held or released, newest first')
    .action(async () => {
      const { quarantines } = (await operate(cli.config(), cli.logger(), 'quarantine.list')) as { quarantines: QuarantineRecord[] };
      cli.print(quarantines.length === 0 ? 'no quarantines' : quarantines.map(describeHold).join('\n'));
    });
  quarantine
    .command('release <indicatorId>')
    .description('release a held indicator after review (logged as a quarantine entry); rates never hold it again')
    .action(async (indicatorId: string) => {
      cli.print(describeHold((await operate(cli.config(), cli.logger(), 'quarantine.release', { indicatorId })) as QuarantineRecord));
    });
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
