/**
 * The transparency report's figures (issue #22), as one pure function over what an auditor can
 * fetch and verify: the parsed log entries up to a checkpoint, the items of the batches those
 * entries commit to (each already checked against its entry's jwsSha256 and its member's
 * signature), referral entries, and the disclosure requests verified against their log entries.
 * No I/O, no clock: `wildintel report` and `wildintel audit report` call it on the same inputs and
 * must get the same figures.
 */
import type { AgencyVolume } from '../audit/index.js';
import type { Commodity, IndicatorType } from '../indicators/index.js';
import { REMOVAL_ACTIONS, weekStart } from '../outcomes/index.js';
import { parseCertificate } from '../pki/index.js';
import { isOutcomeRetraction, type OutcomeItem, type OutcomeRecord } from '../provenance/index.js';
import type { LogEntry } from '../tlog/index.js';
import { referralFigures, type ReferralEntry } from './referrals.js';

/** A figure's value: a count, a map of counts (keys sorted), or null when the inputs cannot give it. */
export type FigureValue = number | null | Readonly<Record<string, number>>;

export interface Bilingual {
  readonly en: string;
  readonly zh: string;
}

export interface Figure {
  readonly id: string;
  readonly title: Bilingual;
  readonly definition: Bilingual;
  readonly value: FigureValue;
  /** The log entries it came from: their kinds, and the first and last index and count of those that count. */
  readonly source: { readonly kinds: readonly string[]; readonly firstIndex: number | null; readonly lastIndex: number | null; readonly entries: number };
}

/** A verified batch's items as the figures need them; `undefined` where the reader was not shown an item. */
export interface BatchContents {
  readonly member: string;
  readonly indicators: ReadonlyArray<{ readonly id: string; readonly type: IndicatorType; readonly commodity: Commodity } | undefined>;
  readonly outcomes: ReadonlyArray<OutcomeItem | undefined>;
}

export interface ReportInput {
  /** [from, to) in ms since the epoch, against the entries' `ts`. */
  readonly period: { readonly from: number; readonly to: number };
  /** Every entry below the checkpoint's size, in order. */
  readonly entries: ReadonlyArray<{ readonly index: number; readonly entry: LogEntry }>;
  readonly referrals: ReadonlyArray<ReferralEntry & { readonly index: number }>;
  /** The items of every batch entry read, by its log index; absent when no batch could be read. */
  readonly batches: ReadonlyMap<number, BatchContents> | undefined;
  /** Disclosure requests filed in the period, verified against their records (audit:read); absent without. */
  readonly disclosures: readonly AgencyVolume[] | undefined;
  readonly referralDeadlineMs: number;
}

type Indexed<K extends LogEntry['kind']> = Extract<LogEntry, { kind: K }> & { readonly index: number };

export function reportFigures(input: ReportInput): Figure[] {
  const { from, to } = input.period;
  const inPeriod = (ts: number) => ts >= from && ts < to;
  const of = <K extends LogEntry['kind']>(kind: K): Array<Indexed<K>> => input.entries.filter((e) => e.entry.kind === kind).map((e) => ({ ...(e.entry as Extract<LogEntry, { kind: K }>), index: e.index }));
  const batchEntries = of('batch');
  const periodBatches = batchEntries.filter((b) => inPeriod(b.ts));
  const items = readItems(batchEntries, input.batches);
  const source = (kinds: readonly string[], rows: ReadonlyArray<{ index: number }>) => ({ kinds, firstIndex: rows[0]?.index ?? null, lastIndex: rows.at(-1)?.index ?? null, entries: rows.length });
  const figures: Figure[] = [];
  const add = (id: keyof typeof TEXTS, value: FigureValue, kinds: readonly string[], rows: ReadonlyArray<{ index: number }>) => figures.push({ id, ...TEXTS[id], value, source: source(kinds, rows) });

  const membership = [...of('member'), ...of('revocation')].filter((e) => e.ts < to).sort((a, b) => a.index - b.index);
  const members = memberCounts(membership, from);
  add('members.active', members.active, ['member', 'revocation'], membership);
  add('members.joined', members.joined, ['member'], membership.filter((e) => e.kind === 'member' && inPeriod(e.ts)));

  add('batches.logged', periodBatches.length, ['batch'], periodBatches);
  add('items.logged', periodBatches.reduce((n, b) => n + b.count, 0), ['batch'], periodBatches);
  add('coverage.batchesRead', items === undefined ? 0 : batchEntries.length, ['batch'], batchEntries);

  const periodItems = items?.filter((x) => inPeriod(x.ts));
  add('indicators.byTypeAndCommodity', periodItems === undefined ? null : tally(periodItems.flatMap((b) => b.indicators.map((i) => `${i.type} ${i.commodity}`))), ['batch'], periodBatches);
  const outcomes = items === undefined ? undefined : standingOutcomes(items);
  const periodOutcomes = outcomes?.filter((o) => inPeriod(o.ts));
  add('outcomes.byAction', periodOutcomes === undefined ? null : tally(periodOutcomes.map((o) => o.action)), ['batch'], periodBatches);
  add('outcomes.listingsRemoved', periodOutcomes === undefined ? null : periodOutcomes.filter((o) => o.action === 'REMOVED').length, ['batch'], periodBatches);
  add('outcomes.accountsActioned', periodOutcomes === undefined ? null : periodOutcomes.filter((o) => o.action === 'ACCOUNT_SUSPENDED').length, ['batch'], periodBatches);
  add('outcomes.medianHoursToTakedown', items === undefined || periodOutcomes === undefined ? null : medianHoursToTakedown(items, periodOutcomes), ['batch'], batchEntries);
  add('outcomes.removalsByWeekAndCommodity', items === undefined || periodOutcomes === undefined ? null : removalsByWeek(items, periodOutcomes), ['batch'], batchEntries);

  const asOf = input.entries.at(-1)?.entry.ts ?? 0;
  const referrals = referralFigures(input.referrals, input.period, input.referralDeadlineMs, asOf);
  const referralRows = input.referrals;
  add('referrals.filed', referrals.filed, ['referral'], referralRows.filter((r) => r.step === 'filed' && inPeriod(r.ts)));
  add('referrals.acknowledged', referrals.acknowledged, ['referral'], referralRows);
  add('referrals.overdue', referrals.overdue, ['referral'], referralRows);
  add('referrals.byAgency', referrals.byAgency, ['referral'], referralRows.filter((r) => r.step === 'filed' && inPeriod(r.ts)));
  add('referrals.byResult', referrals.byResult, ['referral'], referralRows.filter((r) => r.step === 'closed'));

  const disclosures = of('disclosure');
  const filed = disclosures.filter((d) => d.step === 'filed' && inPeriod(d.ts));
  add('disclosures.filed', filed.length, ['disclosure'], filed);
  add('disclosures.byAgency', input.disclosures === undefined ? null : Object.fromEntries(input.disclosures.map((v) => [v.agency, v.requests])), ['disclosure', 'agency'], disclosures);
  add('disclosures.results', input.disclosures === undefined ? null : disclosureResults(input.disclosures), ['disclosure'], disclosures);

  const tokens = of('token').filter((t) => inPeriod(t.ts));
  add('tokens.issuedByAgency', tally(tokens.filter((t) => t.action === undefined).map((t) => t.agency)), ['token'], tokens);
  add('tokens.revokedByAgency', tally(tokens.filter((t) => t.action === 'revoke').map((t) => t.agency)), ['token'], tokens);
  return figures;
}

interface ReadBatch {
  readonly index: number;
  readonly ts: number;
  readonly member: string;
  readonly indicators: NonNullable<BatchContents['indicators'][number]>[];
  readonly outcomes: OutcomeItem[];
}

/** Every batch's items, or undefined when one batch or one item could not be read: item figures are all or nothing. */
function readItems(batches: ReadonlyArray<Indexed<'batch'>>, read: ReportInput['batches']): ReadBatch[] | undefined {
  if (read === undefined) return undefined;
  const out: ReadBatch[] = [];
  for (const b of batches) {
    const contents = read.get(b.index);
    if (contents === undefined || contents.indicators.includes(undefined) || contents.outcomes.includes(undefined)) return undefined;
    out.push({ index: b.index, ts: b.ts, member: b.member, indicators: contents.indicators as ReadBatch['indicators'], outcomes: contents.outcomes as OutcomeItem[] });
  }
  return out;
}

type Standing = OutcomeRecord & { readonly ts: number; readonly member: string; readonly index: number };

/** Outcomes as they stand at the checkpoint: every outcome not retracted by its member in any batch below it. */
function standingOutcomes(items: readonly ReadBatch[]): Standing[] {
  const retracted = new Set(items.flatMap((b) => b.outcomes.filter(isOutcomeRetraction).map((r) => `${b.member} ${r.outcomeId}`)));
  return items.flatMap((b) => b.outcomes.flatMap((o) => (isOutcomeRetraction(o) || retracted.has(`${b.member} ${o.outcomeId}`) ? [] : [{ ...o, ts: b.ts, member: b.member, index: b.index }])));
}

function memberCounts(entries: ReadonlyArray<Indexed<'member'> | Indexed<'revocation'>>, from: number): { active: number; joined: number } {
  const serials = new Map<string, string[]>();
  const firstEnrolled = new Map<string, number>();
  const revoked = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'revocation') revoked.add(e.serial);
    else {
      serials.set(e.member, [...(serials.get(e.member) ?? []), parseCertificate(Buffer.from(e.cert, 'base64')).serialHex]);
      if (!firstEnrolled.has(e.member)) firstEnrolled.set(e.member, e.ts);
    }
  }
  const active = [...serials.values()].filter((s) => s.some((serial) => !revoked.has(serial))).length;
  return { active, joined: [...firstEnrolled.values()].filter((ts) => ts >= from).length };
}

/** Hours from the first logged batch carrying the indicator (any member's) to the removal; removals dated before it are left out. */
function medianHoursToTakedown(items: readonly ReadBatch[], outcomes: readonly Standing[]): number | null {
  const firstLogged = new Map<string, number>();
  for (const b of items) for (const i of b.indicators) if (!firstLogged.has(i.id)) firstLogged.set(i.id, b.ts);
  const hours = outcomes
    .filter((o) => REMOVAL_ACTIONS.has(o.action))
    .flatMap((o) => {
      const first = firstLogged.get(o.indicatorId);
      const acted = Date.parse(o.actedAt);
      return first === undefined || acted < first ? [] : [(acted - first) / 3_600_000];
    })
    .sort((a, b) => a - b);
  if (hours.length === 0) return null;
  const mid = Math.floor(hours.length / 2);
  const median = hours.length % 2 === 1 ? hours[mid]! : (hours[mid - 1]! + hours[mid]!) / 2;
  // Two decimals: a figure the JSON spells the same on every machine.
  return Math.round(median * 100) / 100;
}

/** Removals by the Monday (UTC) of their actedAt and the commodity of the member's own sighting of the indicator. */
function removalsByWeek(items: readonly ReadBatch[], outcomes: readonly Standing[]): Record<string, number> {
  const commodity = new Map<string, Commodity>();
  for (const b of items) for (const i of b.indicators) commodity.set(`${b.member} ${i.id}`, i.commodity);
  return tally(
    outcomes
      .filter((o) => REMOVAL_ACTIONS.has(o.action))
      .map((o) => `${weekStart(new Date(o.actedAt)).toISOString().slice(0, 10)} ${commodity.get(`${o.member} ${o.indicatorId}`) ?? 'UNKNOWN'}`),
  );
}

function disclosureResults(volume: readonly AgencyVolume[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of volume) for (const k of ['membersAsked', 'answered', 'declined', 'unanswered', 'retrieved'] as const) out[`${v.agency} ${k}`] = v[k];
  return sortKeys(out);
}

function tally(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return sortKeys(out);
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Each figure's title and definition, English and Chinese: what the JSON states and the HTML prints. */
const TEXTS = {
  'members.active': { title: { en: 'Members', zh: '成员' }, definition: { en: 'Members enrolled before the end of the period with at least one certificate not revoked by then (member and revocation entries).', zh: '期末前已登记、且至少有一张证书在期末前未被吊销的成员（member 与 revocation 日志条目）。' } },
  'members.joined': { title: { en: 'Members joined', zh: '新加入成员' }, definition: { en: 'Members whose first member entry was logged in the period.', zh: '首个 member 条目在本期内记录的成员。' } },
  'batches.logged': { title: { en: 'Batches published', zh: '发布的批次' }, definition: { en: 'Batch entries logged in the period.', zh: '本期内记录的 batch 条目数。' } },
  'items.logged': { title: { en: 'Items published', zh: '发布的条目' }, definition: { en: 'Indicators and outcome items in the batches logged in the period: the sum of their entries’ count (needs no batch access).', zh: '本期批次中的指标与处置结果条目：各 batch 条目 count 之和（无需读取批次）。' } },
  'coverage.batchesRead': { title: { en: 'Batches read and verified', zh: '已读取并验证的批次' }, definition: { en: 'Batches below the checkpoint read whole and verified against their entry’s jwsSha256 and the member’s signature; the item figures are given only when this is every batch, and are null otherwise.', zh: '检查点之前已完整读取、并按条目 jwsSha256 与成员签名验证的批次；仅当全部批次都已验证时才给出条目级数字，否则为空。' } },
  'indicators.byTypeAndCommodity': { title: { en: 'Indicators shared, by type and commodity', zh: '共享的指标（按类型与商品）' }, definition: { en: 'Indicator items in the batches logged in the period, counted by their type and commodity (a sighting each; the same indicator from two members counts twice).', zh: '本期批次中的指标条目，按类型与商品计数（每次目击计一次；两个成员共享同一指标计两次）。' } },
  'outcomes.byAction': { title: { en: 'Outcomes, by action', zh: '处置结果（按行动）' }, definition: { en: 'Outcome items in the batches logged in the period that their member had not retracted by the checkpoint, by action.', zh: '本期批次中、截至检查点未被成员撤回的处置结果条目，按行动计数。' } },
  'outcomes.listingsRemoved': { title: { en: 'Listings removed', zh: '下架的商品信息' }, definition: { en: 'Standing outcomes with action REMOVED in the batches logged in the period.', zh: '本期批次中行动为 REMOVED 的有效处置结果。' } },
  'outcomes.accountsActioned': { title: { en: 'Accounts actioned', zh: '被处置的账号' }, definition: { en: 'Standing outcomes with action ACCOUNT_SUSPENDED in the batches logged in the period.', zh: '本期批次中行动为 ACCOUNT_SUSPENDED 的有效处置结果。' } },
  'outcomes.medianHoursToTakedown': { title: { en: 'Median time to takedown (hours)', zh: '下架时间中位数（小时）' }, definition: { en: 'Median of the hours from the first logged batch carrying the indicator (any member’s) to the actedAt of each standing REMOVED or ACCOUNT_SUSPENDED outcome logged in the period; removals dated before that batch are left out. Two decimals.', zh: '从首个载有该指标的批次（任一成员）记录时起，至本期记录的每个有效 REMOVED 或 ACCOUNT_SUSPENDED 处置的 actedAt 之间的小时数中位数；早于该批次的处置不计。保留两位小数。' } },
  'outcomes.removalsByWeekAndCommodity': { title: { en: 'Removals per week and commodity', zh: '每周各商品的下架数' }, definition: { en: 'Standing REMOVED and ACCOUNT_SUSPENDED outcomes logged in the period, by the Monday (UTC) of their actedAt and the commodity of the member’s own sighting.', zh: '本期记录的有效 REMOVED 与 ACCOUNT_SUSPENDED 处置，按 actedAt 所在周（周一，UTC）与该成员自己目击的商品计数。' } },
  'referrals.filed': { title: { en: 'Referrals filed', zh: '提交的移送' }, definition: { en: 'Referrals whose filed step was logged in the period.', zh: '“提交”步骤在本期内记录的移送。' } },
  'referrals.acknowledged': { title: { en: 'Referrals acknowledged', zh: '已确认的移送' }, definition: { en: 'Of the referrals filed in the period, those with an acknowledged step logged by the checkpoint.', zh: '本期提交的移送中，截至检查点已记录“确认”步骤的。' } },
  'referrals.overdue': { title: { en: 'Referrals overdue', zh: '逾期的移送' }, definition: { en: 'Of the referrals filed in the period, those first acknowledged later than the deadline after filing, or not acknowledged when the checkpoint’s last entry was logged and past the deadline.', zh: '本期提交的移送中，首次确认晚于期限的，或截至检查点最后一个条目仍未确认且已过期限的。' } },
  'referrals.byAgency': { title: { en: 'Referrals, by agency', zh: '移送（按机构）' }, definition: { en: 'Referrals filed in the period, by the agency they were routed to.', zh: '本期提交的移送，按接收机构计数。' } },
  'referrals.byResult': { title: { en: 'Referral outcomes', zh: '移送结果' }, definition: { en: 'Of the referrals filed in the period, those closed by the checkpoint, by result.', zh: '本期提交的移送中，截至检查点已结案的，按结果计数。' } },
  'disclosures.filed': { title: { en: 'Disclosure requests', zh: '披露请求' }, definition: { en: 'Disclosure requests whose filed step was logged in the period.', zh: '“提交”步骤在本期内记录的披露请求。' } },
  'disclosures.byAgency': { title: { en: 'Disclosure requests, by agency', zh: '披露请求（按机构）' }, definition: { en: 'Disclosure requests filed in the period, by agency: each request’s signed records, as the hub lists them to an audit:read token, checked against the recordSha256 of their log entries (null without audit:read).', zh: '本期提交的披露请求，按机构计数：每个请求的签名记录（由中心向 audit:read 令牌列出）均按其日志条目的 recordSha256 核对（无 audit:read 时为空）。' } },
  'disclosures.results': { title: { en: 'Disclosure results, by agency', zh: '披露结果（按机构）' }, definition: { en: 'For the disclosure requests filed in the period, per agency: members asked, answered, declined, unanswered, and answers retrieved, from the verified records (null without audit:read).', zh: '本期提交的披露请求，按机构：被询问成员数、已答复、已拒绝、未答复及已取回的答复，来自已验证的记录（无 audit:read 时为空）。' } },
  'tokens.issuedByAgency': { title: { en: 'Tokens issued, by agency', zh: '签发的令牌（按机构）' }, definition: { en: 'Token entries without action logged in the period, by agency.', zh: '本期记录的无 action 字段的 token 条目，按机构计数。' } },
  'tokens.revokedByAgency': { title: { en: 'Tokens revoked, by agency', zh: '吊销的令牌（按机构）' }, definition: { en: 'Token entries with action revoke logged in the period, by agency.', zh: '本期记录的 action 为 revoke 的 token 条目，按机构计数。' } },
} satisfies Record<string, { title: Bilingual; definition: Bilingual }>;

export const FIGURE_IDS = Object.keys(TEXTS) as ReadonlyArray<keyof typeof TEXTS>;
