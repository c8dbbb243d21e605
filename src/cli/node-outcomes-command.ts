import type { Command } from 'commander';
import type { OutcomeRecorded, OutcomeView } from '../node/outcomes/index.js';
import type { CliContext } from './context.js';
import { CliError } from './files.js';
import { callNode, replyOrThrow } from './node-socket.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RecordOptions {
  action: string;
  indicator?: string;
  seller?: string;
  text?: string;
  actedAt?: string;
  reference?: string;
}

/** The outcome as POST /v1/outcomes takes it; the node validates it (one set of rules for the API and the CLI). */
function outcomeBody(opts: RecordOptions): Record<string, unknown> {
  const targets = [opts.indicator, opts.seller, opts.text].filter((t) => t !== undefined);
  if (targets.length !== 1) throw new CliError('INVALID_ARGUMENT', 'name what the outcome concerns with exactly one of --indicator, --seller or --text');
  const common = { action: opts.action, actedAt: opts.actedAt ?? new Date().toISOString(), ...(opts.reference === undefined ? {} : { reference: opts.reference }) };
  if (opts.indicator !== undefined) return { indicatorId: opts.indicator, ...common };
  if (opts.text !== undefined) return { text: opts.text, ...common };
  const colon = opts.seller!.indexOf(':');
  if (colon <= 0) throw new CliError('INVALID_ARGUMENT', '--seller is TYPE:VALUE, e.g. phone:+8613800138000');
  return { identifier: { type: opts.seller!.slice(0, colon), value: opts.seller!.slice(colon + 1) }, ...common };
}

async function toRunningNode<T>(cli: CliContext, urlPath: string, body: unknown): Promise<T> {
  const reply = await callNode(cli.config(), 'POST', urlPath, body);
  if (!reply.reached) throw new CliError('INVALID_ARGUMENT', 'the member node is not running: start it (wildintel node); it maps the outcome to what it published and sends it');
  return replyOrThrow<T>(reply);
}

async function list(cli: CliContext, filter: { reference?: string; indicatorId?: string; listing?: string }): Promise<OutcomeView[]> {
  const query = new URLSearchParams(filter).toString();
  const reply = await callNode(cli.config(), 'GET', `/v1/outcomes${query ? `?${query}` : ''}`);
  if (reply.reached) return replyOrThrow<{ outcomes: OutcomeView[] }>(reply).outcomes;
  // The node's database layer only when no node answers on its socket.
  const [{ openNodeDatabase }, { listOutcomes }, { isListingPseudonym }] = await Promise.all([import('../node/index.js'), import('../node/outcomes/index.js'), import('../indicators/index.js')]);
  const { listing, ...rest } = filter;
  // A raw listing is mapped by the running node, which holds the pseudonym keys; its pseudonym needs no key.
  if (listing !== undefined && !isListingPseudonym(listing)) throw new CliError('INVALID_ARGUMENT', 'the member node is not running: start it to look a raw listing up, or give its pseudonym lp1.…');
  const database = await openNodeDatabase(cli.config());
  try {
    return await listOutcomes(database.dataSource, listing === undefined ? rest : { ...rest, listings: [listing] });
  } finally {
    await database.close();
  }
}

const formatOutcome = (o: OutcomeView): string => `${o.outcomeId}  ${o.action.padEnd(17)} ${o.state.padEnd(9)} acted ${o.actedAt}  indicator ${o.indicatorId}${o.reference === null ? '' : `  ref ${o.reference}`}`;

export function registerNodeOutcomeCommands(node: Command, cli: CliContext): void {
  const outcomes = node.command('outcomes').description('what the platform did about what it reported: published as pseudonymous outcome items (docs/member-node.md)');
  outcomes
    .command('record')
    .description('record an outcome about an indicator this member published')
    .requiredOption('--action <action>', 'REMOVED, ACCOUNT_SUSPENDED, WARNED, NO_VIOLATION or ESCALATED')
    .option('--indicator <id>', 'the indicator id the node gave back')
    .option('--seller <type:value>', 'the raw seller identifier (phone, email, account, chat, payment, url): mapped to its fingerprint here, never sent')
    .option('--text <text>', 'the listing text whose code word was published')
    .option('--acted-at <time>', 'RFC 3339 time of the action (default: now)')
    .option('--reference <ref>', "the platform's own listing or case reference: kept at the node only")
    .action(async (opts: RecordOptions) => {
      const [done] = (await toRunningNode<{ outcomes: OutcomeRecorded[] }>(cli, '/v1/outcomes', { outcomes: [outcomeBody(opts)] })).outcomes;
      cli.print(done!.outcomeIds.map((id, i) => `outcome ${id} queued about indicator ${done!.indicatorIds[i]}`).join('\n'));
    });
  outcomes
    .command('list')
    .description("this node's outcomes: pending, published or retracted")
    .option('--reference <ref>', 'only those with this platform reference')
    .option('--indicator <id>', 'only those about this indicator')
    .option('--listing <listing>', 'only those about what was sighted in this listing: its raw id or URL (mapped at the node, never sent) or its pseudonym lp1.…')
    .option('--json', 'print JSON')
    .action(async (opts: { reference?: string; indicator?: string; listing?: string; json?: boolean }) => {
      const found = await list(cli, { ...(opts.reference === undefined ? {} : { reference: opts.reference }), ...(opts.indicator === undefined ? {} : { indicatorId: opts.indicator }), ...(opts.listing === undefined ? {} : { listing: opts.listing }) });
      cli.print(opts.json ? JSON.stringify(found, null, 2) : found.length === 0 ? 'no outcomes' : found.map(formatOutcome).join('\n'));
    });
  outcomes
    .command('retract <outcomeIdOrReference>')
    .description('withdraw an outcome (by its id, or every live one with this platform reference)')
    .requiredOption('--reason <slug>', 'published with the retraction: a slug such as recorded-in-error')
    .action(async (target: string, opts: { reason: string }) => {
      const by = UUID.test(target) ? { outcomeId: target } : { reference: target };
      const [done] = (await toRunningNode<{ retractions: Array<{ outcomeIds: string[] }> }>(cli, '/v1/outcomes/retractions', { retractions: [{ ...by, reason: opts.reason }] })).retractions;
      cli.print(`retracted ${done!.outcomeIds.join(', ')}`);
    });
}
