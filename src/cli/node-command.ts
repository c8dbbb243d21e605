import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import type { Config } from '../config/index.js';
import { WildintelError, systemClock, systemRandom } from '../kernel/index.js';
import type { IndicatorMade, NodeStatus } from '../node/index.js';
import { escapeForTerminal } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { CliError, wholeNumber } from './files.js';
import { formatDisclosureStatus, registerNodeRequestCommands } from './node-requests-command.js';
import { callNode, replyOrThrow } from './node-socket.js';
import { registerNodeOutcomeCommands } from './node-outcomes-command.js';
import { registerNodeReviewerCommands } from './node-reviewers-command.js';
import { registerNodeReferralCommands } from './node-referrals-command.js';
import { registerNodeModelCommands } from './node-model-command.js';

// The node brings TypeORM, PGlite, sharp and Express: loaded when a command needs it, not for help.
const loadNode = (): Promise<typeof import('../node/index.js')> => import('../node/index.js');

export function registerNodeCommands(program: Command, cli: CliContext): void {
  const node = program
    .command('node')
    .description("run the member node: the platform API, anonymizer, outbox and publisher, hub audit and feed")
    .addHelpText('after', '\nSettings come from the environment (NODE_*, HUB_URL, PSEUDONYM_KEYS_FILE…); see `wildintel config` and docs/member-node.md.')
    .action(() => runNode(cli));

  node
    .command('import <file>')
    .description('queue a file of observations (JSON lines, the shape of POST /v1/observations) for publishing')
    .option('--chunk <n>', 'observations per request to the node', '200')
    .option('--from-line <n>', 'skip the lines before this one (to resume after fixing a refused line)', '1')
    .action((file: string, opts: { chunk: string; fromLine: string }) => importFile(file, opts, cli));

  node
    .command('status')
    .description('outbox, refused batches, last receipt, hub audit alarms and feed position')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const status = await nodeStatus(cli.config());
      cli.print(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      if (status.alarms.count > 0) process.exitCode = 3;
    });

  registerNodeRequestCommands(node, cli);
  registerNodeReviewerCommands(node, cli);
  registerNodeOutcomeCommands(node, cli);
  registerNodeModelCommands(node, cli, (observations) => submitOnce(cli.config(), observations));
  registerNodeReferralCommands(node, cli);

  node
    .command('api-key')
    .description('platform API keys')
    .command('new <name>')
    .description('make a platform API key: printed once, only its SHA-256 is kept (NODE_API_KEYS_FILE)')
    .action(async (name: string) => {
      const { apiKeysFile, newApiKey } = await loadNode();
      const file = apiKeysFile(cli.config());
      const { key, line } = newApiKey(name, systemRandom);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, `${line}\n`, { mode: 0o600 });
      cli.print(key);
      process.stderr.write(`wildintel: key "${name}" added to ${file}; the node accepts it at once. Store it now: it is not shown again.\n`);
    });

  program
    .command('federation')
    .description('federation-wide material the members share')
    .command('pseudonym-key')
    .description('the federation pseudonym key (HMAC key of seller fingerprints)')
    .command('new')
    .description('make a new pseudonym key file {keyId, secret} (0600), to share with every member out of band; never with the hub')
    .requiredOption('--key-id <id>', 'epoch name, e.g. 2026-01')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (opts: { keyId: string; out: string }) => {
      const [{ newPseudonymKeyFile }, { writePrivateKeyFile }] = await Promise.all([loadNode(), import('../pki/index.js')]);
      await writePrivateKeyFile(path.resolve(opts.out), newPseudonymKeyFile(opts.keyId, systemRandom));
      cli.print(`pseudonym key ${opts.keyId} written to ${path.resolve(opts.out)} (0600): give it to every member node as PSEUDONYM_KEYS_FILE`);
    });
}

async function runNode(cli: CliContext): Promise<void> {
  const { startNode } = await loadNode();
  const node = await startNode({ config: cli.config(), logger: cli.logger() });
  const logger = cli.logger().child({ service: `node:${node.member}` });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'signal received');
      node.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function nodeStatus(config: Readonly<Config>): Promise<NodeStatus> {
  const reply = await callNode(config, 'GET', '/v1/status');
  if (reply.reached) return replyOrThrow<NodeStatus>(reply);
  const { openNodeDatabase, readNodeStatus } = await loadNode();
  const database = await openNodeDatabase(config);
  try {
    return await readNodeStatus(database.dataSource);
  } finally {
    await database.close();
  }
}

function formatStatus(s: NodeStatus): string {
  const lines = [
    `outbox      ${s.outbox.pending} pending, ${s.outbox.queued} queued, ${s.outbox.accepted} accepted, ${s.outbox.refused} refused`,
    s.outbox.retrying ? `retrying    batch ${s.outbox.retrying.batchId}: ${s.outbox.retrying.attempts} tries, next ${s.outbox.retrying.nextAttemptAt} (${s.outbox.retrying.lastError ?? ''})` : undefined,
    s.lastReceipt ? `last receipt batch ${s.lastReceipt.batchId} at log entry ${s.lastReceipt.leafIndex}, ${s.lastReceipt.acceptedAt} (audit ${s.lastReceipt.audit})` : 'last receipt none yet',
    `hub audit   ${s.audit.verified} receipts verified, ${s.audit.failed} failed, ${s.audit.pending} pending; checkpoint ${s.audit.checkpoint ? `${s.audit.checkpoint.size} entries at ${s.audit.checkpoint.at}` : 'none yet'}`,
    `feed        next entry ${s.feed.next}${s.feed.halted ? ' (HALTED: see alarms)' : ''}; ${s.feed.indexed.keywords} keywords, ${s.feed.indexed.images} image hashes indexed`,
    `dead letters ${s.deadLetters.count}${s.deadLetters.count > 0 ? ' (refused by the hub for good, never published)' : ''}`,
    ...s.deadLetters.recent.map((d) => `  DEAD ${d.deadAt} batch ${d.batchId} ${d.kind} ${d.index}${d.type ? ` (${d.type})` : ''} ${d.indicatorId}: ${d.code} ${d.message}`),
    formatDisclosureStatus(s),
    s.reports ? formatReports(s.reports) : undefined,
    `acted on elsewhere ${s.actedOnElsewhere.count} indicators you still have live were removed by another member (wildintel node outcomes record)`,
    ...s.actedOnElsewhere.recent.map((a) => `  ${a.indicatorId} removed by ${a.members.join(', ')} (last ${a.lastActedAt})`),
    `alarms      ${s.alarms.count}`,
    ...s.alarms.recent.map((a) => `  ALARM ${new Date(a.raisedAt).toISOString()} ${a.code}: ${a.message}`),
    ...s.refusedBatches.map((b) => `  REFUSED batch ${b.batchId} (${b.tlp}, ${b.count} items, ${b.createdAt}): ${b.code} ${b.message}`),
  ];
  return lines.filter((l) => l !== undefined).join('\n');
}

/** Volunteer names come from the operator's own CLI; escaped all the same. */
function formatReports(r: NonNullable<NodeStatus['reports']>): string {
  const pct = (x: number | null): string => (x === null ? '–' : `${Math.round(x * 100)}%`);
  const today = r.perDay[r.perDay.length - 1]?.filed ?? 0;
  const refused = Object.entries(r.refused).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  const volunteers = r.volunteers.map((v) => `  volunteer ${escapeForTerminal(v.name)}: ${v.decisions} decisions, agreement with moderators ${pct(v.agreement)}`);
  const median = r.medianSecondsToDecision === null ? '–' : `${Math.round(r.medianSecondsToDecision)} s`;
  return [`public reports ${r.open} open, ${r.confirmed} confirmed, ${r.rejected} rejected (${pct(r.shareConfirmed)} confirmed), ${today} today, median time to decision ${median}; refused: ${refused}`, ...volunteers].join('\n');
}

interface ImportLine {
  readonly line: number;
  readonly observation: Record<string, unknown>;
}

/**
 * Checks every line before anything is queued, then sends chunks in order: to the running node
 * through its socket, or, with none running, straight into the node's database (the node
 * publishes them when it starts). Images named by `path` (relative to the file) are read here,
 * with the operator's permissions, and sent as data.
 */
async function importFile(file: string, opts: { chunk: string; fromLine: string }, cli: CliContext): Promise<void> {
  const chunk = wholeNumber(opts.chunk, '--chunk', 1, 1000);
  const fromLine = wholeNumber(opts.fromLine, '--from-line', 1, Number.MAX_SAFE_INTEGER);
  const lines = await readImportFile(file, fromLine);
  const config = cli.config();
  const send = await importTarget(config);
  const progress = createProgress(lines.length);
  let indicators = 0;
  try {
    for (let i = 0; i < lines.length; i += chunk) {
      const part = lines.slice(i, i + chunk);
      const observations = await Promise.all(part.map((l) => inlineImage(l, path.dirname(path.resolve(file)))));
      try {
        indicators += (await send.submit(observations)).flat().length;
      } catch (err) {
        const index = err instanceof WildintelError ? Number(err.details?.['index'] ?? -1) : -1;
        const at = part[index]?.line ?? part[0]!.line;
        const queued = i === 0 ? 'nothing was queued' : `lines before ${part[0]!.line} were queued`;
        throw new CliError('INVALID_ARGUMENT', `line ${at}: ${(err as Error).message.replace(/^observation \d+: /, '')}${err instanceof WildintelError ? ` [${err.code}]` : ''}; ${queued}: fix it and run again with --from-line ${part[0]!.line}`);
      }
      progress.advance(part.length);
    }
  } finally {
    progress.stop();
    await send.close();
  }
  cli.print(`queued ${plural(lines.length, 'observation')} as ${plural(indicators, 'indicator')}${send.viaNode ? '' : ' (no node running: they are published when it starts)'}`);
}

async function readImportFile(file: string, fromLine: number): Promise<ImportLine[]> {
  const { parseObservation } = await loadNode();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliError('FILE_NOT_FOUND', `input file ${file} cannot be read`);
  }
  const lines: ImportLine[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (i + 1 < fromLine || raw.trim() === '') continue;
    let observation: unknown;
    try {
      observation = JSON.parse(raw);
    } catch {
      throw new CliError('INVALID_ARGUMENT', `line ${i + 1} is not JSON; nothing was queued`);
    }
    try {
      parseObservation(observation, 0);
    } catch (err) {
      throw new CliError('INVALID_ARGUMENT', `line ${i + 1}: ${(err as Error).message.replace(/^observation 0: /, '')}; nothing was queued`);
    }
    lines.push({ line: i + 1, observation: observation as Record<string, unknown> });
  }
  return lines;
}

async function inlineImage({ observation, line }: ImportLine, baseDir: string): Promise<Record<string, unknown>> {
  if (observation['kind'] !== 'image' || typeof observation['path'] !== 'string') return observation;
  const { path: file, ...rest } = observation;
  try {
    return { ...rest, data: (await readFile(path.resolve(baseDir, file as string))).toString('base64') };
  } catch {
    throw new CliError('FILE_NOT_FOUND', `line ${line}: the image ${String(file)} cannot be read`);
  }
}

interface ImportTarget {
  readonly viaNode: boolean;
  submit(observations: unknown[]): Promise<IndicatorMade[][]>;
  close(): Promise<void>;
}

async function importTarget(config: Readonly<Config>): Promise<ImportTarget> {
  const probe = await callNode(config, 'GET', '/healthz');
  if (probe.reached) {
    return {
      viaNode: true,
      async submit(observations) {
        const reply = await callNode(config, 'POST', '/v1/observations', { observations });
        if (!reply.reached) throw new CliError('INVALID_ARGUMENT', 'the node stopped during the import');
        return replyOrThrow<{ indicators: IndicatorMade[][] }>(reply).indicators;
      },
      close: async () => undefined,
    };
  }
  const { createObservationIntake, loadNodeSettings, openNodeDatabase, parseObservation } = await loadNode();
  const settings = await loadNodeSettings(config, systemRandom);
  const database = await openNodeDatabase(config);
  const { observations: service } = await createObservationIntake(settings, database, { clock: systemClock, random: systemRandom });
  return {
    viaNode: false,
    submit: (observations) => service.submit(observations.map((o, index) => parseObservation(o, index))),
    close: () => database.close(),
  };
}

/** Queues observations once, through the running node or, when none runs, into its outbox directly. */
async function submitOnce(config: Readonly<Config>, observations: unknown[]): Promise<{ viaNode: boolean; indicators: number }> {
  const send = await importTarget(config);
  try {
    return { viaNode: send.viaNode, indicators: (await send.submit(observations)).flat().length };
  } finally {
    await send.close();
  }
}

function createProgress(total: number): { advance(n: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { advance: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} observations | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return { advance: (n) => bar.increment(n), stop: () => bar.stop() };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
