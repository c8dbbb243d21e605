/**
 * Raw identifiers inside listing text: phone numbers, e-mail addresses (also spelled out, "zzbob
 * at example dot org", "zzbob(at)example(dot)org", full-width ＠), links, messaging handles
 * ("加微信 zzwx_seller8812", "telegram: ivory_dealer", "@handle") and long digit runs (account,
 * payment or QQ numbers, phones written in Chinese numerals). Keyword text is published, so the
 * node finds these before anything is signed and replaces them (identifier-redaction in the
 * anonymizer). Pure: no I/O, no clock.
 *
 * Detection runs on a folded view of the text — NFKC (full-width digits and letters, ＠, ．)
 * and Chinese numerals as digits — with every folded code unit mapped back to the span of the
 * original it came from, so a match always names an exact span of what the platform sent.
 */
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { SellerIdentifierKind } from '../indicators/index.js';

export type FoundKind = Extract<SellerIdentifierKind, 'phone' | 'email' | 'chat' | 'url'> | 'number';

export interface FoundIdentifier {
  /** [start, end) in UTF-16 code units of the original text. */
  readonly start: number;
  readonly end: number;
  readonly kind: FoundKind;
  /**
   * The identifier as a seller observation would carry it: E.164 for a phone, `local@domain` for
   * an e-mail however it was spelled, the handle for a chat id, the link; the digits for `number`.
   */
  readonly value: string;
}

const CHINESE_DIGITS: Readonly<Record<string, string>> = {
  零: '0', 〇: '0', 洞: '0', 一: '1', 幺: '1', 壹: '1', 二: '2', 贰: '2', 貳: '2', 两: '2', 三: '3', 叁: '3', 參: '3', 四: '4', 肆: '4',
  五: '5', 伍: '5', 六: '6', 陆: '6', 陸: '6', 七: '7', 柒: '7', 拐: '7', 八: '8', 捌: '8', 九: '9', 玖: '9', 勾: '9',
};

interface Folded {
  readonly text: string;
  /** For each code unit of `text`, the original span [start, end) it came from. */
  readonly from: readonly number[];
  readonly to: readonly number[];
}

function fold(original: string): Folded {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < original.length; ) {
    const cp = original.codePointAt(i) as number;
    const char = String.fromCodePoint(cp);
    const folded = CHINESE_DIGITS[char] ?? char.normalize('NFKC');
    for (let u = 0; u < folded.length; u++) {
      from.push(i);
      to.push(i + char.length);
    }
    text += folded;
    i += char.length;
  }
  return { text, from, to };
}

const AT = String.raw`(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+|\s*艾特\s*)`;
const DOT = String.raw`(?:\s*\.\s*|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\s*点\s*)`;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** `local AT domain (DOT label)+`, the last label a TLD of letters; `\b` is ASCII, so 联系zzbob still starts at z. */
const EMAIL = new RegExp(String.raw`(?<![a-z0-9._%+-])([a-z0-9][a-z0-9._%+-]{0,63})${AT}(${LABEL}(?:${DOT}${LABEL})*${DOT}[a-z]{2,24})(?![0-9-])`, 'giu');
const URL_LIKE = /\b(?:https?:\/\/|www\.)[^\s<>"'，。、）)]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|io|me|info|biz|top|xyz|shop|co|hk|tw|ru|cc|vip|link)\b(?:\/[^\s<>"'，。、]*)?/giu;

/**
 * Messaging prefixes. Unambiguous ones take any handle after them; common words and short forms
 * (line, signal, tg, wx, 微, 飞机…) only a handle holding a digit or `_`, or one after an explicit
 * separator (`:`, `号`, `id`), so "ivory line carving" keeps its words.
 */
const STRONG_PREFIX = String.raw`微信号?|威信|薇信|维信|v信|vx号|wx号|weixin|wechat|we\s?chat|whatsapp|telegram|电报|扣扣|qq号|skype|viber|kakao(?:talk)?|instagram|facebook|fb|抖音号?|快手号?|闲鱼号?`;
const WEAK_PREFIX = String.raw`wx|vx|v|微|tg|飞机|line|signal|qq|ins|ig|wa|加`;
const SEPARATOR = String.raw`\s*(?:(?:[:：=＝]|号码?|id|账号|帐号)\s*)+`;
const HANDLE = '[a-z0-9][a-z0-9_.-]{2,63}';
const STRONG_HANDLE = new RegExp(String.raw`(?:${STRONG_PREFIX})(?:${SEPARATOR}|\s*)(${HANDLE})`, 'giu');
// With an explicit separator the prefix may touch the word before it ("priceline: zz88"); without one it must not.
const WEAK_HANDLE = new RegExp(String.raw`(?:${WEAK_PREFIX})${SEPARATOR}(${HANDLE})|(?<![a-z])(?:${WEAK_PREFIX})\s*([a-z0-9]*[0-9_][a-z0-9_.-]*)`, 'giu');
// E-mail addresses are claimed first, so an @ still free here starts a handle, whatever precedes it.
const AT_HANDLE = /@([a-z0-9_]{3,32})/giu;
/**
 * Digits libphonenumber did not claim: seven or more in a row (accounts, QQ and card numbers), or
 * ten or more with separators between groups (a phone written oddly); "2024 2024" is neither.
 */
const DIGIT_RUN = /\+?\d{7,}|\+?\d(?:[\s\-.()\/_]{0,3}\d){9,}/gu;

interface Match {
  readonly start: number;
  readonly end: number;
  readonly kind: FoundKind;
  readonly value: string;
}

function emails(text: string): Match[] {
  return [...text.matchAll(EMAIL)].map((m) => {
    const domain = m[2]!.split(new RegExp(DOT, 'iu')).join('.');
    return { start: m.index, end: m.index + m[0].length, kind: 'email', value: `${m[1]}@${domain}`.toLowerCase() };
  });
}

function links(text: string): Match[] {
  return [...text.matchAll(URL_LIKE)].map((m) => ({ start: m.index, end: m.index + m[0].length, kind: 'url', value: m[0] }));
}

function handles(text: string): Match[] {
  const found: Match[] = [];
  for (const m of text.matchAll(STRONG_HANDLE)) found.push(handleMatch(m, m[1]!));
  for (const m of text.matchAll(WEAK_HANDLE)) {
    const handle = m[1] ?? m[2];
    if (handle !== undefined && handle.length >= 3) found.push(handleMatch(m, handle));
  }
  for (const m of text.matchAll(AT_HANDLE)) found.push(handleMatch(m, m[1]!, m[0].length));
  return found;
}

/** The span is the handle alone (`spanLength` for `@handle`, with its @): the prefix (微信, telegram) is a keyword worth keeping. */
function handleMatch(m: RegExpMatchArray, handle: string, spanLength = handle.length): Match {
  const end = m.index! + m[0].length;
  return { start: end - spanLength, end, kind: 'chat', value: handle.replace(/[._-]+$/, '') };
}

function phones(text: string, region: CountryCode | undefined): Match[] {
  return findPhoneNumbersInText(text, region === undefined ? {} : { defaultCountry: region })
    .filter((m) => looksDialled(text.slice(m.startsAt, m.endsAt)))
    .map((m) => ({ start: m.startsAt, end: m.endsAt, kind: 'phone', value: m.number.number }));
}

/**
 * libphonenumber's compact metadata checks lengths only, so with a default region "2024 2024"
 * and "500 1000" are valid local numbers. A match counts when it is written as dialled: with an
 * international prefix, ten digits or more, or seven or more not broken by spaces.
 */
function looksDialled(written: string): boolean {
  const digits = written.replace(/\D/g, '').length;
  return /^\s*(?:\+|00)/.test(written) || digits >= 10 || (digits >= 7 && !/\d\s+\d/.test(written));
}

function digitRuns(text: string): Match[] {
  return [...text.matchAll(DIGIT_RUN)].map((m) => ({ start: m.index, end: m.index + m[0].length, kind: 'number', value: m[0].replace(/\D/g, '') }));
}

/**
 * Every identifier in `text`, in order, none overlapping. Where two detectors claim the same
 * characters the more specific wins: e-mail, link, phone (a WeChat id that is a phone number is
 * fingerprinted as the phone, as a seller observation of it would be), handle, then digit run.
 */
export function findIdentifiers(text: string, options: { defaultRegion?: CountryCode | undefined } = {}): FoundIdentifier[] {
  const folded = fold(text);
  const taken: Match[] = [];
  const overlaps = (m: Match): boolean => taken.some((t) => m.start < t.end && t.start < m.end);
  for (const found of [emails(folded.text), links(folded.text), phones(folded.text, options.defaultRegion), handles(folded.text), digitRuns(folded.text)]) {
    for (const m of found) if (m.end > m.start && !overlaps(m)) taken.push(m);
  }
  return taken
    .sort((a, b) => a.start - b.start)
    .map((m) => ({ start: folded.from[m.start]!, end: folded.to[m.end - 1]!, kind: m.kind, value: m.value }));
}

/** `text` with each found identifier replaced by `replacement(found)`. */
export function replaceIdentifiers(text: string, found: readonly FoundIdentifier[], replacement: (f: FoundIdentifier) => string): string {
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + replacement(f);
    at = f.end;
  }
  return out + text.slice(at);
}
