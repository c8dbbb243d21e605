import { WildintelError } from '../kernel/index.js';

/**
 * What `wildintel report` and `wildintel audit report` can refuse or find:
 * - INVALID_REPORT: a REPORT.json that is not a transparency report of this format;
 * - INVALID_PERIOD: --from/--to that are not dates, or a period that ends before it starts;
 * - REPORT_NOT_IN_LOG: the checkpoint a report names is not a prefix of the log the auditor verified;
 * - FIGURES_DIFFER: a figure the log does not give as the report states it.
 */
export type ReportErrorCode = 'INVALID_REPORT' | 'INVALID_PERIOD' | 'REPORT_NOT_IN_LOG' | 'FIGURES_DIFFER';

export class ReportError extends WildintelError<ReportErrorCode> {}
