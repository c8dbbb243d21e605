/**
 * Identifiers in free text, however they are spelled: phone numbers, e-mail addresses, chat
 * handles after a contact cue, links, and account or payment numbers. Everything is looked for in
 * the canonical form (canonical.ts), where a phone split by emoji is a digit chain and 圈 or 🌀
 * between two halves can stand for `@`; every match maps back to an exact span of the raw text.
 * Pure: no I/O, no clock.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { canonicalize, type Canonical } from './canonical.js';

export type IdentifierKind = 'phone' | 'email' | 'chat' | 'url' | 'account' | 'payment';

export interface FoundIdentifier {
  /** [start, end) in UTF-16 code units of the raw text. */
  readonly start: number;
  readonly end: number;
  readonly kind: IdentifierKind;
  /**
   * The identifier as a seller observation would carry it: E.164 for a phone, `local@domain`
   * however it was spelled, the handle, the link, the digits of an account.
   */
  readonly value: string;
  /**
   * A way to reach or pay the seller (a phone, an address, a handle, a link, a number after a
   * payment or messaging cue), worth a seller fingerprint; a bare run of digits is not.
   */
  readonly contact: boolean;
}

/**
 * The word a scrubbed identifier leaves in its place ("[phone]", or `phone` in a slug). Never an
 * identifier itself, so a scrubbed text stays clean after normalization ("加微信chat象牙").
 */
export const PLACEHOLDER_WORD: Readonly<Record<IdentifierKind, string>> = { phone: 'phone', email: 'email', chat: 'chat', url: 'link', account: 'account', payment: 'payment' };
const PLACEHOLDER_WORDS = new Set(Object.values(PLACEHOLDER_WORD));

export interface FindOptions {
  /** Region for numbers written without a country code, e.g. `CN`. */
  readonly defaultRegion?: CountryCode | undefined;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly IdentifierKind[] | undefined;
}

interface Match {
  readonly start: number;
  readonly end: number;
  readonly kind: IdentifierKind;
  readonly value: string;
  readonly contact: boolean;
}

// ---- e-mail addresses and links -------------------------------------------------------------

const OPEN = '[(\\[{<（【〔]';
const CLOSE = '[)\\]}>）】〕]';
/** `@` as sellers write it: ＠ (folded), #, 圈, 艾特, an emoji, (at), or " at ". */
const AT = `(?:\\s*(?:@|#|圈|艾特|\\uE000{1,3}|${OPEN}\\s*at\\s*${CLOSE})\\s*|\\s+at\\s+)`;
/** `.` as sellers write it: ．(folded), 。, 点, [.], (dot), " dot ". */
const DOT = `(?:\\s*(?:\\.|。|点|${OPEN}\\s*(?:\\.|dot)\\s*${CLOSE})\\s*|\\s+dot\\s+)`;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** Mail providers whose addresses are written without a domain ("zzbob@qq", "zzbob#163"). */
const PROVIDER = 'qq|163|126|139|gmail|hotmail|outlook|yahoo|sina|sohu|foxmail|icloud|yeah|protonmail|proton|aliyun';
const LOCAL = '[a-z0-9][a-z0-9._%+-]{0,63}';
const EMAIL = new RegExp(
  `(?<![a-z0-9._%+-])(${LOCAL})${AT}(${LABEL}(?:${DOT}${LABEL})*${DOT}[a-z]{2,24}|${PROVIDER})(?![a-z0-9-])`,
  'g',
);
const TLD = 'com|cn|net|org|io|me|info|biz|top|xyz|shop|co|hk|tw|ru|cc|vip|link|uk|de|jp|app|site|online|store|tk|ws';
/** A link: scheme (hxxp too) or a dotted host ending in a known TLD, dots spelled any way. */
const URL = new RegExp(
  `(?<![a-z0-9@._-])(?:h(?:tt|xx)ps?:\\/\\/)?(?:${LABEL}${DOT})*[a-z0-9][a-z0-9-]{1,62}${DOT}(?:${TLD})(?![a-z0-9])(?:\\/[^\\s\\uE000，。、]*)?`,
  'g',
);
/** A link with a scheme (hxxp too) or `www.` names any host. */
const SCHEME_URL = /(?<![a-z0-9])(?:h(?:tt|xx)ps?:\/\/|www\.)[^\s\uE000<>"'，。、）)]+/g;
const SPELLED_DOT = new RegExp(DOT, 'g');

/** Cheap tests that spare the full patterns on text that cannot hold their match. */
const MAY_HOLD_EMAIL = /[@#圈艾\uE000]|(?<![a-z])at(?![a-z])/;
const MAY_HOLD_LINK = new RegExp(`(?:${TLD})(?![a-z0-9])`);

function emails(text: string): Match[] {
  const found: Match[] = [];
  if (!MAY_HOLD_EMAIL.test(text)) return found;
  for (const m of text.matchAll(EMAIL)) {
    const [local, domain] = [m[1]!, m[2]!];
    // "price at 126" is not an address: a bare " at " needs a named domain, not a number.
    if (/^\s+at\s+$/.test(m[0].slice(local.length, m[0].length - domain.length)) && /^\d+$/.test(domain)) continue;
    if (!/[a-z]/.test(local) && !/[.@]/.test(m[0])) continue;
    found.push({ start: m.index, end: m.index + m[0].length, kind: 'email', value: `${local}@${domain.replace(SPELLED_DOT, '.')}`, contact: true });
  }
  return found;
}

function links(text: string): Match[] {
  const link = (m: RegExpMatchArray): Match => ({ start: m.index!, end: m.index! + m[0].length, kind: 'url', value: m[0].replace(SPELLED_DOT, '.').replace(/^hxxp/, 'http'), contact: true });
  const found = text.includes('//') || text.includes('www.') ? [...text.matchAll(SCHEME_URL)].map(link) : [];
  if (!MAY_HOLD_LINK.test(text)) return found;
  const spelled = [...text.matchAll(URL)].filter((m) => /[a-z]/.test(m[0].replace(/^h(?:tt|xx)ps?:\/\//, '').split(/[.。]/)[0] ?? ''));
  return [...found, ...spelled.map(link)];
}

// ---- digit chains: phones, accounts ---------------------------------------------------------

/** A run of digits, with the `+` of an international number. */
const GROUP = /\+?[0-9]+/g;
/** A gap that keeps digit groups in one chain: a few spaces, punctuation or junk ("138🐘0013🐘8000", "(1)(3)(8)"). */
const TIGHT_GAP = /^[\s\uE000\-–—./\\|_~·•()[\]{}<>【】（）〔〕,，、:：*]{1,4}$/;
/** A gap that may still join two halves of one phone: a few characters, none Latin or digit ("前面139 1234 后面5678"). */
const LOOSE_GAP = /^[^a-z0-9+]{1,6}$/;
/** A number followed by a unit is a measurement or a price, not a phone ("700/850/1900 MHz"). */
const UNIT_NEXT = /^\s*(?:[kmg]?hz|mm|cm|km|kg|g|ml|mah|gb|tb|元|块|件|颗|米|克|斤|cm|%)(?![a-z])/;
const CN_MOBILE = /^(?:0{0,2}86)?(1[3-9][0-9]{9})$/;
const NANP = /^1?([2-9][0-9]{2}[2-9][0-9]{6})$/;
/** Before a chain: a payment cue makes it a payment number. */
const PAYMENT_CUE = /(?:卡号|银行卡|账号|帐号|账户|支付宝|收款|转账|alipay|paypal|card|iban|acct|account)[\s\uE000:：=]*$/;

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
  /** How it joins the next group: in one chain, possibly as the other half of a phone, or not at all. */
  readonly link: 'tight' | 'loose' | 'none';
}

function groupsOf(text: string): Group[] {
  const found = [...text.matchAll(GROUP)];
  return found.map((m, k) => {
    const next = found[k + 1];
    const gap = next === undefined ? '' : text.slice(m.index + m[0].length, next.index);
    const link = next === undefined || next[0].startsWith('+') ? 'none' : TIGHT_GAP.test(gap) ? 'tight' : LOOSE_GAP.test(gap) ? 'loose' : 'none';
    return { start: m.index, end: m.index + m[0].length, digits: m[0].replace('+', ''), link };
  });
}

/** The phone a written chain of digits spells, as E.164, or undefined. */
function phoneOf(written: string, digits: string, region: CountryCode | undefined): string | undefined {
  if (/^(?:\+|00)/.test(written)) {
    const parsed = parsePhoneNumberFromString(`+${digits.replace(/^00/, '')}`);
    if (parsed?.isValid() === true) return parsed.number;
  }
  const cn = CN_MOBILE.exec(digits);
  if (cn !== null) return `+86${cn[1]}`;
  const groups = written.split(/[^0-9]+/).filter((g) => g !== '');
  const nanp = NANP.exec(digits);
  // 3-3-4 as written in North America, one run, or digit by digit (spelled out).
  const northAmerican = groups.slice(-3).map((g) => g.length).join() === '3,3,4' || groups.length === 1 || groups.every((g) => g.length === 1);
  if (nanp !== null && northAmerican) return `+1${nanp[1]}`;
  // A national number of the region is dialled with its trunk prefix (0755…); "12/2026, 8685" is none.
  if (region !== undefined && /^0[0-9]{2,3}$|^0[0-9]{9,12}$/.test(groups[0] ?? '') && /^[0-9\s\-.()]+$/.test(written) && digits.length >= 10 && digits.length <= 13) {
    const parsed = parsePhoneNumberFromString(digits, region);
    if (parsed?.isValid() === true) return parsed.number;
  }
  return undefined;
}

/** The longest phone spelled by groups[i…j], j ≥ i, across tight links and at most one loose one. */
function phoneFrom(text: string, groups: readonly Group[], i: number, region: CountryCode | undefined): Match | undefined {
  let digits = '';
  let loose = 0;
  let best: Match | undefined;
  for (let j = i; j < groups.length; j++) {
    digits += groups[j]!.digits;
    if (digits.length > 15) break;
    // The shortest phone with its country code has eight digits.
    const written = digits.length < 8 ? '' : text.slice(groups[i]!.start, groups[j]!.end);
    const phone = written !== '' && (written.startsWith('+') || !UNIT_NEXT.test(text.slice(groups[j]!.end))) ? phoneOf(written, digits, region) : undefined;
    if (phone !== undefined) best = { start: groups[i]!.start, end: groups[j]!.end, kind: 'phone', value: phone, contact: true };
    const link = groups[j]!.link;
    if (link === 'none' || (link === 'loose' && ++loose > 1)) break;
  }
  return best;
}

function phones(text: string, groups: readonly Group[], region: CountryCode | undefined): Match[] {
  const found: Match[] = [];
  for (let i = 0; i < groups.length; i++) {
    const phone = phoneFrom(text, groups, i, region);
    if (phone === undefined) continue;
    found.push(phone);
    while (i + 1 < groups.length && groups[i + 1]!.start < phone.end) i++;
  }
  return found;
}

interface Chain {
  readonly start: number;
  readonly end: number;
  readonly written: string;
  readonly digits: string;
}

/** Groups joined by tight links. */
function chains(text: string, groups: readonly Group[]): Chain[] {
  const out: Chain[] = [];
  for (let i = 0; i < groups.length; i++) {
    let j = i;
    while (groups[j]!.link === 'tight') j++;
    out.push({ start: groups[i]!.start, end: groups[j]!.end, written: text.slice(groups[i]!.start, groups[j]!.end), digits: groups.slice(i, j + 1).map((g) => g.digits).join('') });
    i = j;
  }
  return out;
}

/** 20240815 is a date (a batch, a release), not an account. */
const DATE = /^(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])$/;

/** A card number's groups of 12 to 19 digits; a list of years ("2024 2024 2024") is none (UnionPay numbers need not pass Luhn, so no checksum). */
function isCardNumber(digits: string, groups: readonly string[]): boolean {
  return digits.length >= 12 && digits.length <= 19 && groups.every((g) => g.length >= 3) && !groups.every((g) => /^(?:19|20)[0-9]{2}$/.test(g));
}

/** A card number's groups are set apart by spaces, dashes, dots or junk; a list separator (、 , ，) makes it a list of numbers ("2024、2024、2024"). */
function cardGaps(written: string): boolean {
  return written.split(/[0-9]+/).slice(1, -1).every((gap) => /^[\s\uE000\-–—.]+$/.test(gap));
}

/**
 * Digits that are no phone but still an identifier: seven or more in a row, a card number's
 * groups of three or more (twelve digits or more, not a list of years), seven or more split by emoji, or five or more
 * after a payment cue. Size lists ("38 39 40 41…") and dates are none of these.
 */
function accounts(text: string, all: readonly Chain[]): Match[] {
  const found: Match[] = [];
  for (const c of all) {
    const groups = c.written.split(/[^0-9]+/).filter((g) => g !== '');
    const cue = PAYMENT_CUE.test(text.slice(Math.max(0, c.start - 12), c.start));
    const identifier =
      groups.some((g) => g.length >= 7 && !DATE.test(g)) ||
      (isCardNumber(c.digits, groups) && cardGaps(c.written)) ||
      (c.digits.length >= 7 && c.written.includes('\uE000')) ||
      (cue && c.digits.length >= 5);
    if (identifier) found.push({ start: c.start, end: c.end, kind: cue ? 'payment' : 'account', value: c.digits, contact: cue });
  }
  return found;
}

// ---- chat handles -----------------------------------------------------------------------------

/** Between the letters of a cue: "wei xin", "微❤信", "Q Q", "t.g", "L I N E". */
const SPREAD = '[\\s\\uE000.·*-]?';
const spread = (word: string): string => [...word].map((ch) => ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(SPREAD);
const CJK_CUES = ['微信号', '微信', '威信', '薇信', '维信', '徽信', '微', '薇', '威', 'v信', '扣扣号', '扣扣', '扣', '企鹅号', '企鹅', '电报号', '电报', '飞机号', '飞机', '抖音号', '快手号', '闲鱼号', '联系方式', '联系', '加我', '加v', '加微', '私我'];
const LATIN_CUES = ['wechat', 'weixin', 'whatsapp', 'telegram', 'signal', 'skype', 'viber', 'kakaotalk', 'kakao', 'instagram', 'facebook', 'line', 'tg', 'wa', 'ig', 'ins', 'fb', 'vx', 'wx', 'qq', 'q', '+v'];
const byLength = (a: string, b: string): number => b.length - a.length;
const CUE_SEPARATOR = '[\\s\\uE000:：=＝>-]*(?:(?:号码?|id|账号|帐号)[\\s\\uE000:：=＝-]*){0,2}@?';
const HANDLE = '[a-z][a-z0-9_.-]{2,31}(?![a-z0-9_])|[0-9](?:[\\s\\uE000-]?[0-9]){4,14}(?![0-9])';
const CJK_HANDLE = new RegExp(`(?:${CJK_CUES.sort(byLength).map(spread).join('|')})(${CUE_SEPARATOR})(${HANDLE})`, 'g');
const LATIN_HANDLE = new RegExp(`(?<![a-z0-9])(${LATIN_CUES.sort(byLength).map(spread).join('|')})(${CUE_SEPARATOR})(${HANDLE})`, 'g');
/** A handle with a digit or `_` followed by the cue: "zzwx_seller8812 微". */
const TRAILING_CUE = /(?<![a-z0-9_])([a-z][a-z0-9_.-]*[0-9_][a-z0-9_.-]*)[\s\uE000]*(?:微信?|薇|vx|wx)(?![a-z])/g;
const AT_HANDLE = /(?<![a-z0-9._%+-])@([a-z0-9_]{3,32})/g;

function chatMatch(end: number, handle: string): Match | undefined {
  if (PLACEHOLDER_WORDS.has(handle)) return undefined;
  const value = /^[0-9]/.test(handle) ? handle.replace(/[^0-9]/g, '') : handle.replace(/[._-]+$/, '');
  return { start: end - handle.length, end, kind: 'chat', value, contact: true };
}

/**
 * After a Chinese cue any handle counts. After a Latin cue, which is also an English word ("line
 * art", "Telegram print"), a handle of letters alone needs an explicit separator (`:`, an arrow)
 * or to be long and end the phrase; one with a digit or `_`, or a number, always counts.
 */
function handles(text: string): Match[] {
  const found: Match[] = [];
  const add = (m: Match | undefined): void => void (m !== undefined && found.push(m));
  for (const m of text.matchAll(CJK_HANDLE)) add(chatMatch(m.index + m[0].length, m[2]!));
  for (const m of text.matchAll(LATIN_HANDLE)) {
    const [cue, separator, handle] = [m[1]!, m[2]!, m[3]!];
    const end = m.index + m[0].length;
    const marked = /[:：=＝>\uE000]|号|id/.test(separator) || /[0-9_]/.test(handle);
    const endsPhrase = handle.length >= 6 && cue.replace(/[^a-z]/g, '').length >= 4 && !/^\s*[a-z0-9]/.test(text.slice(end));
    if (marked || endsPhrase) add(chatMatch(end, handle));
  }
  for (const m of text.matchAll(TRAILING_CUE)) found.push({ start: m.index, end: m.index + m[1]!.length, kind: 'chat', value: m[1]!.replace(/[._-]+$/, ''), contact: true });
  for (const m of text.matchAll(AT_HANDLE)) if (!PLACEHOLDER_WORDS.has(m[1]!)) found.push({ start: m.index, end: m.index + m[0].length, kind: 'chat', value: m[1]!, contact: true });
  return found;
}

// ---- all together -----------------------------------------------------------------------------

/** Something in the text is worth a closer look: a digit, `@`, a letter or a cue. Most listings have one, so this only spares empty work. */
const ANYTHING = /[0-9a-z@#\uE000圈微薇威扣企电飞联加私]/;

/**
 * Every identifier in `text`, in order, none overlapping. Where detectors claim the same
 * characters the more specific wins: e-mail, link, phone (a WeChat id that is a phone number is
 * the phone, as a seller observation of it would be), handle, then account number.
 */
export function findIdentifiers(text: string, options: FindOptions = {}): FoundIdentifier[] {
  const c = canonicalize(text);
  if (!ANYTHING.test(c.text)) return [];
  const groups = groupsOf(c.text);
  const taken: Match[] = [];
  const overlaps = (m: Match): boolean => taken.some((t) => m.start < t.end && t.start < m.end);
  const claim = (found: readonly Match[]): void => {
    for (const m of found) if (m.end > m.start && !overlaps(m)) taken.push(m);
  };
  const wants = (...kinds: IdentifierKind[]): boolean => options.kinds === undefined || kinds.some((k) => options.kinds!.includes(k));
  if (wants('email')) claim(emails(c.text));
  if (wants('url')) claim(links(c.text));
  if (wants('phone')) claim(phones(c.text, groups, options.defaultRegion));
  if (wants('chat')) claim(handles(c.text));
  if (wants('account', 'payment')) claim(accounts(c.text, chains(c.text, groups)));
  return taken.sort((a, b) => a.start - b.start).map((m) => toRaw(m, c));
}

function toRaw(m: Match, c: Canonical): FoundIdentifier {
  return { start: c.from[m.start]!, end: c.to[m.end - 1]!, kind: m.kind, value: m.value, contact: m.contact };
}

/** `text` with each found identifier replaced by `replacement(found)`. */
export function replaceIdentifiers(text: string, found: readonly FoundIdentifier[], replacement: (f: FoundIdentifier) => string): string {
  let out = '';
  let at = 0;
  for (const f of found) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + replacement(f);
    at = f.end;
  }
  return out + text.slice(at);
}
