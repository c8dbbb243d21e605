/**
 * The text path (issue 27) beside its peers, in interleaved rounds on the same text:
 *   normalization (NFKC, case, traditional → simplified, separators, offset map) beside NFKC alone
 *     and OpenCC's command-line conversion (its own t2s, and the same per-character table as ours,
 *     whose output must equal ours character for character);
 *   the keyword automaton on normalized text beside Rust's aho-corasick 1.1, pyahocorasick and
 *     modern-ahocorasick, every one of them finding exactly the same occurrences;
 *   matchText end to end (normalize, match, map back);
 *   building the automaton at 50,000 to 333,000 keywords beside Rust's build of the same keywords.
 *
 * `node --import tsx bench/text-path.ts [--quick]` prints the summary to stderr and JSON to stdout.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AhoCorasick from 'modern-ahocorasick';
import { normalizeKeyword, normalizeKeywordWithMap } from '../src/indicators/index.js';
import { KeywordAutomaton } from '../src/matching/index.js';
// The automaton itself, below the public API's hit objects: what the peers' iterators give.
import { compileTrie, scanTrie } from '../src/matching/keyword-trie.js';
import { keywordCorpus, type KeywordCorpus } from './keyword-corpus.js';
import { median, round } from './load.js';
import { MatcherPeer, openccCli, runOpencc, startPeer, type Skipped, type Timing } from './text-peers.js';

/**
 * MiB of the text the step reads (raw listings, or normalized ones for the matchers) per second
 * of CPU time, the median of the rounds; and per second of wall-clock time. CPU time is what one
 * dedicated core does, little affected by other work on the machine while the rounds ran.
 */
export interface Throughput {
  miBps: number;
  wallMiBps: number;
  rounds: number[];
}

export interface MatcherRow extends Throughput {
  name: string;
  buildSeconds: number;
  memoryMiB: number;
  /** Same occurrences as ours: every (listing, keyword, start, end), or only the count where the peer cannot list them. */
  identical: boolean;
  hits: number;
}

export interface BuildRow {
  keywords: number;
  /** Total UTF-16 code units of the keywords. */
  totalLength: number;
  seconds: number;
  memoryMiB: number;
  rustSeconds?: number;
}

export interface TextPathResult {
  keywords: number;
  listings: number;
  textMiB: number;
  normalizedMiB: number;
  rounds: number;
  normalization: Throughput;
  normalizationWithoutMap: Throughput;
  nfkc: Throughput;
  opencc: { t2s: Throughput; sameTable: Throughput; startupSeconds: number; identical: boolean } | Skipped;
  matchers: MatcherRow[];
  skipped: { name: string; reason: string }[];
  matchText: Throughput;
  builds: BuildRow[];
}

export interface TextPathOptions {
  keywords?: number;
  textBytes?: number;
  rounds?: number;
  buildSizes?: number[];
  onProgress?: (line: string) => void;
}

export type Contender = { name: string; mib: number; run: () => Promise<Timing> | Timing };

export async function benchTextPath(o: TextPathOptions = {}): Promise<TextPathResult> {
  const progress = o.onProgress ?? (() => undefined);
  const rounds = o.rounds ?? 7;
  const corpus = keywordCorpus({ keywords: o.keywords ?? 50_000, textBytes: o.textBytes ?? 3 * 2 ** 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'wildintel-text-path-'));
  try {
    const files = writeCorpus(dir, corpus);
    const automaton = timedBuild(corpus.keywords);
    progress(`automaton: ${corpus.keywords.length} keywords compiled in ${automaton.seconds.toFixed(2)} s`);
    const ours = ourHits(automaton.automaton, corpus.normalizedListings);
    const skipped: { name: string; reason: string }[] = [];
    const peers: { name: string; peer: MatcherPeer }[] = [];
    for (const [name, kind] of [['Rust aho-corasick 1.1', 'rust'], ['pyahocorasick', 'python']] as const) {
      const peer = await startPeer(kind, files.keywords, files.normalized);
      if (peer instanceof MatcherPeer) peers.push({ name: `${name} (${peer.kind})`, peer });
      else skipped.push({ name, reason: peer.skipped });
      progress(peer instanceof MatcherPeer ? `${name}: built in ${peer.buildSeconds.toFixed(2)} s` : `${name}: skipped, ${peer.skipped}`);
    }
    const modern = timed(() => new AhoCorasick(corpus.keywords));
    const opencc = openccCli();
    if (typeof opencc !== 'string') skipped.push({ name: 'OpenCC', reason: opencc.skipped });
    const openccIdentical = typeof opencc === 'string' ? checkOpencc(files, corpus) : false;

    const { textMiB, normalizedMiB, listings, normalizedListings } = corpus;
    const trie = compileTrie(corpus.keywords, corpus.keywords.map((_, i) => i));
    const scanned: number[] = [];
    const contenders: Contender[] = [
      { name: 'normalization', mib: textMiB, run: () => timing(() => listings.forEach((t) => normalizeKeywordWithMap(t))) },
      { name: 'normalizationWithoutMap', mib: textMiB, run: () => timing(() => listings.forEach((t) => normalizeKeyword(t))) },
      { name: 'nfkc', mib: textMiB, run: () => timing(() => listings.forEach((t) => t.normalize('NFKC'))) },
      { name: 'scan', mib: normalizedMiB, run: () => timing(() => normalizedListings.forEach((t) => ((scanned.length = 0), scanTrie(trie, t, scanned)))) },
      { name: 'automaton', mib: normalizedMiB, run: () => timing(() => normalizedListings.forEach((t) => automaton.automaton.matchNormalized(t))) },
      ...peers.map(({ name, peer }) => ({ name, mib: normalizedMiB, run: () => peer.round() })),
      { name: 'modern-ahocorasick', mib: normalizedMiB, run: () => timing(() => normalizedListings.forEach((t) => modern.value.search(t))) },
      { name: 'matchText', mib: textMiB, run: () => timing(() => listings.forEach((t) => automaton.automaton.match(t))) },
    ];
    if (typeof opencc === 'string') {
      contenders.push({ name: 'opencc-startup', mib: 0, run: () => runOpencc('t2s.json', files.empty, files.out) });
      contenders.push({ name: 'opencc-t2s', mib: textMiB, run: () => runOpencc('t2s.json', files.raw, files.out) });
      contenders.push({ name: 'opencc-same-table', mib: textMiB, run: () => runOpencc(files.openccConfig, files.raw, files.out) });
    }
    const timings = await interleave(contenders, rounds, progress);
    const throughput = (name: string): Throughput => {
      const contender = contenders.find((c) => c.name === name)!;
      const startup = name.startsWith('opencc-') ? timings.get('opencc-startup')! : [];
      const rate = (kind: keyof Timing): number[] => {
        const less = startup.length > 0 ? median(startup.map((t) => t[kind])) : 0;
        return timings.get(name)!.map((t) => round(contender.mib / Math.max(1e-9, t[kind] - less), 2));
      };
      const cpu = rate('cpu');
      return { miBps: round(median(cpu), 2), wallMiBps: round(median(rate('wall')), 2), rounds: cpu };
    };
    const scanHits = normalizedListings.flatMap((t, i) => {
      scanned.length = 0;
      scanTrie(trie, t, scanned);
      return Array.from({ length: scanned.length / 3 }, (_, k) => `${i} ${scanned[3 * k]} ${scanned[3 * k + 1]} ${scanned[3 * k + 2]}`);
    });
    const matchers: MatcherRow[] = [
      { name: 'keyword automaton (ours): the scan, occurrences as numbers as the peers’ iterators give them', ...throughput('scan'), buildSeconds: round(automaton.seconds, 2), memoryMiB: round(automaton.automaton.memoryBytes() / 2 ** 20, 1), identical: sameLists(ours, scanHits.sort()), hits: scanHits.length },
      { name: 'keyword automaton (ours): `matchNormalized`, hit objects with ids, ordered', ...throughput('automaton'), buildSeconds: round(automaton.seconds, 2), memoryMiB: round(automaton.automaton.memoryBytes() / 2 ** 20, 1), identical: true, hits: ours.length },
    ];
    for (const { name, peer } of peers) {
      const theirs = (await peer.hits()).sort();
      matchers.push({ name, ...throughput(name), buildSeconds: round(peer.buildSeconds, 2), memoryMiB: round(peer.memoryBytes / 2 ** 20, 1), identical: sameLists(ours, theirs), hits: theirs.length });
      peer.close();
    }
    const modernHits = normalizedListings.flatMap((t, i) => modern.value.search(t).map((m) => `${i} ${m.patternIndex} ${m.start} ${m.end}`)).sort();
    matchers.push({ name: 'modern-ahocorasick', ...throughput('modern-ahocorasick'), buildSeconds: round(modern.seconds, 2), memoryMiB: NaN, identical: sameLists(ours, modernHits), hits: modernHits.length });
    return {
      keywords: corpus.keywords.length,
      listings: listings.length,
      textMiB: round(textMiB, 2),
      normalizedMiB: round(normalizedMiB, 2),
      rounds,
      normalization: throughput('normalization'),
      normalizationWithoutMap: throughput('normalizationWithoutMap'),
      nfkc: throughput('nfkc'),
      opencc: typeof opencc === 'string' ? { t2s: throughput('opencc-t2s'), sameTable: throughput('opencc-same-table'), startupSeconds: round(median(timings.get('opencc-startup')!.map((t) => t.cpu)), 3), identical: openccIdentical } : opencc,
      matchers,
      skipped,
      matchText: throughput('matchText'),
      builds: await buildScaling(o.buildSizes ?? [50_000, 100_000, 200_000, 333_000], dir, progress),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every contender once per round, in turn, `rounds` times after a warm-up round; timings by name. */
export async function interleave(contenders: readonly Contender[], rounds: number, progress: (line: string) => void): Promise<Map<string, Timing[]>> {
  const timings = new Map<string, Timing[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r <= rounds; r += 1) {
    const last: string[] = [];
    for (const contender of contenders) {
      const t = await contender.run();
      if (r > 0) timings.get(contender.name)!.push(t);
      last.push(`${contender.name} ${round(t.cpu, 3)} s`);
    }
    progress(`round ${r === 0 ? 'warm-up' : r} of ${rounds} (CPU): ${last.join(', ')}`);
  }
  return timings;
}

/** Wall and CPU time of `fn` (CPU of the whole process: the garbage collector's threads count too). */
export function timing(fn: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function writeCorpus(dir: string, corpus: KeywordCorpus): Record<'keywords' | 'normalized' | 'raw' | 'empty' | 'out' | 'openccConfig' | 'openccTable', string> {
  const file = (name: string, text: string): string => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };
  const table = [...sameTable(corpus.listings)].map(([from, to]) => `${from}\t${to}`).join('\n');
  const openccTable = file('table.txt', table);
  const dict = { type: 'text', file: openccTable };
  return {
    keywords: file('keywords.txt', corpus.keywords.join('\n')),
    normalized: file('normalized.txt', corpus.normalizedListings.join('\n')),
    raw: file('raw.txt', corpus.listings.join('\n')),
    empty: file('empty.txt', ''),
    out: path.join(dir, 'out.txt'),
    openccTable,
    openccConfig: file('same-table.json', JSON.stringify({ name: 'wildintel per character', segmentation: { type: 'mmseg', dict }, conversion_chain: [{ dict }] })),
  };
}

/** Our traditional → simplified step for every Han character of the text (normalization of a lone ideograph is only that step). */
function sameTable(listings: readonly string[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const listing of listings) {
    for (const char of listing) {
      if (table.has(char) || !/^\p{Script=Han}$/u.test(char) || char.normalize('NFKC') !== char) continue;
      const simplified = normalizeKeyword(char);
      if (simplified !== char) table.set(char, simplified);
    }
  }
  return table;
}

/** OpenCC with our table gives exactly our per-character conversion of the raw text. */
function checkOpencc(files: ReturnType<typeof writeCorpus>, corpus: KeywordCorpus): boolean {
  runOpencc(files.openccConfig, files.raw, files.out);
  const table = new Map(readFileSync(files.openccTable, 'utf8').split('\n').map((line) => line.split('\t') as [string, string]));
  let expected = '';
  for (const char of corpus.listings.join('\n')) expected += table.get(char) ?? char;
  return readFileSync(files.out, 'utf8').replace(/\n$/, '') === expected;
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

function timedBuild(keywords: readonly string[]): { automaton: KeywordAutomaton; seconds: number } {
  const { value, seconds } = timed(() => {
    const automaton = new KeywordAutomaton(keywords.map((keyword, i) => ({ id: String(i), keyword })));
    automaton.matchNormalized('');
    return automaton;
  });
  return { automaton: value, seconds };
}

/** Our occurrences as `listing pattern start end` lines, sorted, as the peers report theirs. */
function ourHits(automaton: KeywordAutomaton, normalizedListings: readonly string[]): string[] {
  const lines: string[] = [];
  normalizedListings.forEach((t, i) => {
    for (const hit of automaton.matchNormalized(t)) lines.push(`${i} ${hit.id} ${hit.start} ${hit.end}`);
  });
  return lines.sort();
}

function sameLists(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** Compile time at growing keyword counts, ours and Rust's (its peer builds on start), to show both grow linearly. */
async function buildScaling(sizes: readonly number[], dir: string, progress: (line: string) => void): Promise<BuildRow[]> {
  const rows: BuildRow[] = [];
  const all = keywordCorpus({ keywords: Math.max(...sizes), textBytes: 0 }).keywords;
  for (const size of sizes) {
    const keywords = all.slice(0, size);
    const { automaton, seconds } = timedBuild(keywords);
    const row: BuildRow = { keywords: size, totalLength: keywords.reduce((n, k) => n + k.length, 0), seconds: round(seconds, 2), memoryMiB: round(automaton.memoryBytes() / 2 ** 20, 1) };
    const keywordsFile = path.join(dir, `build-${size}.txt`);
    writeFileSync(keywordsFile, keywords.join('\n'));
    const peer = await startPeer('rust', keywordsFile, path.join(dir, 'empty.txt'));
    if (peer instanceof MatcherPeer) {
      row.rustSeconds = round(peer.buildSeconds, 2);
      peer.close();
    }
    rows.push(row);
    progress(`build: ${size} keywords in ${row.seconds} s${row.rustSeconds === undefined ? '' : ` (Rust ${row.rustSeconds} s)`}`);
  }
  return rows;
}

export const TEXT_PATH_SECTION_TITLE = 'The text path: normalization and keyword matching beside OpenCC, Rust aho-corasick and pyahocorasick';

export function textPathSection(r: TextPathResult): string[] {
  const row = (name: string, t: Throughput, extra = ''): string => `| ${name} | **${t.miBps}** | ${t.wallMiBps} |${extra}`;
  const [, , ...peers] = r.matchers;
  const rust = r.matchers.find((m) => m.name.startsWith('Rust'));
  const ours = r.matchers[0]!;
  const api = r.matchers[1]!;
  const opencc = 'skipped' in r.opencc ? undefined : r.opencc;
  return [
    `${r.keywords.toLocaleString('en')} code words (half Chinese, half Latin), ${r.textMiB} MiB of listing-like text in ${r.listings.toLocaleString('en')} listings (${r.normalizedMiB} MiB once normalized), the same for every contender; every contender runs once per round, in turn, ${r.rounds} rounds after a warm-up, and each figure is the median of its rounds. MiB/s is per second of CPU time (all threads of the process doing the work; what one core does, little affected by other work on the machine); wall-clock MiB/s beside it.`,
    '',
    '| normalization | MiB/s (CPU) | MiB/s (wall) | target |',
    '|---|---|---|---|',
    row('ours: NFKC, case, traditional → simplified, separators, with the offset map', r.normalization, ' ≥ 10 |'),
    row('ours, without the offset map (`normalizeKeyword`)', r.normalizationWithoutMap, ' |'),
    row('NFKC alone (`String.prototype.normalize`, whole listings)', r.nfkc, ' |'),
    ...(opencc === undefined
      ? [`| OpenCC: skipped (${(r.opencc as Skipped).skipped}) | | | |`]
      : [
          row(`OpenCC 1.1 CLI, its own \`t2s\` (phrases and characters; its start-up of ${opencc.startupSeconds} s CPU taken out)`, opencc.t2s, ' |'),
          row(`OpenCC 1.1 CLI with our traditional → simplified table as its dictionary: output identical to ours: ${opencc.identical ? 'yes' : '**no**'}`, opencc.sameTable, ' |'),
        ]),
    row('**`matchText` end to end**: normalize, match, map every hit back to the raw text', r.matchText, ' ≥ 8 |'),
    '',
    '| keyword matching on the normalized text | MiB/s (CPU) | MiB/s (wall) | build s | MiB | occurrences | same occurrences as ours |',
    '|---|---|---|---|---|---|---|',
    ...[ours, api, ...peers].map((m) => `| ${m.name} | **${m.miBps}** | ${m.wallMiBps} | ${m.buildSeconds} | ${Number.isNaN(m.memoryMiB) ? '—' : m.memoryMiB} | ${m.hits.toLocaleString('en')} | ${m.identical ? 'yes' : '**no**'} |`),
    ...(rust === undefined ? [] : [`| ratio ours / Rust aho-corasick 1.1 | **${round(ours.miBps / rust.miBps, 2)}×** the scan, ${round(api.miBps / rust.miBps, 2)}× with hit objects (target ≥ 1) | | | | | |`]),
    ...r.skipped.map((s) => `| ${s.name}: skipped, ${s.reason} | | | | | | |`),
    '',
    "Same occurrences: every (listing, keyword, start, end), offsets in UTF-16 code units, compared as sorted lists; the peers run in their own processes (Rust's and pyahocorasick's time their own rounds, CPU time from /proc/self/schedstat and `time.process_time`). Memory: ours is the automaton's typed arrays, Rust's its `memory_usage()`, pyahocorasick's its `get_stats()['total_size']`.",
    '',
    '| building the automaton: keywords | total length (code units) | ours s | Rust aho-corasick s | ours MiB |',
    '|---|---|---|---|---|',
    ...r.builds.map((b) => `| ${b.keywords.toLocaleString('en')} | ${b.totalLength.toLocaleString('en')} | **${b.seconds}** | ${b.rustSeconds ?? '—'} | ${b.memoryMiB} |`),
    '',
    'Build time is linear in the keywords’ total length (the trie by hashing, the double array placed from cursors that pass each free cell a bounded number of times); it was 19.5 s at 333,000 keywords before (issue 28).',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const result = await benchTextPath({ ...(quick ? { textBytes: 512 * 1024, rounds: 3, buildSizes: [50_000, 100_000] } : {}), onProgress: (line) => process.stderr.write(`${line}\n`) });
  console.log(JSON.stringify(result, null, 2));
}
