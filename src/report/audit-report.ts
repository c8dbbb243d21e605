/**
 * `wildintel audit report`: recompute a report's every figure from the log at the report's own
 * checkpoint, with its own period and parameters, and name each figure that differs. The walk is
 * `audit verify`'s (checkpoint signature, consistency, every entry, with a token every batch), and
 * the report's checkpoint must be a prefix of the verified log (same origin, the same root over its
 * first `size` entries): a hub that inflates its numbers, or computes them over another history, is caught.
 */
import { collectLog, type CollectOptions } from './collect.js';
import { ReportError } from './errors.js';
import { buildReport, compareFigures, type FigureDifference, type TransparencyReport } from './report.js';

export interface ReportAudit {
  readonly checkpoint: TransparencyReport['checkpoint'];
  readonly figures: number;
  readonly differences: readonly FigureDifference[];
  /** What this auditor could read, against what the report's writer says it read. */
  readonly access: TransparencyReport['access'];
}

export async function auditReport(report: TransparencyReport, options: Omit<CollectOptions, 'treeSize'> & { readonly now: Date }): Promise<ReportAudit> {
  const log = await collectLog({ ...options, treeSize: report.checkpoint.size });
  if (log.origin !== report.checkpoint.origin) throw new ReportError('REPORT_NOT_IN_LOG', `the report is of log ${report.checkpoint.origin}, the hub's log is ${log.origin}`);
  if (log.rootHash !== report.checkpoint.rootHash) {
    throw new ReportError('REPORT_NOT_IN_LOG', `the report's checkpoint (size ${report.checkpoint.size}, root ${report.checkpoint.rootHash}) is not in the verified log: its first ${report.checkpoint.size} entries hash to ${log.rootHash}`);
  }
  const recomputed = await buildReport(log, {
    hub: report.hub,
    from: new Date(report.period.from),
    to: new Date(report.period.to),
    referralDeadlineHours: report.parameters.referralDeadlineHours,
    rootPem: options.rootPem,
    now: options.now,
  });
  return { checkpoint: report.checkpoint, figures: recomputed.figures.length, differences: compareFigures(report.figures, recomputed.figures), access: recomputed.access };
}
