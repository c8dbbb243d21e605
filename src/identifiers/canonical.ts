/**
 * The canonical form identifiers are looked for in: built for evasion, not for reading. Digits of
 * every script and style become ASCII (fullwidth, circled, bracketed ㈠, keycap 1️⃣, dingbat ❶,
 * Arabic-Indic, Devanagari, mathematical, Chinese numerals 一/壹/幺, English number words), Latin
 * letters are folded to lower case (fullwidth, circled ⓐ), invisible characters vanish, white
 * space is a space, and every emoji or other symbol becomes one JUNK mark: a phone split by 🐘
 * is a digit chain with junk gaps, and an e-mail with 🌀 for `@` still has something between
 * its halves. l/i/o next to digits become 1/1/0.
 *
 * Every code unit of the canonical text maps back to the span of the raw text it came from, so
 * a match names exactly what to scrub. Pure and table-driven: each code point is folded once per
 * process and remembered.
 */

/** What an emoji, a dingbat or any other symbol becomes: one private-use mark. */
export const JUNK = '\uE000';

export interface Canonical {
  readonly text: string;
  /** For each UTF-16 unit i of `text`, [from[i], to[i]) is the span of the raw text it came from. */
  readonly from: ArrayLike<number>;
  readonly to: ArrayLike<number>;
}

const CHINESE_DIGITS: Readonly<Record<string, string>> = {
  零: '0', 〇: '0', 洞: '0', 一: '1', 幺: '1', 壹: '1', 弌: '1', 二: '2', 贰: '2', 貳: '2', 弍: '2', 两: '2', 兩: '2', 三: '3', 叁: '3', 參: '3', 弎: '3',
  四: '4', 肆: '4', 五: '5', 伍: '5', 六: '6', 陆: '6', 陸: '6', 七: '7', 柒: '7', 拐: '7', 八: '8', 捌: '8', 九: '9', 玖: '9', 勾: '9',
};

/** Dingbat and negative circled digits have no compatibility decomposition: [first code point, first value, count]. */
const DINGBAT_RUNS: readonly (readonly [number, number, number])[] = [
  [0x2776, 1, 10], // ❶…❿
  [0x2780, 1, 10], // ➀…➉
  [0x278a, 1, 10], // ➊…➓
  [0x24f5, 1, 10], // ⓵…⓾
  [0x24eb, 11, 10], // ⓫…⓴
  [0x24ff, 0, 1], // ⓿
  [0x1f10b, 0, 2], // 🄋 🄌
];

const INVISIBLE = /^[\p{Cf}\p{Me}\p{Mn}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]$/u;
const SYMBOL = /^[\p{So}\p{Sk}\p{Sm}\p{Co}\p{Cn}\p{Extended_Pictographic}]$/u;
const DECIMAL = /^\p{Nd}$/u;
const SPACE = /^[\s\p{Zs}]$/u;

function dingbat(cp: number): string | undefined {
  for (const [first, value, count] of DINGBAT_RUNS) if (cp >= first && cp < first + count) return String(value + cp - first);
  return undefined;
}

/** A decimal digit of any script: Unicode lays each script's digits out as a run of ten from zero. */
function decimalValue(cp: number): string {
  let zero = cp;
  while (zero > 0 && DECIMAL.test(String.fromCodePoint(zero - 1)) && cp - zero < 9) zero -= 1;
  return String((cp - zero) % 10);
}

/** One character already free of compatibility forms. */
function foldSimple(char: string): string {
  if (char in CHINESE_DIGITS) return CHINESE_DIGITS[char]!;
  if (char.length === 1 && char.charCodeAt(0) < 0x80) return char.toLowerCase();
  if (SPACE.test(char)) return ' ';
  if (INVISIBLE.test(char)) return '';
  if (DECIMAL.test(char)) return decimalValue(char.codePointAt(0)!);
  if (SYMBOL.test(char)) return JUNK;
  return char.toLowerCase();
}

function foldCodePoint(cp: number): string {
  const char = String.fromCodePoint(cp);
  const special = dingbat(cp);
  if (special !== undefined) return special;
  if (char in CHINESE_DIGITS) return CHINESE_DIGITS[char]!;
  const nfkc = char.normalize('NFKC');
  if (nfkc === char) return foldSimple(char);
  // ㈠ is "(一)", ⒈ is "1.", ① is "1", ＠ is "@": fold what the compatibility form is made of.
  let out = '';
  for (const c of nfkc) out += foldSimple(c);
  return out;
}

/** Folded forms by code point, filled on first sight: every BMP code point in an array, the rest in a map. */
const BMP = new Array<string | undefined>(0x10000);
const ASTRAL = new Map<number, string>();
for (let i = 0; i < 0x80; i++) BMP[i] = foldSimple(String.fromCharCode(i));

function fold(cp: number): string {
  if (cp < 0x10000) return (BMP[cp] ??= foldCodePoint(cp));
  let f = ASTRAL.get(cp);
  if (f === undefined) ASTRAL.set(cp, (f = foldCodePoint(cp)));
  return f;
}

/** Reused buffers for the canonical text and its map; grown when a text needs more. */
let units = new Uint16Array(4096);
let fromBuffer = new Int32Array(4096);
let toBuffer = new Int32Array(4096);

function ensure(capacity: number): void {
  if (capacity <= units.length) return;
  const size = Math.max(capacity, 2 * units.length);
  const [u, f, t] = [new Uint16Array(size), new Int32Array(size), new Int32Array(size)];
  u.set(units);
  f.set(fromBuffer);
  t.set(toBuffer);
  [units, fromBuffer, toBuffer] = [u, f, t];
}

/** Folds each code point of `raw` (see the header), keeping where every unit came from. */
function foldText(raw: string): Canonical {
  let n = 0;
  ensure(raw.length + 16);
  for (let i = 0; i < raw.length; ) {
    const cp = raw.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const f = fold(cp);
    if (n + f.length > units.length) ensure(n + f.length + raw.length - i + 16);
    for (let u = 0; u < f.length; u++) {
      units[n] = f.charCodeAt(u);
      fromBuffer[n] = i;
      toBuffer[n++] = i + width;
    }
    i += width;
  }
  const text = Buffer.from(units.buffer, units.byteOffset, 2 * n).toString('utf16le');
  return { text, from: fromBuffer.slice(0, n), to: toBuffer.slice(0, n) };
}

/**
 * `c` with every match of `pattern` replaced by `replace(match)` (undefined: kept); replacement
 * units map to the raw span of the whole match.
 */
function rewrite(c: Canonical, pattern: RegExp, replace: (match: string, index: number) => string | undefined): Canonical {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const m of c.text.matchAll(pattern)) {
    const replacement = replace(m[0], m.index);
    if (replacement === undefined) continue;
    const [start, end] = [m.index, m.index + m[0].length];
    text += c.text.slice(at, start) + replacement;
    for (let k = at; k < start; k++) {
      from.push(c.from[k]!);
      to.push(c.to[k]!);
    }
    for (let k = 0; k < replacement.length; k++) {
      from.push(c.from[start]!);
      to.push(c.to[end - 1]!);
    }
    at = end;
  }
  if (at === 0) return c;
  text += c.text.slice(at);
  for (let k = at; k < c.text.length; k++) {
    from.push(c.from[k]!);
    to.push(c.to[k]!);
  }
  return { text, from, to };
}

const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};
/** A whole run of letters made only of number words ("one", "onethreeeight"); "someone" and "none" are not. */
const NUMBER_WORD_RUN = /(?<![a-z])(?:zero|one|two|three|four|five|six|seven|eight|nine|oh)+(?![a-z])/g;
const NUMBER_WORD = /zero|one|two|three|four|five|six|seven|eight|nine|oh/g;
/** What may come before an "oh" that is a zero: a digit or a number word, then separators. */
const AFTER_NUMBER = /(?:[0-9]|zero|one|two|three|four|five|six|seven|eight|nine|oh)[\s\-.,\uE000]*$/;

function numberWords(c: Canonical): Canonical {
  if (!/zero|one|two|three|four|five|six|seven|eight|nine/.test(c.text)) return c;
  return rewrite(c, NUMBER_WORD_RUN, (run, index) => {
    // "oh" alone is a word ("oh no"); after a number it is a zero ("nine oh oh").
    if (run === 'oh' && !AFTER_NUMBER.test(c.text.slice(Math.max(0, index - 12), index))) return undefined;
    return run.replace(NUMBER_WORD, (w) => NUMBER_WORDS[w]!);
  });
}

const LOOK_ALIKE: Readonly<Record<string, string>> = { l: '1', i: '1', '|': '1', o: '0' };
/** A token of digits and look-alikes ("l58765432lo", "99oo"); swapped when it holds two real digits and a look-alike. */
const LOOK_ALIKE_TOKEN = /(?<![a-z0-9])[0-9lio|]{4,}(?![a-z0-9])/g;
/** Look-alikes alone after a digit group: "135 llll 2222", "⑻⒪⒪". */
const LOOK_ALIKE_GAP = /(?<![a-z0-9])([0-9]+[\s\uE000()]{0,2})([lio|](?:[\s\uE000()]{0,2}[lio|])*)(?![a-z])/g;
const DIGIT_NEXT = /^[\s\uE000()]{0,2}[0-9]/;
const swap = (token: string): string => token.replace(/[lio|]/g, (ch) => LOOK_ALIKE[ch]!);

function lookAlikes(c: Canonical): Canonical {
  if (!/[0-9]/.test(c.text)) return c;
  const tokens = rewrite(c, LOOK_ALIKE_TOKEN, (token) => (/[0-9].*[0-9]/.test(token) && /[lio|]/.test(token) ? swap(token) : undefined));
  // One look-alike after a number is a word ("3 i"); two, or one before more digits, are digits.
  return rewrite(tokens, LOOK_ALIKE_GAP, (match, index) => {
    const run = match.replace(/^[0-9]+[\s\uE000()]{0,2}/, '');
    const digitsNext = DIGIT_NEXT.test(tokens.text.slice(index + match.length));
    return run.replace(/[^lio|]/g, '').length >= 2 || digitsNext ? match.slice(0, match.length - run.length) + swap(run) : undefined;
  });
}

/** The canonical form of `raw` (see the header), with its map back to `raw`. */
export function canonicalize(raw: string): Canonical {
  return lookAlikes(numberWords(foldText(raw)));
}

