/**
 * The cost of the precision guards (issue 21) on the two paths they sit on, each beside the same
 * path without them, in the same run: ingest's per-item validation (parseIndicator, then the
 * keyword specificity rule) and matchText's work in memory (the keyword automaton, then the
 * warninglists' suppression and the flood rates). Rounds alternate the two variants; each figure
 * is the median of its rounds.
 */
import { compileWarninglists, DEFAULT_WARNINGLISTS, HitRates, keywordSpecificity } from '../src/guards/index.js';
import { parseIndicator } from '../src/indicators/index.js';
import { sha256Base64url } from '../src/kernel/index.js';
import { KeywordAutomaton } from '../src/matching/index.js';
import { keywordCorpus } from './keyword-corpus.js';
import { median, round } from './load.js';

export const GUARDS_SECTION_TITLE = 'Precision guards: ingest validation and matchText with and without them';

interface Timed {
  readonly without: number;
  readonly with: number;
}

function alternate(rounds: number, without: () => void, withGuards: () => void): Timed {
  const a: number[] = [];
  const b: number[] = [];
  without();
  withGuards();
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    without();
    a.push(performance.now() - t);
    t = performance.now();
    withGuards();
    b.push(performance.now() - t);
  }
  return { without: median(a), with: median(b) };
}

export function benchGuards(o: { keywords?: number; textBytes?: number; rounds?: number } = {}): { ingest: Timed; match: Timed; items: number; listings: number; keywords: number } {
  const corpus = keywordCorpus({ keywords: o.keywords ?? 50_000, textBytes: o.textBytes ?? 1024 * 1024 });
  const rounds = o.rounds ?? 7;
  const items = corpus.keywords.slice(0, 10_000).map((value) => ({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 }));
  const ingest = alternate(
    rounds,
    () => items.forEach((i, n) => parseIndicator(i, n)),
    () => items.forEach((i, n) => keywordSpecificity(parseIndicator(i, n).value)),
  );
  const automaton = new KeywordAutomaton(corpus.keywords.map((keyword, i) => ({ id: `k${i}`, keyword })));
  const lists = compileWarninglists(DEFAULT_WARNINGLISTS);
  const rates = new HitRates();
  let now = 0;
  const match = alternate(
    rounds,
    () => corpus.listings.forEach((t) => automaton.match(t)),
    () =>
      corpus.listings.forEach((t) => {
        const hits = automaton.match(t);
        const by = lists.suppress(t, hits);
        rates.record((now += 10), hits.filter((_, i) => by[i] === undefined).map((h) => h.id), sha256Base64url(t));
      }),
  );
  return { ingest, match, items: items.length, listings: corpus.listings.length, keywords: corpus.keywords.length };
}

export function guardsSection(r: ReturnType<typeof benchGuards>): string[] {
  const row = (name: string, t: Timed, per: number, unit: string): string =>
    `| ${name} | ${round((1000 * t.without) / per, 2)} ${unit} | ${round((1000 * t.with) / per, 2)} ${unit} | **${round(t.with / t.without, 2)}×** |`;
  return [
    `In memory, one process, the two variants alternating round by round on this loaded machine (so the ratio, from the same run, is the figure to read). Ingest: ${r.items.toLocaleString('en')} KEYWORD items through \`parseIndicator\` (what ingest runs on every item), then the specificity rule. matchText: ${r.listings.toLocaleString('en')} listings against ${r.keywords.toLocaleString('en')} code words, then the built-in warninglist's suppression and the flood rates (a SHA-256 of each text, so one text counts once). The hub's matchText also reads the indicators from the database, and ingest verifies a signature and writes a transaction per batch: against those, these costs are smaller still.`,
    '',
    '| path | without guards | with guards | ratio |',
    '|---|---|---|---|',
    row('ingest validation, per item', r.ingest, r.items, 'µs'),
    row('matchText in memory, per listing', r.match, r.listings, 'µs'),
  ];
}
