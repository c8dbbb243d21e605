import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { FiledCase, NodeReferralView } from '../node/referrals/index.js';
import type { CliContext } from './context.js';
import { CliError } from './files.js';
import { callNode, replyOrThrow } from './node-socket.js';

interface FileOptions {
  summary: string;
  urgency: string;
  commodity: string;
  place: string;
  agency?: string;
  seller: string[];
  indicator: string[];
  evidence: string[];
  json?: boolean;
}

const MEDIA_TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.json': 'application/json', '.txt': 'text/plain', '.html': 'text/html', '.pdf': 'application/pdf', '.csv': 'text/csv' };
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The operator's commands reach the running node: it holds the member's key and its hub tokens. */
async function toRunningNode<T>(cli: CliContext, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<T> {
  const reply = await callNode(cli.config(), method, urlPath, body);
  if (!reply.reached) throw new CliError('INVALID_ARGUMENT', 'the member node is not running: start it (wildintel node); it signs referrals with the member key and files them at the hub');
  return replyOrThrow<T>(reply);
}

async function evidenceFile(file: string): Promise<{ name: string; mediaType: string; data: string }> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new CliError('INVALID_ARGUMENT', `cannot read evidence file ${file}: ${err.code ?? err.message}`);
  });
  return { name: path.basename(file), mediaType: MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', data: bytes.toString('base64') };
}

const formatReferral = (r: NodeReferralView): string =>
  [
    `${r.id}  ${r.state.padEnd(12)} ${r.agency.padEnd(16)} ${r.urgency.padEnd(8)} ${r.commodity} ${r.place}  filed ${r.filedAt}${r.overdue ? '  OVERDUE (not acknowledged)' : ''}`,
    r.result === null ? '' : `    result ${r.result}${r.closeNote === null ? '' : `: ${r.closeNote}`}`,
    r.declineReason === null ? '' : `    declined: ${r.declineReason}`,
  ]
    .filter((line) => line !== '')
    .join('\n');

export function registerNodeReferralCommands(node: Command, cli: CliContext): void {
  const referrals = node.command('referrals').description('refer a case to the agencies that cover it, and follow what they do (docs/member-node.md "Referrals")');
  referrals
    .command('file')
    .description('sign and file a referral: one per agency whose competence covers commodity and place, or to the agency named')
    .requiredOption('--summary <text>', 'what the case is (the agency reads it)')
    .requiredOption('--urgency <level>', 'LOW, MEDIUM, HIGH or CRITICAL')
    .requiredOption('--commodity <commodity>', 'IVORY, RHINO_HORN, PANGOLIN, …')
    .requiredOption('--place <code>', 'ISO 3166 country or subdivision (CN, CN-YN) or region:<slug>')
    .option('--agency <slug>', 'send it to this agency only')
    .option('--seller <fingerprint>', 'a seller fingerprint fp1.… (repeatable)', collect, [])
    .option('--indicator <id>', 'an indicator id (repeatable)', collect, [])
    .option('--evidence <file>', 'a screenshot or listing data, encrypted at this node to each agency (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (opts: FileOptions) => {
      const evidence = await Promise.all(opts.evidence.map(evidenceFile));
      const body = {
        summary: opts.summary,
        urgency: opts.urgency,
        commodity: opts.commodity,
        place: opts.place,
        sellers: opts.seller,
        indicators: opts.indicator,
        ...(opts.agency === undefined ? {} : { agency: opts.agency }),
        ...(evidence.length === 0 ? {} : { evidence }),
      };
      const filed = await toRunningNode<FiledCase>(cli, 'POST', '/v1/referrals', body);
      if (opts.json) return cli.print(JSON.stringify(filed, null, 2));
      cli.print(
        [`case ${filed.caseRef}`, ...filed.referrals.map((r) => (r.refused === undefined ? `referral ${r.referralId} filed to ${r.agency} (log entry ${r.leafIndex})` : `referral to ${r.agency} refused: ${r.refused.code}: ${r.refused.message}`))].join('\n'),
      );
      if (filed.referrals.some((r) => r.refused !== undefined)) process.exitCode = 1;
    });
  referrals
    .command('list')
    .description("this member's referrals and what each agency did (read from the hub)")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { referrals: found } = await toRunningNode<{ referrals: NodeReferralView[] }>(cli, 'GET', '/v1/referrals');
      cli.print(opts.json ? JSON.stringify(found, null, 2) : found.length === 0 ? 'no referrals' : found.map(formatReferral).join('\n'));
    });
  referrals
    .command('show <referralId>')
    .description('one referral: its state, the agency, the result or the reason it was declined')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { referral } = await toRunningNode<{ referral: NodeReferralView }>(cli, 'GET', `/v1/referrals/${encodeURIComponent(id)}`);
      cli.print(opts.json ? JSON.stringify(referral, null, 2) : `${formatReferral(referral)}\n    case ${referral.caseRef}, routed ${referral.routing}\n    ${referral.summary}`);
    });
}
