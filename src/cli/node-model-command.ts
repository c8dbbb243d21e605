/**
 * `wildintel node model label|retrain|status`: the member node's own suspicious-listing model.
 * The labelled listings and the model are files in the node's data directory (NODE_MODEL_*);
 * these commands work on them directly, and a running node picks up a new model at its next scan.
 */
import type { Command } from 'commander';
import { appendLabels, readInstalledModel, retrainModelFile } from '../model/index.js';
import { systemClock } from '../kernel/index.js';
import { modelFiles } from '../node/index.js';
import type { CliContext } from './context.js';
import { readTextFile, wholeNumber } from './files.js';

export function registerNodeModelCommands(node: Command, cli: CliContext): void {
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
