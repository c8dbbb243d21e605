/**
 * `wildintel model train|score|evaluate|terms`: the suspicious-listing model on anyone's own
 * labelled JSONL, with no hub and no node (a member, a researcher, an auditor). Everything is
 * local: files in, JSON lines out. Progress goes to stderr on a terminal.
 */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { normalizeKeyword } from '../indicators/index.js';
import {
  CHAR_NGRAM_FEATURES,
  DEFAULT_FEATURES,
  DEFAULT_TERM_OPTIONS,
  DEFAULT_TRAINING,
  candidateTerms,
  crossValidate,
  keywordHits,
  parseLabelledLines,
  parseTextLines,
  readModelFile,
  roundFigures,
  scoreListing,
  seededRandom,
  trainModel,
  writeModelFile,
  type LabelledListing,
} from '../model/index.js';
import { systemClock } from '../kernel/index.js';
import type { CliContext } from './context.js';
import { readTextFile, wholeNumber } from './files.js';

const DEFAULT_SEED = '1';

interface CommonOptions {
  in: string;
  keywords?: string;
}

/** The keyword list: one keyword per line, normalized as published keywords are; blank lines skipped. */
function readKeywords(file: string | undefined): string[] | undefined {
  if (file === undefined) return undefined;
  return [...new Set(readTextFile(file, 'keyword file').split('\n').map((k) => normalizeKeyword(k)).filter((k) => k.length > 0))];
}

function readLabelled(opts: CommonOptions): { listings: LabelledListing[]; keywords: string[] | undefined } {
  const keywords = readKeywords(opts.keywords);
  const listings = parseLabelledLines(readTextFile(opts.in, 'input file')).map((l) => (keywords === undefined ? l : { ...l, hits: { keywords: keywordHits(keywords, l.text) } }));
  return { listings, keywords };
}

/** A progress bar on stderr when it is a terminal and the run is long enough to want one. */
function progress(label: string, total: number, examples: number): { step: (done: number) => void; stop: () => void } {
  const bar = process.stderr.isTTY && examples >= 2000 ? new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr }, Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  return { step: (done) => bar?.update(done), stop: () => bar?.stop() };
}

export function registerModelCommands(program: Command, cli: CliContext): void {
  const model = program.command('model').description('the suspicious-listing model on your own labelled listings (JSONL: {"text": "…", "label": true|false} per line); nothing leaves this machine');

  model
    .command('train')
    .description('train a model and write it, with its own cross-validated evaluation, to --out')
    .requiredOption('--in <file>', 'labelled listings (JSONL)')
    .requiredOption('--out <model>', 'the model file to write (replaced whole, mode 0600)')
    .option('--keywords <file>', 'keyword list, one per line: its hits become features (score with the same list)')
    .option('--folds <n>', 'cross-validation folds for the evaluation and the calibration', '5')
    .option('--seed <n>', 'seed of the folds and the training order', DEFAULT_SEED)
    .action((opts: CommonOptions & { out: string; folds: string; seed: string }) => {
      const folds = wholeNumber(opts.folds, '--folds', 2, 20);
      const seed = wholeNumber(opts.seed, '--seed', 0, 2 ** 31 - 1);
      const { listings, keywords } = readLabelled(opts);
      const bar = progress('training', folds + 1, listings.length);
      const trained = trainModel(listings, {
        features: DEFAULT_FEATURES,
        training: DEFAULT_TRAINING,
        folds,
        seed,
        random: seededRandom(seed),
        now: systemClock.now(),
        ...(keywords === undefined ? {} : { keywords }),
        onStep: (done) => bar.step(done),
      });
      bar.stop();
      writeModelFile(opts.out, trained);
      cli.print(JSON.stringify({ model: opts.out, evaluation: trained.evaluation }));
    });

  model
    .command('score')
    .description('score listings: one {"score": x} line per input line, in the same order (x from 0 to 1, calibrated)')
    .requiredOption('--model <model>', 'a model file from `wildintel model train`')
    .requiredOption('--in <file>', 'listings (JSONL with "text"; other fields ignored)')
    .option('--keywords <file>', 'the keyword list the model was trained with, if any')
    .option('--terms', 'add "topTerms": the words and n-grams that raised each score most')
    .action((opts: CommonOptions & { model: string; terms?: boolean }) => {
      const trained = readModelFile(opts.model);
      const keywords = readKeywords(opts.keywords);
      const texts = parseTextLines(readTextFile(opts.in, 'input file'));
      const bar = progress('scoring', texts.length, texts.length);
      const out: string[] = [];
      texts.forEach((text, i) => {
        const s = scoreListing(trained, text, keywords === undefined ? undefined : { keywords: keywordHits(keywords, text) });
        out.push(JSON.stringify(opts.terms === true ? { score: s.score, topTerms: s.topTerms } : { score: s.score }));
        if (i % 500 === 0) bar.step(i);
      });
      bar.stop();
      if (out.length > 0) cli.print(out.join('\n'));
    });

  model
    .command('evaluate')
    .description('cross-validate the model and keyword matching alone on the same folds: PR-AUC, best F1, precision at recall 0.8 and 0.9')
    .requiredOption('--in <file>', 'labelled listings (JSONL)')
    .option('--keywords <file>', 'keyword list for keyword-only matching (and hit features); default: per fold, the 10 best `model terms` of its training part')
    .option('--folds <n>', 'folds', '5')
    .option('--seed <n>', 'seed of the folds and the training order', DEFAULT_SEED)
    .option('--baseline', 'also a plain character n-gram logistic regression (same trainer, same folds)')
    .action((opts: CommonOptions & { folds: string; seed: string; baseline?: boolean }) => {
      const folds = wholeNumber(opts.folds, '--folds', 2, 20);
      const seed = wholeNumber(opts.seed, '--seed', 0, 2 ** 31 - 1);
      const { listings, keywords } = readLabelled(opts);
      const bar = progress('evaluating', folds * (opts.baseline === true ? 2 : 1), listings.length);
      const run = (features: typeof DEFAULT_FEATURES, offset: number) =>
        crossValidate(listings, { features, training: DEFAULT_TRAINING, folds, random: seededRandom(seed), ...(keywords === undefined ? {} : { keywords }), onFold: (k) => bar.step(offset + k) });
      const cv = run(DEFAULT_FEATURES, 0);
      const baseline = opts.baseline === true ? run(CHAR_NGRAM_FEATURES, folds) : undefined;
      bar.stop();
      cli.print(
        JSON.stringify({
          examples: listings.length,
          positives: listings.filter((l) => l.label).length,
          folds,
          seed,
          keywords: cv.keywordSource,
          model: roundFigures(cv.model),
          keywordOnly: roundFigures(cv.keywordOnly),
          ...(baseline === undefined ? {} : { charNgramBaseline: roundFigures(baseline.model) }),
        }),
      );
    });

  model
    .command('terms')
    .description('candidate code words: terms over-represented in listings labelled true, one {"term","lift","support"} line each, best first')
    .requiredOption('--in <file>', 'labelled listings (JSONL)')
    .option('--top <n>', 'how many', String(DEFAULT_TERM_OPTIONS.top))
    .option('--min-support <n>', 'fewest listings labelled true a term must appear in', String(DEFAULT_TERM_OPTIONS.minSupport))
    .option('--keywords <file>', 'keywords you have already (not proposed again, nor their parts or extensions)')
    .action((opts: CommonOptions & { top: string; minSupport: string }) => {
      const top = wholeNumber(opts.top, '--top', 1, 10_000);
      const minSupport = wholeNumber(opts.minSupport, '--min-support', 1, 1_000_000);
      const { listings, keywords } = readLabelled(opts);
      const terms = candidateTerms(listings, { top, minSupport, ...(keywords === undefined ? {} : { exclude: keywords }) });
      if (terms.length > 0) cli.print(terms.map((t) => JSON.stringify({ term: t.term, lift: t.lift, support: t.support })).join('\n'));
    });
}
