/**
 * The transparency report (issue #22): figures computed from the transparency log and the batches
 * it commits to, written as JSON and as a self-contained HTML page, and recomputed by auditors.
 */
export { collectLog, disclosureVolume } from './collect.js';
export type { CollectOptions, CollectedLog, HubGraphql } from './collect.js';
export { reportFigures, FIGURE_IDS } from './figures.js';
export type { Figure, FigureValue, BatchContents, ReportInput, Bilingual } from './figures.js';
export { referralFigures, isReferralEntry, REFERRAL_STEPS, REFERRAL_RESULTS } from './referrals.js';
export type { ReferralEntry, ReferralFigures, ReferralStep, ReferralResult } from './referrals.js';
export { buildReport, parseReport, parsePeriod, compareFigures, REPORT_FORMAT, DEFAULT_REFERRAL_DEADLINE_HOURS } from './report.js';
export type { TransparencyReport, ReportParameters, FigureDifference } from './report.js';
export { auditReport } from './audit-report.js';
export type { ReportAudit } from './audit-report.js';
export { renderReportHtml } from './html.js';
export { ReportError } from './errors.js';
export type { ReportErrorCode } from './errors.js';
