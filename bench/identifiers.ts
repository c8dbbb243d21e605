/**
 * Identifiers caught in every spelling (issue 21): the catch rate on the evasion corpora, the
 * share of benign listings altered, and what detection costs on the text path beside
 * normalization alone, in interleaved rounds of the same run.
 *
 * `node --import tsx bench/identifiers.ts [--quick]` prints the section.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findIdentifiers, scrubText } from '../src/identifiers/index.js';
import { isAltered, isCaught, parseBenignCorpus, parseEvasionCorpus } from '../src/identifiers/corpora.js';
import { normalizeKeywordWithMap } from '../src/indicators/index.js';
import { keywordCorpus } from './keyword-corpus.js';
import { median, round } from './load.js';
import { interleave, timing, type Contender, type Throughput } from './text-path.js';

const FIXTURES = path.resolve(import.meta.dirname, '../test/fixtures/identifiers');
const OPTIONS = { defaultRegion: 'CN' } as const;

export const IDENTIFIERS_SECTION_TITLE = 'Identifiers in every spelling: catch rate, benign listings altered, cost on the text path';

export interface Rate {
  readonly hit: number;
  readonly of: number;
}

export interface IdentifiersResult {
  readonly heldOut: Rate;
  readonly tuning: Rate;
  readonly benign: Rate;
  readonly rounds: number;
  readonly texts: ReadonlyArray<{ readonly name: string; readonly mib: number; readonly listings: number; readonly normalization: Throughput; readonly find: Throughput; readonly scrub: Throughput }>;
}

const mibOf = (texts: readonly string[]): number => texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 2 ** 20;

function rates(): Pick<IdentifiersResult, 'heldOut' | 'tuning' | 'benign'> {
  const read = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
  const caught = (name: string): Rate => {
    const forms = parseEvasionCorpus(read(name));
    return { hit: forms.filter((f) => isCaught(f, OPTIONS)).length, of: forms.length };
  };
  const benign = parseBenignCorpus(read('benign-listings.txt'));
  return { heldOut: caught('evasion-held-out.tsv'), tuning: caught('evasion-tuning.tsv'), benign: { hit: benign.filter((l) => isAltered(l, OPTIONS)).length, of: benign.length } };
}

/** Listings rich in numbers and contacts: the corpora's lines joined three by three, repeated to `bytes`. */
function numberRichListings(bytes: number): string[] {
  const read = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
  const lines = [...parseBenignCorpus(read('benign-listings.txt')), ...parseEvasionCorpus(read('evasion-tuning.tsv')).map((f) => f.text)];
  const out: string[] = [];
  for (let i = 0, size = 0; size < bytes; i += 3) {
    const listing = [0, 1, 2].map((k) => lines[(i + k) % lines.length]).join('，');
    out.push(listing);
    size += Buffer.byteLength(listing);
  }
  return out;
}

export async function benchIdentifiers(o: { textBytes?: number; rounds?: number; onProgress?: (line: string) => void } = {}): Promise<IdentifiersResult> {
  const rounds = o.rounds ?? 7;
  const bytes = o.textBytes ?? 3 * 2 ** 20;
  const sets = [
    { name: 'listing-like text of the text-path benchmark (few numbers)', listings: keywordCorpus({ keywords: 1000, textBytes: bytes }).listings },
    { name: 'number-rich listings (benign and evasive lines of the corpora)', listings: numberRichListings(bytes / 3) },
  ];
  const contenders: Contender[] = sets.flatMap((s, k) => [
    { name: `normalization ${k}`, mib: mibOf(s.listings), run: () => timing(() => s.listings.forEach((t) => normalizeKeywordWithMap(t))) },
    { name: `find ${k}`, mib: mibOf(s.listings), run: () => timing(() => s.listings.forEach((t) => findIdentifiers(t, OPTIONS))) },
    { name: `scrub ${k}`, mib: mibOf(s.listings), run: () => timing(() => s.listings.forEach((t) => scrubText(t, (kind) => `[${kind}]`, OPTIONS))) },
  ]);
  const timings = await interleave(contenders, rounds, o.onProgress ?? (() => undefined));
  const throughput = (name: string): Throughput => {
    const c = contenders.find((x) => x.name === name)!;
    const rate = (kind: 'cpu' | 'wall'): number[] => timings.get(name)!.map((t) => round(c.mib / Math.max(1e-9, t[kind]), 2));
    return { miBps: round(median(rate('cpu')), 2), wallMiBps: round(median(rate('wall')), 2), rounds: rate('cpu') };
  };
  return {
    ...rates(),
    rounds,
    texts: sets.map((s, k) => ({ name: s.name, mib: round(mibOf(s.listings), 2), listings: s.listings.length, normalization: throughput(`normalization ${k}`), find: throughput(`find ${k}`), scrub: throughput(`scrub ${k}`) })),
  };
}

export function identifiersSection(r: IdentifiersResult): string[] {
  const pct = (x: Rate): string => `${((100 * x.hit) / x.of).toFixed(1)} % (${x.hit} of ${x.of})`;
  return [
    'Corpora in test/fixtures/identifiers: the held-out evasive forms were written and committed before any detection code and never tuned on; the tuning forms are what the rules were developed against. Caught: something is found and nothing of the identifier survives the scrub (no six consecutive digits of a number). Altered: the node’s scrub changes a benign listing. src/identifiers/corpora.test.ts holds the targets.',
    '',
    '| | rate | target |',
    '|---|---|---|',
    `| evasive forms caught, held out | **${pct(r.heldOut)}** | ≥ 95 % |`,
    `| evasive forms caught, tuning | **${pct(r.tuning)}** | |`,
    `| benign listings altered | **${pct(r.benign)}** | ≤ 1 % |`,
    '',
    `Cost, per second of CPU time, median of ${r.rounds} interleaved rounds after a warm-up; normalization (with its offset map, as \`matchText\` does it) runs in the same rounds on the same text, so compare the ratios. \`findIdentifiers\` builds the canonical form and runs every detector; the node’s scrub is \`findIdentifiers\` on the raw text, then the normalization and a look for phones in the normalized form, until neither holds anything. The second text is a worst case: every line has numbers, most have contact cues.`,
    '',
    '| text | MiB | normalization MiB/s | `findIdentifiers` MiB/s | ratio to normalization | node scrub MiB/s | ratio |',
    '|---|---|---|---|---|---|---|',
    ...r.texts.map(
      (t) =>
        `| ${t.name}, ${t.listings.toLocaleString('en')} listings | ${t.mib} | ${t.normalization.miBps} | **${t.find.miBps}** | ${round(t.find.miBps / t.normalization.miBps, 2)} | **${t.scrub.miBps}** | ${round(t.scrub.miBps / t.normalization.miBps, 2)} |`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const r = await benchIdentifiers({ ...(quick ? { textBytes: 512 * 1024, rounds: 3 } : {}), onProgress: (t) => process.stderr.write(`${t}\n`) });
  process.stdout.write(`${identifiersSection(r).join('\n')}\n`);
}
