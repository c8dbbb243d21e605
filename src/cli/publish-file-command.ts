import type { Command } from 'commander';
import type { CliContext } from './context.js';

export interface PublishOptions {
  key: string;
  cert: string;
  chain?: string[];
  hub: string;
  tlp: string;
  batchSize: string;
  concurrency: string;
  attempts: string;
  journal?: string;
}

export function registerPublishCommand(program: Command, cli: CliContext): void {
  program
    .command('publish <file>')
    .description('sign a file of indicators (JSON lines) in batches and submit them to the hub, resumably')
    .requiredOption('--key <file>', "the member's private key")
    .requiredOption('--cert <file>', "the member's certificate (names the member)")
    .option('--chain <file...>', 'intermediate certificates, if any')
    .requiredOption('--hub <url>', 'the hub, e.g. https://hub.example.org')
    .option('--tlp <tlp>', 'TLP of lines that do not say (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)', 'AMBER')
    .option('--batch-size <n>', 'indicators per batch (at most 10000)', '1000')
    .option('--concurrency <n>', 'batches in flight', '4')
    .option('--attempts <n>', 'tries per batch while the hub is unreachable or failing (with backoff)', '6')
    .option('--journal <file>', 'where signed batches and receipts are kept (default FILE.journal)')
    .addHelpText('after', '\nEach line: an indicator as published ({"type","value","commodity","observedAt","confidence",…}, optional "tlp"),\nor {"retract": "<indicator id>", "reason": "…"}. Running the same command again resumes and never counts a batch twice.')
    .action(async (file: string, opts: PublishOptions) => (await import('./publish/run.js')).publish(file, opts, cli));
}
