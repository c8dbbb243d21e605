/**
 * `wildintel node model label|retrain|status`: the member node's own suspicious-listing model.
 * The labelled listings and the model are files in the node's data directory (NODE_MODEL_*);
 * these commands work on them directly, and a running node picks up a new model at its next scan.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_WARNINGLISTS } from '../guards/index.js';
import { COMMODITIES, normalizeKeyword } from '../indicators/index.js';
import { appendLabels, parseLabelledLines, proposeTerms, readInstalledModel, readTermDecisions, recordTermDecision, retrainModelFile } from '../model/index.js';
import { isWildintelError, systemClock } from '../kernel/index.js';
import { modelFiles, type Config } from '../config/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile, wholeNumber } from './files.js';

type Submit = (observations: unknown[]) => Promise<{ viaNode: boolean; indicators: number }>;

export function registerNodeModelCommands(node: Command, cli: CliContext, submit: Submit): void {
  registerNodeTermCommands(node, cli, submit);
  const model = node.command('model').description("the node's suspicious-listing model, learnt from the member's own labelled listings (which never leave the node)");

  model
    .command('label')
    .description('add labelled listings (JSONL {"text": "…", "label": true|false}: your moderators\' decisions) to what the model learns from')
    .requiredOption('--in <file>', 'labelled listings; every line is checked before any is added')
    .action((opts: { in: string }) => {
      const { labelsFile } = modelFiles(cli.config());
      const added = appendLabels(labelsFile, readTextFile(opts.in, 'input file'));
      cli.print(JSON.stringify({ added, labels: labelsFile }));
    });

  model
    .command('retrain')
    .description('train a model on the labelled listings and install it, unless it evaluates worse than the one in use')
    .option('--force', 'install it even if it evaluates worse')
    .option('--seed <n>', 'seed of the folds and the training order', '1')
    .action((opts: { force?: boolean; seed: string }) => {
      const files = modelFiles(cli.config());
      const r = retrainModelFile({ ...files, now: systemClock.now(), seed: wholeNumber(opts.seed, '--seed', 0, 2 ** 31 - 1), force: opts.force === true });
      cli.print(JSON.stringify({ installed: r.installed, model: files.modelFile, evaluation: r.candidate.evaluation, previous: r.previous?.evaluation ?? null }));
    });

  model
    .command('status')
    .description('the installed model: when it was trained, on how many listings, and its evaluation')
    .action(() => {
      const { modelFile } = modelFiles(cli.config());
      const installed = readInstalledModel(modelFile);
      cli.print(JSON.stringify(installed === undefined ? { installed: false, model: modelFile } : { installed: true, model: modelFile, created: installed.created, training: installed.training, evaluation: installed.evaluation }));
    });
}

function registerNodeTermCommands(node: Command, cli: CliContext, submit: Submit): void {
  const terms = node.command('terms').description("emerging code words: terms over-represented in the node's listings labelled suspicious that the federation does not list yet");

  terms
    .command('list')
    .description('proposals, one JSON line each: term, lift, support and scrubbed example snippets, best first')
    .option('--top <n>', 'how many', '20')
    .option('--min-support <n>', 'fewest listings labelled suspicious a term must appear in', '3')
    .action(async (opts: { top: string; minSupport: string }) => {
      const config = cli.config();
      const { labelsFile } = modelFiles(config);
      if (!existsSync(labelsFile)) throw new CliError('FILE_NOT_FOUND', `no labelled listings yet at ${labelsFile} (add them with \`wildintel node model label --in FILE.jsonl\`)`);
      const decisions = readTermDecisions(termDecisionsFile(config));
      const exclude = [...DEFAULT_WARNINGLISTS.flatMap((l) => l.entries), ...(await federationKeywords(config))];
      const proposals = proposeTerms(parseLabelledLines(readFileSync(labelsFile, 'utf8')), {
        top: wholeNumber(opts.top, '--top', 1, 1000),
        minSupport: wholeNumber(opts.minSupport, '--min-support', 1, 1_000_000),
        exclude,
        decided: new Set(Object.keys(decisions)),
      });
      if (proposals.length > 0) cli.print(proposals.map((p) => JSON.stringify(p)).join('\n'));
    });

  terms
    .command('approve <term>')
    .description('publish the term as a KEYWORD observation (through the intake and its guards) and stop proposing it')
    .requiredOption('--commodity <c>', `the commodity it names: ${COMMODITIES.join(', ')}`)
    .option('--confidence <n>', 'confidence, 0–100', '70')
    .action(async (raw: string, opts: { commodity: string; confidence: string }) => {
      const term = normalizeKeyword(raw);
      if (term.length === 0) throw new CliError('INVALID_ARGUMENT', 'the term is empty once normalized');
      const now = systemClock.now();
      const queued = await submit([{ kind: 'keyword', text: term, commodity: opts.commodity, confidence: wholeNumber(opts.confidence, '--confidence', 0, 100), observedAt: now.toISOString() }]);
      recordTermDecision(termDecisionsFile(cli.config()), term, 'approved', now);
      cli.print(JSON.stringify({ term, decision: 'approved', indicators: queued.indicators, viaNode: queued.viaNode }));
    });

  terms
    .command('dismiss <term>')
    .description('stop proposing the term')
    .action((raw: string) => {
      const term = normalizeKeyword(raw);
      if (term.length === 0) throw new CliError('INVALID_ARGUMENT', 'the term is empty once normalized');
      recordTermDecision(termDecisionsFile(cli.config()), term, 'dismissed', systemClock.now());
      cli.print(JSON.stringify({ term, decision: 'dismissed' }));
    });
}

function termDecisionsFile(config: Readonly<Config>): string {
  return `${modelFiles(config).labelsFile.replace(/\.jsonl$/, '')}.term-decisions.json`;
}

/**
 * The federation's keywords as the node's feed holds them. A node running on the embedded
 * database holds it open: then only the warninglists and decisions are left out, and stderr says so.
 */
async function federationKeywords(config: Readonly<Config>): Promise<string[]> {
  // Loaded here, not at the top: the node's database code (TypeORM, PGlite) must not weigh on every CLI start.
  const { openNodeDatabase } = await import('../node/index.js');
  let database: Awaited<ReturnType<typeof openNodeDatabase>>;
  try {
    database = await openNodeDatabase(config);
  } catch (err) {
    if (!isWildintelError(err) || err.code !== 'DATABASE_IN_USE') throw err;
    process.stderr.write('wildintel: the running node holds its embedded database: federation keywords are not left out of this list (stop the node, or run it on Postgres)\n');
    return [];
  }
  try {
    const rows = (await database.dataSource.query(`SELECT DISTINCT value FROM node_feed_indicators WHERE type = 'KEYWORD'`)) as Array<{ value: string }>;
    return rows.map((r) => r.value);
  } finally {
    await database.close();
  }
}
