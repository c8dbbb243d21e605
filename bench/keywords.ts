/**
 * matchText's scan: 50,000 keywords over listing-like text, the keyword automaton beside
 * modern-ahocorasick on the same keywords and the same already-normalized text, in the same run.
 * The automaton always normalizes what it scans (that is matchText's job), so its figure includes
 * normalization; it is also given the raw text, spaced and punctuated.
 */
import AhoCorasick from 'modern-ahocorasick';
import { normalizeKeyword } from '../src/indicators/index.js';
import { KeywordAutomaton } from '../src/matching/index.js';
import { median, round } from './load.js';

export interface KeywordBenchResult {
  keywords: number;
  textMiB: number;
  automatonMiBps: number;
  baselineMiBps: number;
  ratio: number;
  automatonWithNormalizationMiBps: number;
}

function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
}

const CJK = '象牙手镯犀角穿山甲鳞片虎骨豹皮龟鸟猴蛇药材雕刻工艺品收藏正品现货批发包邮';
const LATIN = 'abcdefghijklmnopqrstuvwxyz';

export async function benchKeywords(opts: { keywords?: number; textBytes?: number; runs?: number } = {}): Promise<KeywordBenchResult> {
  const { keywords = 50_000, textBytes = 256 * 1024, runs = 3 } = opts;
  const next = generator(11);
  const word = (alphabet: string, min: number, max: number): string => Array.from({ length: min + (next() % (max - min + 1)) }, () => alphabet[next() % alphabet.length]).join('');
  const unique = new Set<string>();
  for (let i = 0; unique.size < keywords; i++) unique.add(normalizeKeyword(i % 2 ? word(CJK, 2, 6) : word(LATIN, 4, 10)));
  const list = [...unique];
  const parts: string[] = [];
  let size = 0;
  while (size < textBytes) {
    const piece = next() % 3 === 0 ? ` ${list[next() % list.length]!} ` : ` ${word(next() % 2 ? CJK : LATIN, 3, 12)}，`;
    parts.push(piece);
    size += Buffer.byteLength(piece);
  }
  const text = parts.join('');
  const normalized = normalizeKeyword(text);
  const automaton = new KeywordAutomaton();
  list.forEach((k, i) => automaton.add(String(i), k));
  const baseline = new AhoCorasick(list);
  const mib = Buffer.byteLength(normalized) / 2 ** 20;
  const rate = (fn: () => unknown): number => {
    const t0 = performance.now();
    fn();
    return mib / ((performance.now() - t0) / 1000);
  };
  automaton.match(''); // build outside the timing, as the hub does at start
  const ours: number[] = [];
  const theirs: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < runs; r++) {
    theirs.push(rate(() => baseline.search(normalized)));
    ours.push(rate(() => automaton.match(normalized)));
    full.push(rate(() => automaton.match(text)));
  }
  const a = median(ours);
  const b = median(theirs);
  return { keywords: list.length, textMiB: round(mib, 1), automatonMiBps: round(a, 1), baselineMiBps: round(b, 3), ratio: round(a / b), automatonWithNormalizationMiBps: round(median(full), 1) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchKeywords().then((r) => console.log(JSON.stringify(r, null, 2)));
}
