import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { AuditReport, DisclosureAuditReport } from '../audit/index.js';
import { hubGraphql } from './hub-graphql.js';
import { CliError } from './files.js';
import { systemClock } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { readTextFile } from './files.js';
import { registerAuditReportCommand } from './report-command.js';

// The auditor's checks, loaded when a command runs: help and usage errors need none of them.
const loadAudit = (): Promise<typeof import('../audit/index.js')> => import('../audit/index.js');

interface VerifyOptions {
  hub: string;
  root: string;
  logKey: string;
  state?: string;
  token?: string;
  tiles?: boolean;
}

export function registerAuditCommands(program: Command, cli: CliContext): void {
  const audit = program.command('audit').description('auditors: check that the log is append-only and that every batch is what its member signed');
  audit
    .command('verify')
    .description('verify the checkpoint, prove it extends the last verified one, recompute the root from every new entry; with --token also verify every batch')
    .requiredOption('--hub <url>', 'the hub, e.g. https://hub.example.org')
    .requiredOption('--root <file>', 'the federation root certificate (certs/root.pem)')
    .requiredOption('--log-key <vkey>', 'the log verifier key (from `wildintel hub keys`), or a file holding it')
    .option('--state <file>', 'where the last verified checkpoint is kept between runs (created on the first run)')
    .option('--token <jwt>', 'a token that may read batches (an auditor token with provenance:read, or a member request token)')
    .option('--tiles', "read the log from its C2SP tiles alone (/log/tile/…: entry bundles and hash tiles, from the hub or any mirror of it) and compute every proof here, instead of asking the hub's proof endpoints")
    .action(async (opts: VerifyOptions) => {
      const { auditLog, createHttpLogClient, createTileLogClient, parseState, serializeState } = await loadAudit();
      const previous = opts.state !== undefined && existsSync(opts.state) ? parseState(readFileSync(opts.state, 'utf8')) : undefined;
      const progress = createProgress();
      const access = opts.token === undefined ? {} : { token: opts.token };
      const report = await auditLog({
        client: opts.tiles ? createTileLogClient(opts.hub, access) : createHttpLogClient(opts.hub, access),
        verifierKey: existsSync(opts.logKey) ? readFileSync(opts.logKey, 'utf8').trim() : opts.logKey,
        rootPem: readTextFile(opts.root, 'root certificate'),
        clock: systemClock,
        ...(previous ? { previous } : {}),
        onProgress: progress.update,
      }).finally(progress.stop);
      if (opts.state !== undefined) saveAtomically(opts.state, serializeState(report.state));
      cli.print(summary(report, opts.token !== undefined, opts.tiles === true));
    });
  registerBundleCommands(audit, cli);
  registerAuditReportCommand(audit, cli);
  audit
    .command('disclosures')
    .description('verify the whole log, then that every disclosure the hub lists is in it and no disclosure step in it goes unlisted; prints the volume per agency')
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--root <file>', 'the federation root certificate')
    .requiredOption('--log-key <vkey>', 'the log verifier key, or a file holding it')
    .requiredOption('--token <jwt>', 'an auditor token with audit:read')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { hub: string; root: string; logKey: string; token: string; json?: boolean }) => {
      const { auditDisclosures, createHttpLogClient } = await loadAudit();
      const progress = createProgress();
      const report = await auditDisclosures({
        client: createHttpLogClient(opts.hub),
        verifierKey: existsSync(opts.logKey) ? readFileSync(opts.logKey, 'utf8').trim() : opts.logKey,
        rootPem: readTextFile(opts.root, 'root certificate'),
        clock: systemClock,
        graphql: (query, variables) => hubGraphql(opts.hub, opts.token, query, variables),
        onProgress: progress.update,
      }).finally(progress.stop);
      cli.print(opts.json ? JSON.stringify(report, null, 2) : disclosureSummary(report));
    });
}

function disclosureSummary(r: DisclosureAuditReport): string {
  const rows = r.volume.map((v) => {
    const reasons = Object.entries(v.declineReasons).map(([k, n]) => `${k} ${n}`).join(', ');
    return `  ${v.agency.padEnd(24)} ${String(v.requests).padStart(5)} ${String(v.membersAsked).padStart(6)} ${String(v.answered).padStart(8)} ${String(v.declined).padStart(8)} ${String(v.unanswered).padStart(10)} ${String(v.retrieved).padStart(9)}${reasons ? `  (${reasons})` : ''}`;
  });
  return [
    `disclosures verified: ${r.requests} requests, ${r.entries} disclosure entries and ${r.agencyKeyRegistrations} agency key registrations in a log of ${r.treeSize}; every listed record is logged, and every logged step is listed`,
    `  ${'agency'.padEnd(24)} ${'reqs'.padStart(5)} ${'asked'.padStart(6)} ${'answered'.padStart(8)} ${'declined'.padStart(8)} ${'unanswered'.padStart(10)} ${'retrieved'.padStart(9)}`,
    ...rows,
  ].join('\n');
}

const PROVENANCE_QUERY = `query($id: ID!) { provenance(indicatorId: $id) { indicatorId checkpoint treeSize sightings { member batchId tlp jws sdJwt certificateChain leafIndex logEntry inclusionProof } } }`;

function registerBundleCommands(audit: Command, cli: CliContext): void {
  audit
    .command('export')
    .description('write a self-contained provenance bundle of an indicator (JSON, to standard output)')
    .requiredOption('--indicator <id>', 'the indicator id')
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', 'a token that may read the batches (provenance:read sees them all)')
    .action(async (opts: { indicator: string; hub: string; token: string }) => {
      const { toBundleFile } = await loadAudit();
      const res = await fetch(`${opts.hub.replace(/\/$/, '')}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
        body: JSON.stringify({ query: PROVENANCE_QUERY, variables: { id: opts.indicator } }),
      });
      const body = (await res.json()) as { data?: { provenance: Parameters<typeof toBundleFile>[0] | null }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      if (body.errors?.length) throw new CliError('INVALID_ARGUMENT', `the hub refused: ${body.errors[0]!.message} [${body.errors[0]!.extensions?.code ?? '?'}]`);
      if (!body.data?.provenance) throw new CliError('INVALID_ARGUMENT', `no sighting of ${opts.indicator} is visible to this token`);
      const { file, unsigned } = toBundleFile(body.data.provenance);
      if (file.sightings.length === 0) throw new CliError('INVALID_ARGUMENT', `the token may see only part of each batch of ${opts.indicator}, all of version 1: nothing signed to export (a token with provenance:read sees them whole)`);
      if (unsigned > 0) process.stderr.write(`${unsigned} sighting(s) left out: version 1 batches this token may see only in part carry no signature to check\n`);
      cli.print(JSON.stringify(file, null, 2));
    });
  audit
    .command('check <bundle>')
    .description('verify a provenance bundle offline, with only the root certificate and the log key')
    .requiredOption('--root <file>', 'the federation root certificate')
    .requiredOption('--log-key <vkey>', 'the log verifier key, or a file holding it')
    .action(async (file: string, opts: { root: string; logKey: string }) => {
      const { checkBundle } = await loadAudit();
      const report = await checkBundle(JSON.parse(readTextFile(file, 'bundle')) as unknown, {
        rootPem: readTextFile(opts.root, 'root certificate'),
        verifierKey: existsSync(opts.logKey) ? readFileSync(opts.logKey, 'utf8').trim() : opts.logKey,
        clock: systemClock,
      });
      const shown = (s: (typeof report.sightings)[number]): string => (s.withheld > 0 ? `; disclosed alone, ${s.withheld} other items withheld` : '');
      cli.print([`bundle verified: indicator ${report.indicatorId} in a log of ${report.treeSize} entries`, ...report.sightings.map((s) => `  ${s.member} batch ${s.batchId} (entry ${s.leafIndex}, signed ${s.createdAt}${shown(s)})`)].join('\n'));
    });
}

function summary(report: AuditReport, withBatches: boolean, fromTiles: boolean): string {
  const kinds = Object.entries(report.kinds).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return [
    `log verified: size ${report.to} (was ${report.from}), ${report.entriesChecked} new entries checked (${kinds})`,
    ...(fromTiles ? ['read from the C2SP tiles alone: entry bundles, hash tiles (they hash to the signed root), proofs computed here'] : []),
    withBatches ? `batches verified: ${report.batchesVerified} (content hash, signature, chain, enrolment and revocation as the log records them)` : 'batches: not fetched (no --token)',
  ].join('\n');
}

/** The state is replaced in one rename: a crash never leaves a half-written one. */
function saveAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.tmp`);
  writeFileSync(temporary, text, { mode: 0o644 });
  renameSync(temporary, file);
}

function createProgress(): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: 'auditing [{bar}] {value}/{total} entries', stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}
