import type { Command } from 'commander';
import { DECLINE_REASONS } from '../disclosure/formats/index.js';
import type { DecisionResult, NodeDisclosureView, NodeStatus } from '../node/index.js';
import type { CliContext } from './context.js';
import { CliError } from './files.js';
import { callNode, replyOrThrow } from './node-socket.js';

export function formatDisclosureStatus(s: NodeStatus): string {
  const d = s.disclosures;
  return `disclosures ${d.pending} pending your decision (wildintel node requests), ${d.waiting} waiting for the log, ${d.answered} answered, ${d.declined} declined, ${d.expired} expired, ${d.invalid} invalid${d.unsent > 0 ? `; ${d.unsent} steps not sent yet` : ''}`;
}

function formatRequest(r: NodeDisclosureView): string {
  const head = `${r.requestId}  ${r.state.toUpperCase()}  ${r.agency}${r.caseId ? ` case ${r.caseId}` : ''}${r.expiresAt ? `  until ${r.expiresAt}` : ''}`;
  if (r.state === 'invalid' || r.state === 'waiting') return `${head}\n  ${r.problem ?? ''}`;
  const lines = [
    head,
    `  seller      ${r.fingerprint}${r.inVault === false ? '  (not in this node’s vault: approving answers NOT_REPORTED)' : ''}`,
    `  officer     ${r.officer} (analyst ${r.analyst})`,
    `  legal basis ${r.legalBasis?.reference}: ${r.legalBasis?.text.replace(/\s+/g, ' ').slice(0, 300)}`,
    ...r.steps.map((s) => `  ${s.step.padEnd(11)} ${s.state}${s.leafIndex === null ? '' : ` at log entry ${s.leafIndex}`}${s.note && s.note !== 'logged' ? ` (${s.note})` : s.note === 'logged' ? ' (confirmed in the log)' : ''}`),
  ];
  return lines.join('\n');
}

async function listRequests(cli: CliContext, state: string | undefined): Promise<NodeDisclosureView[]> {
  const config = cli.config();
  const reply = await callNode(config, 'GET', `/v1/requests${state ? `?state=${encodeURIComponent(state)}` : ''}`);
  if (reply.reached) return replyOrThrow<{ requests: NodeDisclosureView[] }>(reply).requests;
  // The node's database layer only when no node answers on its socket.
  const { openNodeDatabase, listDisclosures } = await import('../node/index.js');
  const database = await openNodeDatabase(config);
  try {
    return await listDisclosures(database.dataSource, state === undefined ? {} : { state });
  } finally {
    await database.close();
  }
}

async function decide(cli: CliContext, id: string, action: 'approve' | 'decline', body: Record<string, unknown>): Promise<DecisionResult> {
  const reply = await callNode(cli.config(), 'POST', `/v1/requests/${encodeURIComponent(id)}/${action}`, body);
  if (!reply.reached) throw new CliError('INVALID_ARGUMENT', 'the member node is not running: start it (wildintel node), then decide; the answer is encrypted and sent by the running node');
  return replyOrThrow<DecisionResult>(reply);
}

function describe(r: DecisionResult): string {
  const what = r.state === 'answered' ? 'answered (the identifier was encrypted to the requesting agency)' : `declined (${r.reason})`;
  return `request ${r.requestId} ${what}; ${r.leafIndex === null ? 'the hub is not reachable now: the node sends it when it is' : `logged at entry ${r.leafIndex}`}`;
}

export function registerNodeRequestCommands(node: Command, cli: CliContext): void {
  const requests = node
    .command('requests')
    .description('lawful re-identification requests routed to this member; you approve or decline each (never automatic)')
    .option('--state <state>', 'only these: waiting, pending, answered, declined, expired, invalid')
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; json?: boolean }) => {
      const list = await listRequests(cli, opts.state);
      cli.print(opts.json ? JSON.stringify(list, null, 2) : list.length === 0 ? 'no disclosure requests' : list.map(formatRequest).join('\n\n'));
    });
  requests
    .command('approve <id>')
    .description("answer: the raw identifier behind the fingerprint, from the vault, encrypted to the requesting agency's key and signed by this member")
    .option('--reason <text>', 'why it is approved (kept in the node’s record of the decision), e.g. who reviewed the legal basis')
    .option('--by <name>', 'who decides', 'operator')
    .action(async (id: string, opts: { reason?: string; by: string }) => {
      cli.print(describe(await decide(cli, id, 'approve', { ...(opts.reason ? { note: opts.reason } : {}), by: opts.by })));
    });
  requests
    .command('decline <id>')
    .description(`decline with a reason code: ${DECLINE_REASONS.join(', ')}`)
    .requiredOption('--reason <code>', DECLINE_REASONS.join(' | '))
    .option('--note <text>', 'a short explanation the agency and auditors see (never personal data; at most 500 characters)')
    .option('--by <name>', 'who decides', 'operator')
    .action(async (id: string, opts: { reason: string; note?: string; by: string }) => {
      cli.print(describe(await decide(cli, id, 'decline', { reason: opts.reason.toUpperCase(), ...(opts.note ? { note: opts.note } : {}), by: opts.by })));
    });
}
