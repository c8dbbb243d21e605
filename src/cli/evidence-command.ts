import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { EvidenceReport } from '../evidence/index.js';
import { systemClock } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { hubGraphql } from './hub-graphql.js';

// The evidence checks bring the disclosure and database layers: loaded when a command runs, not for help.
const loadEvidence = (): Promise<typeof import('../evidence/index.js')> => import('../evidence/index.js');

function formatReport(r: EvidenceReport): string {
  const lines = [`evidence verified: case ${r.caseId} of ${r.agency}, against the log ${r.checkpointOrigin} at ${r.treeSize} entries`, ''];
  for (const s of r.statements) {
    lines.push(`• ${s.subject}`);
    for (const p of s.proves) lines.push(`    proves:          ${p}`);
    for (const n of s.doesNotProve) lines.push(`    does not prove:  ${n}`);
  }
  return lines.join('\n');
}

export function registerEvidenceCommands(program: Command, cli: CliContext): void {
  const evidence = program.command('evidence').description('evidence packages for a prosecutor: one file, verifiable offline (docs/disclosure.md)');
  evidence
    .command('export')
    .description("write a case's evidence package: indicators, sightings, signed batches with proofs, every disclosure record, a bilingual summary; with --key also the decrypted answers")
    .requiredOption('--case <id>', 'the case id (of requests this agency filed)')
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', 'a token with disclosure:request (and the read scopes the indicators need)')
    .option('--indicator <id...>', 'more indicators to include (e.g. keywords and images linked to the seller)')
    .option('--key <file>', "the agency's private encryption key: include the decrypted answers (with the content key of each, never this key)")
    .option('--out <file>', 'where to write the package (JSON); default standard output')
    .option('--summary <file>', 'also write the summary (Markdown)')
    .action(async (opts: { case: string; hub: string; token: string; indicator?: string[]; key?: string; out?: string; summary?: string }) => {
      const data = await hubGraphql<{ evidence: { document: string } }>(opts.hub, opts.token, `query($c: String!, $i: [ID!]) { evidence(caseId: $c, indicatorIds: $i) { document } }`, { c: opts.case, i: opts.indicator ?? null });
      const { parseEvidencePackage, withDecryptedAnswers } = await loadEvidence();
      let pkg = parseEvidencePackage(JSON.parse(data.evidence.document));
      if (opts.key !== undefined) pkg = await withDecryptedAnswers(pkg, readTextFile(opts.key, 'encryption key'));
      const text = `${JSON.stringify(pkg, null, 2)}\n`;
      if (opts.out === undefined) cli.print(text.trimEnd());
      else await writeFile(opts.out, text, { mode: 0o600 });
      if (opts.summary !== undefined) await writeFile(opts.summary, pkg.summary.markdown, { mode: 0o600 });
      process.stderr.write(`wildintel: case ${opts.case}: ${pkg.disclosures.length} requests, ${pkg.indicators.length} indicators, ${pkg.answers.length} decrypted answers${opts.out ? ` written to ${opts.out}` : ''}${pkg.answers.length > 0 ? ' (it holds personal data: keep it as the case file requires)' : ''}\n`);
    });
  evidence
    .command('verify <file>')
    .description('check a package offline with only the federation root and the log key, and say what each signature proves and what it does not')
    .requiredOption('--root <file>', 'the federation root certificate')
    .requiredOption('--log-key <vkey>', 'the log verifier key, or a file holding it')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { root: string; logKey: string; json?: boolean }) => {
      let document: unknown;
      try {
        document = JSON.parse(readTextFile(file, 'evidence package'));
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError('INVALID_ARGUMENT', `${file} is not JSON`);
      }
      const { verifyEvidence } = await loadEvidence();
      const report = await verifyEvidence(document, {
        rootPem: readTextFile(opts.root, 'root certificate'),
        verifierKey: existsSync(opts.logKey) ? readFileSync(opts.logKey, 'utf8').trim() : opts.logKey,
        clock: systemClock,
      });
      cli.print(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });
}
