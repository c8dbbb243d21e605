import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { isWildintelError, systemClock } from '../kernel/index.js';
import type { FigureValue, HubGraphql } from '../report/index.js';

/** The report and audit code (HTTP clients, canonical JSON, the log verifier) load only when a command runs. */
async function reportModules(): Promise<typeof import('../report/index.js') & Pick<typeof import('../audit/index.js'), 'createHttpLogClient'>> {
  const [report, audit] = await Promise.all([import('../report/index.js'), import('../audit/index.js')]);
  return { ...report, createHttpLogClient: audit.createHttpLogClient };
}
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { hubGraphql } from './hub-graphql.js';

interface ReportOptions {
  hub: string;
  from: string;
  to: string;
  out: string;
  root: string;
  logKey: string;
  token?: string;
  referralDeadlineHours?: string;
}

/** `wildintel report`: the transparency report of a period, computed from the verified log (docs/auditor.md). */
export function registerReportCommand(program: Command, cli: CliContext): void {
  program
    .command('report')
    .description('write the transparency report of a period (report.json and a self-contained report.html) computed from the verified log and the batches it commits to')
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--from <date>', 'the first day of the period (YYYY-MM-DD, UTC) or an RFC 3339 date-time')
    .requiredOption('--to <date>', 'the last day of the period (YYYY-MM-DD, included) or an RFC 3339 date-time (excluded)')
    .requiredOption('--out <dir>', 'the directory to write report.json and report.html into (created if missing)')
    .requiredOption('--root <file>', 'the federation root certificate (certs/root.pem)')
    .requiredOption('--log-key <vkey>', 'the log verifier key (from `wildintel hub keys`), or a file holding it')
    .option('--token <jwt>', 'an auditor token: provenance:read reads every batch (the item figures), audit:read the disclosure records (the figures by agency)')
    .option('--referral-deadline-hours <h>', 'a referral not acknowledged within this many hours is overdue (default: the report format\'s, 72)')
    .action(async (opts: ReportOptions) => {
      const { buildReport, collectLog, createHttpLogClient, DEFAULT_REFERRAL_DEADLINE_HOURS, parsePeriod, renderReportHtml } = await reportModules();
      const period = parsePeriod(opts.from, opts.to);
      const hours = opts.referralDeadlineHours === undefined ? DEFAULT_REFERRAL_DEADLINE_HOURS : Number(opts.referralDeadlineHours);
      if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 365) throw new CliError('INVALID_ARGUMENT', '--referral-deadline-hours must be a positive number of hours, at most a year');
      const rootPem = readTextFile(opts.root, 'root certificate');
      const graphql = opts.token === undefined ? undefined : await disclosureAccess(opts.hub, opts.token);
      const log = await collectLog({
        client: createHttpLogClient(opts.hub, opts.token === undefined ? {} : { token: opts.token }),
        verifierKey: logKey(opts.logKey),
        rootPem,
        clock: systemClock,
        ...(graphql ? { graphql } : {}),
      });
      const report = await buildReport(log, { hub: opts.hub, ...period, referralDeadlineHours: hours, rootPem, now: systemClock.now() });
      mkdirSync(opts.out, { recursive: true });
      const json = path.join(opts.out, 'report.json');
      const html = path.join(opts.out, 'report.html');
      writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(html, renderReportHtml(report));
      cli.print(
        [
          `report of ${report.period.from} – ${report.period.to} at checkpoint ${report.checkpoint.size}: ${report.figures.length} figures`,
          ...(report.access.batches ? [] : ['  item figures not computed: no token with provenance:read to read the batches']),
          ...(report.access.disclosures ? [] : ['  disclosure figures by agency not computed: no token with audit:read']),
          `  ${html}`,
          `  ${json}`,
        ].join('\n'),
      );
    });
}

/** `wildintel audit report REPORT.json`: recompute every figure from the log and name those that differ (exit 1). */
export function registerAuditReportCommand(audit: Command, cli: CliContext): void {
  audit
    .command('report <file>')
    .description("recompute every figure of a transparency report from the verified log, at the report's checkpoint, and name each figure that differs")
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--root <file>', 'the federation root certificate')
    .requiredOption('--log-key <vkey>', 'the log verifier key, or a file holding it')
    .option('--token <jwt>', 'needed when the report read batches (provenance:read) or disclosure records (audit:read)')
    .action(async (file: string, opts: { hub: string; root: string; logKey: string; token?: string }) => {
      const { auditReport, createHttpLogClient, parseReport, ReportError } = await reportModules();
      let parsed: unknown;
      try {
        parsed = JSON.parse(readTextFile(file, 'report'));
      } catch (cause) {
        if (isWildintelError(cause)) throw cause;
        throw new ReportError('INVALID_REPORT', `${file} is not JSON`);
      }
      const report = parseReport(parsed);
      if ((report.access.batches || report.access.disclosures) && opts.token === undefined) {
        throw new CliError('INVALID_ARGUMENT', `the report read ${report.access.batches ? 'every batch (provenance:read)' : ''}${report.access.batches && report.access.disclosures ? ' and ' : ''}${report.access.disclosures ? 'the disclosure records (audit:read)' : ''}: recomputing it needs --token with the same`);
      }
      const token = opts.token;
      const graphql: HubGraphql | undefined = report.access.disclosures && token !== undefined ? (query, variables) => hubGraphql(opts.hub, token, query, variables) : undefined;
      const result = await auditReport(report, {
        client: createHttpLogClient(opts.hub, report.access.batches && token !== undefined ? { token } : {}),
        verifierKey: logKey(opts.logKey),
        rootPem: readTextFile(opts.root, 'root certificate'),
        clock: systemClock,
        now: systemClock.now(),
        ...(graphql ? { graphql } : {}),
      });
      const show = (v: FigureValue | undefined) => (v === undefined ? 'absent' : JSON.stringify(v));
      if (result.differences.length > 0) {
        cli.print([`report NOT confirmed: ${result.differences.length} of ${result.figures} figures differ from the log at checkpoint ${result.checkpoint.size}`, ...result.differences.map((d) => `  ${d.id}: the report says ${show(d.stated)}, the log gives ${show(d.recomputed)}`)].join('\n'));
        throw new ReportError('FIGURES_DIFFER', `${result.differences.map((d) => d.id).join(', ')} differ${result.differences.length === 1 ? 's' : ''} from the log`);
      }
      cli.print(`report confirmed: all ${result.figures} figures recomputed from the verified log at checkpoint ${result.checkpoint.size} (root ${result.checkpoint.rootHash})`);
    });
}

/** The disclosure listing, if the token may read it (audit:read); without, the report says so and gives those figures as null. */
async function disclosureAccess(hub: string, token: string): Promise<HubGraphql | undefined> {
  const graphql: HubGraphql = (query, variables) => hubGraphql(hub, token, query, variables);
  try {
    await graphql(`query { disclosures(first: 1) { pageInfo { hasNextPage } } }`, {});
    return graphql;
  } catch (cause) {
    if (isWildintelError(cause) && (cause.code === 'FORBIDDEN' || cause.code === 'UNAUTHENTICATED')) return undefined;
    throw cause;
  }
}

function logKey(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8').trim() : value;
}
