import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { auditLog, createHttpLogClient, parseState, serializeState, type AuditReport } from '../audit/index.js';
import { systemClock } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { readTextFile } from './files.js';

interface VerifyOptions {
  hub: string;
  root: string;
  logKey: string;
  state?: string;
  token?: string;
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
    .action(async (opts: VerifyOptions) => {
      const previous = opts.state !== undefined && existsSync(opts.state) ? parseState(readFileSync(opts.state, 'utf8')) : undefined;
      const progress = createProgress();
      const report = await auditLog({
        client: createHttpLogClient(opts.hub, opts.token === undefined ? {} : { token: opts.token }),
        verifierKey: existsSync(opts.logKey) ? readFileSync(opts.logKey, 'utf8').trim() : opts.logKey,
        rootPem: readTextFile(opts.root, 'root certificate'),
        clock: systemClock,
        ...(previous ? { previous } : {}),
        onProgress: progress.update,
      }).finally(progress.stop);
      if (opts.state !== undefined) saveAtomically(opts.state, serializeState(report.state));
      cli.print(summary(report, opts.token !== undefined));
    });
}

function summary(report: AuditReport, withBatches: boolean): string {
  const kinds = Object.entries(report.kinds).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return [
    `log verified: size ${report.to} (was ${report.from}), ${report.entriesChecked} new entries checked (${kinds})`,
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
