/**
 * The transparency report's page in Chromium (issue #22): it renders from a file with no console
 * error, no page error, no CSP violation and no request beyond itself (everything is inline), its
 * language switch works without script, and printing hides the switch.
 * WILDINTEL_SCREENSHOTS=docs/console saves report.png and report-zh.png there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderReportHtml, reportFigures, REPORT_FORMAT, type BatchContents, type ReferralEntry, type TransparencyReport } from '../src/report/index.js';
import type { LogEntry } from '../src/tlog/index.js';
import { launchChromium, noChromium } from './helpers/browser.js';
import { onlyInPass } from './helpers/hub-process.js';

const SCREENSHOTS = process.env['WILDINTEL_SCREENSHOTS'];
const H = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const HASH = 'A'.repeat(43);
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A month of figures with something in every chart: built through reportFigures from entries and batch items. */
function sampleReport(): TransparencyReport {
  const entries: LogEntry[] = [];
  const batches = new Map<number, BatchContents>();
  const commodities = ['IVORY', 'PANGOLIN', 'RHINO_HORN'] as const;
  for (let week = 0; week < 4; week++) {
    for (let i = 0; i < 3 + week; i++) {
      const commodity = commodities[(i + week) % 3]!;
      const id = `${String(week)}${String(i)}`.padEnd(43, 'x');
      const ts = T0 + (week * 7 * 24 + i) * H;
      batches.set(entries.length, { member: i % 2 ? 'shopmart' : 'chatapp', indicators: [{ id, type: i % 3 ? 'KEYWORD' : 'SELLER', commodity }], outcomes: [] });
      entries.push({ kind: 'batch', ts, member: i % 2 ? 'shopmart' : 'chatapp', batchId: uuid(entries.length), tlp: 'AMBER', count: 1, jwsSha256: HASH });
      batches.set(entries.length, { member: i % 2 ? 'shopmart' : 'chatapp', indicators: [], outcomes: [{ outcomeId: uuid(1000 + entries.length), indicatorId: id, action: i % 4 === 3 ? 'NO_VIOLATION' : i % 2 ? 'REMOVED' : 'ACCOUNT_SUSPENDED', actedAt: new Date(ts + (5 + i) * H).toISOString() }] });
      entries.push({ kind: 'batch', ts: ts + 6 * H, member: i % 2 ? 'shopmart' : 'chatapp', batchId: uuid(entries.length), tlp: 'AMBER', count: 1, jwsSha256: HASH });
    }
  }
  entries.push({ kind: 'token', ts: T0 + H, jti: 't1', agency: 'customs', scope: 'indicators:read', exp: 9e9 }, { kind: 'token', ts: T0 + 2 * H, jti: 't2', agency: 'forestry', scope: 'stats:read', exp: 9e9 });
  const referral = (n: number, step: ReferralEntry['step'], hours: number, result?: ReferralEntry['result']): ReferralEntry & { index: number } => ({ kind: 'referral', ts: T0 + hours * H, step, referralId: uuid(n), agency: 'customs', by: step === 'filed' ? 'member:shopmart' : 'agency:customs', recordSha256: HASH, index: 0, ...(result ? { result } : {}) });
  const referrals = [referral(1, 'filed', 1), referral(1, 'acknowledged', 3), referral(1, 'closed', 90, 'SEIZURE'), referral(2, 'filed', 10)];
  const figures = reportFigures({ period: { from: T0, to: T0 + 28 * 24 * H }, entries: entries.map((entry, index) => ({ index, entry })), referrals, batches, disclosures: [{ agency: 'customs', requests: 2, membersAsked: 3, answered: 2, declined: 1, unanswered: 0, retrieved: 2, declineReasons: { NO_RECORD: 1 } }], referralDeadlineMs: 72 * H });
  return {
    format: REPORT_FORMAT,
    hub: 'https://hub.example.org',
    generatedAt: '2026-04-01T09:00:00.000Z',
    period: { from: new Date(T0).toISOString(), to: new Date(T0 + 28 * 24 * H).toISOString() },
    checkpoint: { origin: 'hub.example.org/log', size: entries.length, rootHash: Buffer.alloc(32, 9).toString('base64') },
    parameters: { referralDeadlineHours: 72 },
    access: { batches: true, disclosures: true },
    figures,
  };
}

describe('the transparency report in Chromium', { skip: onlyInPass('embedded') || noChromium }, () => {
  let browser: Browser;
  let dir: string;
  let file: string;
  const shot = async (page: Page, name: string): Promise<void> => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-report-page-'));
    file = path.join(dir, 'report.html');
    await writeFile(file, renderReportHtml(sampleReport()));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders with no console error, no page error and no request beyond the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [pathToFileURL(file).href]);
    assert.equal(await page.locator('svg[role=img]').count() >= 5, true);
    assert.equal(await page.locator('#outcomes\\.listingsRemoved .value').innerText(), '5');
    const heading = page.locator('h1');
    assert.match(await heading.innerText(), /Transparency report\s+透明度报告/);
    await shot(page, 'report');

    // The switch is radio buttons and CSS: English only, then Chinese only.
    await page.click('label[for=lang-en]');
    assert.equal(await heading.innerText(), 'Transparency report');
    await page.click('label[for=lang-zh]');
    assert.equal(await heading.innerText(), '透明度报告');
    await shot(page, 'report-zh');

    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav.switch').isVisible(), false, 'printing hides the switch');
    assert.ok((await page.pdf({ format: 'A4' })).length > 10_000, 'it prints');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
