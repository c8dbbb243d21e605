import type { Command } from 'commander';
import { escapeForTerminal, systemClock, systemRandom } from '../kernel/index.js';
import type { openNodeDatabase } from '../node/index.js';
// The roles' own module, not the room's index: it loads no database or HTTP code.
import { REVIEWER_ROLES } from '../reports/reviewers.js';
import type { CliContext } from './context.js';
import { callNode, replyOrThrow } from './node-socket.js';

type Database = Awaited<ReturnType<typeof openNodeDatabase>>;

/** Through the running node's socket, or on its database when no node runs. */
type Reviewers = typeof import('../reports/index.js');

/**
 * Through the running node's socket, or on its database when no node runs. The node's database
 * and the reports room are loaded only then: a plain CLI start loads neither.
 */
async function viaNode<T>(cli: CliContext, method: 'GET' | 'POST', urlPath: string, body: unknown, here: (db: Database['dataSource'], reviewers: Reviewers) => Promise<T>): Promise<T> {
  const config = cli.config();
  const reply = await callNode(config, method, urlPath, body);
  if (reply.reached) return replyOrThrow<T>(reply);
  const [{ openNodeDatabase }, reviewers] = await Promise.all([import('../node/index.js'), import('../reports/index.js')]);
  const database = await openNodeDatabase(config);
  try {
    return await here(database.dataSource, reviewers);
  } finally {
    await database.close();
  }
}

export function registerNodeReviewerCommands(node: Command, cli: CliContext): void {
  const reviewers = node
    .command('reviewers')
    .description('accounts of the review page (/review) for public reports: moderators (one confirmation publishes) and volunteers (two do)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await viaNode(cli, 'GET', '/v1/reviewers', undefined, (db, r) => r.listReviewers(db).then((r) => ({ reviewers: r })));
      cli.print(opts.json ? JSON.stringify(list.reviewers, null, 2) : list.reviewers.length === 0 ? 'no reviewers' : list.reviewers.map((r) => `${r.name}  ${r.role}  since ${r.createdAt}`).join('\n'));
    });
  reviewers
    .command('add <name>')
    .description('create an account; its password is generated and printed once (only its scrypt hash is kept)')
    .requiredOption('--role <role>', REVIEWER_ROLES.join(' | '))
    .action(async (name: string, opts: { role: string }) => {
      const input = { name, role: opts.role };
      const made = await viaNode(cli, 'POST', '/v1/reviewers', input, (db, r) => r.addReviewer(db, input, systemRandom, systemClock.now()));
      cli.print(`reviewer ${escapeForTerminal(made.name)} (${made.role}) created; password (shown once): ${made.password}`);
    });
  reviewers
    .command('remove <name>')
    .description('remove an account and end its sessions; its decisions stay on record under its name')
    .action(async (name: string) => {
      const done = await viaNode(cli, 'POST', `/v1/reviewers/${encodeURIComponent(name)}/remove`, {}, (db, r) => r.removeReviewer(db, name));
      cli.print(done.removed ? `reviewer ${escapeForTerminal(done.name)} removed` : `no reviewer named ${escapeForTerminal(done.name)}`);
    });
}
