/**
 * The transparency report's JSON (docs/auditor.md, "The transparency report"): the period, the
 * checkpoint it was computed at, the access it was computed with, and every figure with its
 * definition and the log range it came from. `auditReport` recomputes it from the log.
 */
import canonicalize from 'canonicalize';
import { ReportError } from './errors.js';
import { disclosureVolume, type CollectedLog } from './collect.js';
import { FIGURE_IDS, reportFigures, type Figure, type FigureValue } from './figures.js';

export const REPORT_FORMAT = 'wildintel-transparency-report/1';
export const DEFAULT_REFERRAL_DEADLINE_HOURS = 72;

export interface TransparencyReport {
  readonly format: typeof REPORT_FORMAT;
  readonly hub: string;
  readonly generatedAt: string;
  /** [from, to): RFC 3339, against the log entries' `ts`. */
  readonly period: { readonly from: string; readonly to: string };
  readonly checkpoint: { readonly origin: string; readonly size: number; readonly rootHash: string };
  readonly parameters: { readonly referralDeadlineHours: number };
  /** What the writer could read: every batch (provenance:read), the disclosure records (audit:read). */
  readonly access: { readonly batches: boolean; readonly disclosures: boolean };
  readonly figures: readonly Figure[];
}

export interface ReportParameters {
  readonly hub: string;
  readonly from: Date;
  readonly to: Date;
  readonly referralDeadlineHours: number;
  readonly rootPem: string;
  readonly now: Date;
}

export async function buildReport(log: CollectedLog, p: ReportParameters): Promise<TransparencyReport> {
  const period = { from: p.from.getTime(), to: p.to.getTime() };
  const disclosures = await disclosureVolume(log, period, p.rootPem);
  const figures = reportFigures({ period, entries: log.entries, referrals: log.referrals, batches: log.batches, disclosures, referralDeadlineMs: p.referralDeadlineHours * 3_600_000 });
  return {
    format: REPORT_FORMAT,
    hub: p.hub,
    generatedAt: p.now.toISOString(),
    period: { from: p.from.toISOString(), to: p.to.toISOString() },
    checkpoint: { origin: log.origin, size: log.treeSize, rootHash: log.rootHash },
    parameters: { referralDeadlineHours: p.referralDeadlineHours },
    access: { batches: log.batches !== undefined, disclosures: disclosures !== undefined },
    figures,
  };
}

/**
 * A period from the command line: `YYYY-MM-DD` (a whole UTC day: --to names the last day in the
 * period) or an RFC 3339 date-time (--to is then the exclusive end).
 */
export function parsePeriod(from: string, to: string): { from: Date; to: Date } {
  const start = parseDate(from, 'from', false);
  const end = parseDate(to, 'to', true);
  if (end.getTime() <= start.getTime()) throw new ReportError('INVALID_PERIOD', `--to (${to}) must be after --from (${from})`);
  return { from: start, to: end };
}

function parseDate(text: string, flag: string, endOfDay: boolean): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = day ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms) || (day && new Date(ms).toISOString().slice(0, 10) !== text)) throw new ReportError('INVALID_PERIOD', `--${flag} must be a date (YYYY-MM-DD) or an RFC 3339 date-time, got ${JSON.stringify(text.slice(0, 40))}`);
  return new Date(day && endOfDay ? ms + 86_400_000 : ms);
}

/** Reads a REPORT.json (another party's file) into a report, refusing anything not of this format. */
export function parseReport(value: unknown): TransparencyReport {
  const bad = (why: string) => new ReportError('INVALID_REPORT', `not a ${REPORT_FORMAT}: ${why}`);
  if (!isObject(value) || value['format'] !== REPORT_FORMAT) throw bad('format must be ' + REPORT_FORMAT);
  const period = value['period'];
  if (!isObject(period) || typeof period['from'] !== 'string' || typeof period['to'] !== 'string' || Number.isNaN(Date.parse(period['from'])) || Number.isNaN(Date.parse(period['to']))) throw bad('period must hold from and to as RFC 3339 date-times');
  const checkpoint = value['checkpoint'];
  if (!isObject(checkpoint) || typeof checkpoint['origin'] !== 'string' || !Number.isSafeInteger(checkpoint['size']) || (checkpoint['size'] as number) < 0 || typeof checkpoint['rootHash'] !== 'string') throw bad('checkpoint must hold origin, size and rootHash');
  const parameters = value['parameters'];
  const hours = isObject(parameters) ? parameters['referralDeadlineHours'] : undefined;
  if (typeof hours !== 'number' || !(hours > 0) || hours > 24 * 365) throw bad('parameters.referralDeadlineHours must be a positive number of hours');
  const access = value['access'];
  if (!isObject(access) || typeof access['batches'] !== 'boolean' || typeof access['disclosures'] !== 'boolean') throw bad('access must hold batches and disclosures as booleans');
  const figures = value['figures'];
  if (!Array.isArray(figures) || !figures.every((f) => isObject(f) && typeof f['id'] === 'string' && isFigureValue(f['value']))) throw bad('figures must be a list of {id, value} with a count, a map of counts or null');
  return value as unknown as TransparencyReport;
}

export interface FigureDifference {
  readonly id: string;
  readonly stated: FigureValue | undefined;
  readonly recomputed: FigureValue | undefined;
}

/** Every figure whose value differs from the recomputed one, including figures missing from either side. */
export function compareFigures(stated: readonly Pick<Figure, 'id' | 'value'>[], recomputed: readonly Figure[]): FigureDifference[] {
  const statedById = new Map(stated.map((f) => [f.id, f.value]));
  const recomputedById = new Map(recomputed.map((f) => [f.id, f.value]));
  const ids = [...new Set([...FIGURE_IDS, ...statedById.keys(), ...recomputedById.keys()])];
  return ids.flatMap((id) => {
    const a = statedById.get(id);
    const b = recomputedById.get(id);
    // Canonical JSON: key order in a map of counts is not a difference.
    return canonicalize(a === undefined ? 'absent' : a) === canonicalize(b === undefined ? 'absent' : b) ? [] : [{ id, stated: a, recomputed: b }];
  });
}

function isFigureValue(v: unknown): v is FigureValue {
  if (v === null || (typeof v === 'number' && Number.isFinite(v))) return true;
  return isObject(v) && Object.values(v).every((n) => typeof n === 'number' && Number.isFinite(n));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
