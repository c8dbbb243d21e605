/**
 * The keyword benchmarks' data, made the same way on every run: code words drawn from a small
 * trade vocabulary (half Chinese, half Latin) and listing-like text that mixes them, spaced,
 * hyphenated or in full-width, into ordinary words and random CJK text (traditional characters
 * included, so normalization converts some).
 */
import { normalizeKeyword } from '../src/indicators/index.js';

export interface KeywordCorpus {
  /** Distinct, normalized. */
  keywords: string[];
  /** Raw listings, and each normalized (none is empty). */
  listings: string[];
  normalizedListings: string[];
  /** UTF-8 MiB of the raw listings and of their normalized form. */
  textMiB: number;
  normalizedMiB: number;
}

const TRADE_CJK = '象牙手镯犀角穿山甲鳞片虎骨豹皮龟鸟猴蛇药材雕刻工艺品收藏正品现货批发包邮老料猛犸白料牌挂件珠串摆件原料整只';
const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const FILLER_WORDS = ['Fresh', 'stock', 'ready', 'to', 'ship', 'DM', 'me', 'for', 'price', 'real', 'photo', 'wholesale', 'gift', 'collection', '100%', 'genuine', 'size', '5cm'];

/** splitmix32: consecutive outputs are independent enough for random data (an LCG's are not). */
export function splitmix(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function keywordCorpus(o: { keywords: number; textBytes: number }): KeywordCorpus {
  const next = splitmix(11);
  const word = (alphabet: string, min: number, max: number): string => Array.from({ length: min + (next() % (max - min + 1)) }, () => alphabet[next() % alphabet.length]).join('');
  const unique = new Set<string>();
  while (unique.size < o.keywords) unique.add(normalizeKeyword(unique.size % 2 === 1 ? word(TRADE_CJK, 3, 6) : word(LATIN, 5, 10)));
  const keywords = [...unique];
  // Flat strings (not the ropes that `+=` builds), so that no contender pays for flattening them.
  const flat = (t: string): string => Buffer.from(t, 'utf16le').toString('utf16le');
  const listings = makeListings(keywords, o.textBytes, next).map(flat);
  const normalizedListings = listings.map((t) => flat(normalizeKeyword(t)));
  const mib = (texts: readonly string[]): number => texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 2 ** 20;
  return { keywords, listings, normalizedListings, textMiB: mib(listings), normalizedMiB: mib(normalizedListings) };
}

/** Listings of 200–3,000 characters: ordinary words and CJK text, with a code word, spaced or punctuated or in full-width, every so often. */
function makeListings(keywords: readonly string[], textBytes: number, next: () => number): string[] {
  const listings: string[] = [];
  for (let bytes = 0; bytes < textBytes; ) {
    const parts: string[] = [];
    for (let length = 0, target = 200 + (next() % 2800); length < target; ) {
      const r = next() % 10;
      const piece =
        r < 4 ? FILLER_WORDS[next() % FILLER_WORDS.length]! + ' '
        : r < 8 ? String.fromCharCode(0x4e00 + (next() % 0x5000), 0x4e00 + (next() % 0x5000)) + '，'
        : disguise(keywords[next() % keywords.length]!, next);
      parts.push(piece);
      length += piece.length;
    }
    const listing = parts.join('');
    listings.push(listing);
    bytes += Buffer.byteLength(listing);
  }
  return listings;
}

function disguise(keyword: string, next: () => number): string {
  switch (next() % 4) {
    case 0:
      return ` ${[...keyword].join(' ')} `;
    case 1:
      return ` ${[...keyword].join('-')} `;
    case 2:
      return ` ${[...keyword].map((c) => (c >= 'a' && c <= 'z' ? String.fromCharCode(c.charCodeAt(0) - 0x61 + 0xff21) : c)).join('')} `;
    default:
      return ` ${keyword} `;
  }
}
