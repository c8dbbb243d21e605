import canonicalize from 'canonicalize';
import { COMMODITIES, TLPS, type Tlp } from '../indicators/index.js';
import { decodeBase64, decodeUtf8, isSafeIndex } from './bytes.js';
import { TlogError } from './errors.js';

/**
 * Log entries (design.md, "Formats that other parties verify", item 3): the RFC 8785
 * (JCS) bytes of `{"v":1,"kind":…,"ts":<ms since epoch>,…}`. Entries are public, so
 * they commit to content by hash and never carry it.
 *
 * Field forms, checked on encode and on parse:
 * - `member`, `agency`: a slug `[a-z0-9][a-z0-9-]{1,62}` (the members table rule);
 * - `batchId`: a lower-case UUID; `tlp`: a FIRST TLP 2.0 label;
 * - `count`, `ts`, `exp`, `hour`: non-negative safe integers; `exp` is a JWT
 *   NumericDate (seconds); `hour` is the ms-since-epoch start of a UTC hour;
 * - `jwsSha256`, `recordSha256`, `digestSha256`: base64url (no padding) of 32 bytes;
 * - `cert`: standard base64 of one DER SEQUENCE (the certificate), at most 16 KiB;
 * - `serial`: lower-case hex of the serial without leading zero bytes (pki's `serialHex`);
 * - `reason`: an RFC 5280 CRLReason name;
 * - `jti`: 1–128 of `[A-Za-z0-9._~-]`; `scope`: known scopes, single-space separated, no repeats;
 *   `commodities`: known commodities, the same way; `action` (token): `revoke`, absent at issuance;
 * - `by`: `member:<slug>` or `agency:<slug>`;
 * - `keysSha256`: base64url SHA-256 of the RFC 8785 JSON of an agency's public JWK set;
 * - `step`: a disclosure step (`filed`, `routed`, `delivered`, `answered`, `declined`,
 *   `retrieved`); `requestId`: a lower-case UUID (docs/disclosure.md);
 * - `name`: a warninglist's slug; `version`: a positive safe integer; `listSha256`: base64url
 *   SHA-256 of the RFC 8785 JSON of the list (src/guards/warninglist.ts);
 * - `indicatorId`: an indicator id (base64url of 32 bytes); `action`: `hold` or `release`;
 *   `source`: who decided, `hub` (its matchText rates), `operator`, or `member:<slug>` (a node's
 *   scan rates).
 * - `referral`: `step` (`filed`, `acknowledged`, `accepted`, `declined`, `closed`), `referralId` (a
 *   lower-case UUID), `agency` (the receiving agency), `by`, and `recordSha256` as lower-case hex
 *   (not base64url: the shape the transparency report was written against); `result` on `closed` only.
 */

export const ENTRY_KINDS = ['batch', 'member', 'revocation', 'token', 'opinion', 'access', 'agency', 'disclosure', 'warninglist', 'quarantine', 'referral'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The TLP labels of the indicator model: one list for the whole federation. */
export const ENTRY_TLPS = TLPS;
export type EntryTlp = Tlp;

/** RFC 5280 §5.3.1 CRLReason names (value 7 is unused). */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/**
 * design.md "Scopes", and `taxii:read` (the machine feeds, docs/interop.md). An auditor whose
 * release predates a scope refuses a `token` entry naming it (MALFORMED_ENTRY): auditors upgrade
 * before the hub issues tokens with a new scope.
 */
export const TOKEN_SCOPES = [
  'indicators:read',
  'sellers:read',
  'match:image',
  'match:text',
  'stats:read',
  'provenance:read',
  'audit:read',
  'admin',
  'taxii:read',
  'disclosure:request',
  'referrals:read',
  'referrals:act',
] as const;

/** The steps of a lawful re-identification request, each a record the log commits to (docs/disclosure.md). */
export const DISCLOSURE_STEPS = ['filed', 'routed', 'delivered', 'answered', 'declined', 'retrieved'] as const;
export type DisclosureStep = (typeof DISCLOSURE_STEPS)[number];

/** The steps of a member's referral to an agency (docs/auditor.md "referral"). */
export const REFERRAL_STEPS = ['filed', 'acknowledged', 'accepted', 'declined', 'closed'] as const;
export type ReferralStep = (typeof REFERRAL_STEPS)[number];
/** What an agency reports when it closes a referral: present on `closed` entries only. */
export const REFERRAL_RESULTS = ['INVESTIGATION_OPENED', 'SEIZURE', 'PROSECUTION', 'NO_ACTION'] as const;
export type ReferralResult = (typeof REFERRAL_RESULTS)[number];

interface EntryBase {
  /** When the hub logged it, ms since the epoch. */
  readonly ts: number;
}

export interface BatchEntry extends EntryBase {
  readonly kind: 'batch';
  readonly member: string;
  readonly batchId: string;
  readonly tlp: EntryTlp;
  readonly count: number;
  readonly jwsSha256: string;
}

export interface MemberEntry extends EntryBase {
  readonly kind: 'member';
  readonly member: string;
  readonly cert: string;
}

export interface RevocationEntry extends EntryBase {
  readonly kind: 'revocation';
  readonly member: string;
  readonly serial: string;
  readonly reason: RevocationReason;
}

/**
 * A token issued, or (with `action: 'revoke'`) revoked. `tlp` and `commodities` are absent from
 * entries logged before they were added; `commodities` is absent when the token sees every one.
 */
export interface TokenEntry extends EntryBase {
  readonly kind: 'token';
  readonly jti: string;
  readonly agency: string;
  readonly scope: string;
  readonly exp: number;
  readonly tlp?: EntryTlp;
  readonly commodities?: string;
  readonly action?: 'revoke';
}

export interface OpinionEntry extends EntryBase {
  readonly kind: 'opinion';
  readonly by: string;
  readonly recordSha256: string;
}

export interface AccessEntry extends EntryBase {
  readonly kind: 'access';
  readonly agency: string;
  readonly hour: number;
  readonly count: number;
  readonly digestSha256: string;
}

/** An agency registered (or replaced) its disclosure keys: the hash of its public JWK set. */
export interface AgencyEntry extends EntryBase {
  readonly kind: 'agency';
  readonly agency: string;
  readonly keysSha256: string;
}

/** One step of a disclosure request: the hash of its record, never the record. */
export interface DisclosureEntry extends EntryBase {
  readonly kind: 'disclosure';
  readonly step: DisclosureStep;
  readonly requestId: string;
  readonly recordSha256: string;
}

/** The federation operator published a warninglist: its name, version and hash, never its entries. */
export interface WarninglistEntry extends EntryBase {
  readonly kind: 'warninglist';
  readonly name: string;
  readonly version: number;
  readonly listSha256: string;
}

/** An indicator held back from matching everywhere (flood quarantine), or released. */
export interface QuarantineEntry extends EntryBase {
  readonly kind: 'quarantine';
  readonly indicatorId: string;
  readonly action: 'hold' | 'release';
  readonly source: string;
}

/**
 * One step of a referral from a member to one agency: who took it and the hash of its record
 * (lower-case hex SHA-256, as the transparency report reads it), never the record.
 */
export interface ReferralEntry extends EntryBase {
  readonly kind: 'referral';
  readonly step: ReferralStep;
  readonly referralId: string;
  readonly agency: string;
  readonly by: string;
  readonly recordSha256: string;
  readonly result?: ReferralResult;
}

export type LogEntry = BatchEntry | MemberEntry | RevocationEntry | TokenEntry | OpinionEntry | AccessEntry | AgencyEntry | DisclosureEntry | WarninglistEntry | QuarantineEntry | ReferralEntry;

/** Entry bytes beyond this are refused before parsing. */
/** Every entry fits a C2SP tlog-tiles entry bundle, whose entries carry a big-endian uint16 length. */
export const MAX_ENTRY_BYTES = 0xffff;
const MAX_CERT_BYTES = 16 * 1024;
const HOUR_MS = 3_600_000;

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERIAL = /^(?:[0-9a-f]{2}){1,20}$/;
const JTI = /^[A-Za-z0-9._~-]{1,128}$/;

/** A field check answers why the value is wrong, or undefined when it is right. */
type FieldCheck = (value: unknown) => string | undefined;

const oneOf =
  (values: readonly string[], what: string): FieldCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be ${what}`;

const slug: FieldCheck = (v) => (typeof v === 'string' && SLUG.test(v) ? undefined : 'must match [a-z0-9][a-z0-9-]{1,62}');
const count: FieldCheck = (v) => (isSafeIndex(v) ? undefined : 'must be a non-negative integer');
const positive: FieldCheck = (v) => (isSafeIndex(v) && v > 0 ? undefined : 'must be a positive integer');

/**
 * 43 base64url characters carry 258 bits: 32 bytes and two bits that canonical base64url leaves
 * zero, so the last character is one of the sixteen whose low two bits are 0. The same rule as
 * decoding and re-encoding (entry.test.ts checks every last character), without the copies: an
 * auditor checks this for nearly every entry.
 */
const SHA256_CANONICAL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const sha256: FieldCheck = (v) => (typeof v === 'string' && SHA256_CANONICAL.test(v) ? undefined : 'must be base64url of a SHA-256 hash');

const uuid: FieldCheck = (v) => (typeof v === 'string' && UUID.test(v) ? undefined : 'must be a lower-case UUID');

const serial: FieldCheck = (v) =>
  typeof v === 'string' && SERIAL.test(v) && (v === '00' || !v.startsWith('00'))
    ? undefined
    : 'must be lower-case hex of at most 20 bytes without leading zero bytes';

const jti: FieldCheck = (v) => (typeof v === 'string' && JTI.test(v) ? undefined : 'must be 1-128 of [A-Za-z0-9._~-]');

const hour: FieldCheck = (v) => (isSafeIndex(v) && v % HOUR_MS === 0 ? undefined : 'must be the ms-since-epoch start of an hour');

const by: FieldCheck = (v) => {
  if (typeof v !== 'string') return 'must be member:<slug> or agency:<slug>';
  const colon = v.indexOf(':');
  const role = v.slice(0, colon);
  return colon > 0 && (role === 'member' || role === 'agency') && SLUG.test(v.slice(colon + 1))
    ? undefined
    : 'must be member:<slug> or agency:<slug>';
};

const spaceSeparated =
  (known: readonly string[], what: string): FieldCheck =>
  (v) => {
    if (typeof v !== 'string' || v === '') return `must be a space-separated list of ${what}`;
    const words = v.split(' ');
    if (new Set(words).size !== words.length) return `must not repeat one of the ${what}`;
    const unknown = words.find((s) => !known.includes(s));
    return unknown === undefined ? undefined : `must hold only known ${what} separated by single spaces`;
  };
const scope = spaceSeparated(TOKEN_SCOPES, 'scopes');

/** One DER SEQUENCE with a minimal definite length that spans exactly the bytes. */
function isDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] as number;
  if (first < 0x80) return 2 + first === der.length;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 3 || der.length < 2 + octets || der[2] === 0) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (der[2 + i] as number);
  return length >= 0x80 && 2 + octets + length === der.length;
}

const cert: FieldCheck = (v) => {
  if (typeof v !== 'string' || v.length > Math.ceil(MAX_CERT_BYTES / 3) * 4) return 'must be base64 DER of at most 16 KiB';
  const der = decodeBase64(v);
  return der !== undefined && isDerSequence(der) ? undefined : 'must be canonical base64 of one DER certificate';
};

const FIELDS: Readonly<Record<EntryKind, Readonly<Record<string, FieldCheck>>>> = {
  batch: { member: slug, batchId: uuid, tlp: oneOf(ENTRY_TLPS, 'a TLP label'), count, jwsSha256: sha256 },
  member: { member: slug, cert },
  revocation: { member: slug, serial, reason: oneOf(REVOCATION_REASONS, 'an RFC 5280 CRLReason name') },
  token: { jti, agency: slug, scope, exp: count },
  opinion: { by, recordSha256: sha256 },
  access: { agency: slug, hour, count, digestSha256: sha256 },
  agency: { agency: slug, keysSha256: sha256 },
  disclosure: { step: oneOf(DISCLOSURE_STEPS, 'a disclosure step'), requestId: uuid, recordSha256: sha256 },
  warninglist: { name: slug, version: positive, listSha256: sha256 },
  referral: { step: oneOf(REFERRAL_STEPS, 'a referral step'), referralId: uuid, agency: slug, by, recordSha256: sha256 },
  quarantine: { indicatorId: sha256, action: oneOf(['hold', 'release'], 'hold or release'), source: (v) => (v === 'hub' || v === 'operator' || (typeof v === 'string' && v.startsWith('member:') && SLUG.test(v.slice(7))) ? undefined : 'must be hub, operator or member:<slug>') },
};

/** Fields a kind may carry or omit (added after entries without them were logged). */
const OPTIONAL: Readonly<Partial<Record<EntryKind, Readonly<Record<string, FieldCheck>>>>> = {
  token: { tlp: oneOf(ENTRY_TLPS, 'a TLP label'), commodities: spaceSeparated(COMMODITIES, 'commodities'), action: oneOf(['revoke'], 'revoke') },
  referral: { result: oneOf(REFERRAL_RESULTS, 'a referral result') },
};

function malformed(message: string, details: Record<string, unknown> = {}): TlogError {
  return new TlogError('MALFORMED_ENTRY', message, { details });
}

function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && (ENTRY_KINDS as readonly string[]).includes(value);
}

/** Checks the wire object `{v, kind, ts, …}` and copies it into a LogEntry. */
function toEntry(value: unknown): LogEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('entry must be a JSON object');
  const record = value as Record<string, unknown>;
  if (record['v'] !== 1) throw malformed('entry version v must be 1', { field: 'v' });
  const kind = record['kind'];
  if (!isEntryKind(kind)) throw malformed(`entry kind must be one of ${ENTRY_KINDS.join(', ')}`, { field: 'kind' });
  if (!isSafeIndex(record['ts'])) throw malformed('ts must be a non-negative integer (ms since epoch)', { field: 'ts' });
  const checks = FIELDS[kind];
  const optional = OPTIONAL[kind] ?? {};
  const extra = Object.keys(record).find((key) => key !== 'v' && key !== 'kind' && key !== 'ts' && !Object.hasOwn(checks, key) && !Object.hasOwn(optional, key));
  if (extra !== undefined) throw malformed(`a ${kind} entry has no field ${extra.slice(0, 64)}`, { field: extra.slice(0, 64) });
  const entry: Record<string, unknown> = { kind, ts: record['ts'] };
  const copy = (field: string, check: FieldCheck) => {
    const reason = check(record[field]);
    if (reason !== undefined) throw malformed(`${kind}.${field} ${reason}`, { field, reason });
    entry[field] = record[field];
  };
  for (const [field, check] of Object.entries(checks)) {
    if (!Object.hasOwn(record, field)) throw malformed(`a ${kind} entry needs ${field}`, { field });
    copy(field, check);
  }
  for (const [field, check] of Object.entries(optional)) if (Object.hasOwn(record, field)) copy(field, check);
  // A referral's result is what closing it reported: on `closed` entries, and only there.
  if (kind === 'referral' && (record['step'] === 'closed') !== Object.hasOwn(record, 'result')) {
    throw malformed(record['step'] === 'closed' ? 'a closed referral entry needs result' : 'only a closed referral entry has a result', { field: 'result' });
  }
  return entry as unknown as LogEntry;
}

function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw malformed('entry cannot be canonicalized');
  return Buffer.from(text, 'utf8');
}

/**
 * The log bytes of an entry: JCS of `{"v":1, ...entry}`. Throws `MALFORMED_ENTRY`
 * when a field breaks its form, so the hub never logs what auditors would refuse.
 * @example leafHash(encodeEntry({ kind: 'opinion', ts: Date.now(), by: 'agency:kws', recordSha256 }))
 */
export function encodeEntry(entry: LogEntry): Uint8Array {
  const wire = { ...entry, v: 1 };
  toEntry(wire);
  const bytes = canonicalBytes(wire);
  if (bytes.length > MAX_ENTRY_BYTES) throw malformed(`entry exceeds ${MAX_ENTRY_BYTES} bytes`);
  return bytes;
}

/**
 * Parses log entry bytes and checks their form: valid UTF-8 JSON, a known kind
 * with exactly its fields in their forms, and bytes equal to their canonical
 * re-encoding (so no duplicate keys, spacing, key order or number spelling can
 * vary). Throws `MALFORMED_ENTRY`.
 */
export function parseEntry(bytes: Uint8Array): LogEntry {
  if (!(bytes instanceof Uint8Array)) throw malformed('entry must be bytes');
  if (bytes.length > MAX_ENTRY_BYTES) throw malformed(`entry exceeds ${MAX_ENTRY_BYTES} bytes`);
  const text = decodeUtf8(bytes);
  if (text === undefined) throw malformed('entry is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('entry is not JSON');
  }
  const entry = toEntry(value);
  // toEntry took only strings and integers; with no surrogate anywhere in the text, none needs a per-value look.
  const canonical = SURROGATE.test(text) ? canonicalTextOf(value as Record<string, unknown>) : flatCanonicalText(value as Record<string, unknown>);
  if (canonical !== text) throw malformed('entry bytes are not the canonical (RFC 8785) encoding');
  return entry;
}

/**
 * RFC 8785 of an entry `toEntry` accepted, without a general canonicalizer: its members are
 * known ASCII names and every value is a string or a safe integer (each field check says so), for
 * which JCS is the keys in UTF-16 order and `JSON.stringify` of each value (ES2019 JSON.stringify
 * is JCS's string and integer serialization). Compared as text with the entry's UTF-8 decoding,
 * which `decodeUtf8` makes one-to-one with the bytes (fatal on any invalid sequence, a byte-order
 * mark kept as text), so equal text means equal bytes. Anything else goes through
 * `canonicalize`; src/tlog/entry.test.ts checks the two agree.
 * Undefined when there is no canonical form (a lone surrogate).
 */
export function canonicalTextOf(value: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (SURROGATE.test(key) || (typeof v === 'string' && SURROGATE.test(v))) return general(value);
  }
  return flatCanonicalText(value);
}

/** canonicalTextOf of an object with no surrogate in its keys or strings. */
function flatCanonicalText(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  let sorted = true;
  for (const [i, key] of keys.entries()) {
    const v = value[key];
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v))) return general(value);
    if (INDEX_LIKE.test(key)) return general(value);
    if (i > 0 && !(keys[i - 1]! < key)) sorted = false;
  }
  // Keys come in the order they were written (none is index-like, which objects would put
  // first), so bytes in canonical order stringify as they are; else a replacer array writes
  // the members sorted. Either way one native pass.
  return sorted ? JSON.stringify(value) : JSON.stringify(value, keys.sort());
}

/** A key an object orders before the others (an array index), whatever order it was written in. */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;
/** Any surrogate: such strings take the general path, which refuses lone ones as RFC 8785 does. */
const SURROGATE = /[\ud800-\udfff]/;

/** `canonicalize`, undefined where RFC 8785 has no form (a lone surrogate: no UTF-8 encodes it). */
function general(value: unknown): string | undefined {
  try {
    return canonicalize(value);
  } catch {
    return undefined;
  }
}
