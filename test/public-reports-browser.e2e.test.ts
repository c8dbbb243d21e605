/**
 * Issue 23 in Chromium: a report filed on the node's /report page (the ALTCHA proof of work
 * solved in the page) appears in the review queue with its score; two volunteers confirm it and
 * its photo reaches the hub as an indicator; a report a moderator rejects publishes nothing; and
 * the receipt shows each state (received, in review, more info, confirmed, rejected). The pages
 * load nothing from outside and break no rule of their CSP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { systemRandom } from '../src/kernel/index.js';
import type { RunningNode } from '../src/node/index.js';
import { addReviewer } from '../src/reports/index.js';
import { guardedPage, launchChromium, noChromium, type GuardedPage } from './helpers/browser.js';
import type { TestFederation } from './helpers/federation.js';
import { assertNoneIn, dumpDatabase, eventually, federationWithNode, rawSpellings, testPicture } from './helpers/member-node.js';

/** The page's one global the functions below use when they run in it (this file compiles without the DOM's types). */
declare const document: { getElementById(id: string): { dataset: Record<string, string | undefined> } | null };

describe('public reports in the browser', { skip: noChromium }, () => {
  let setup: Awaited<ReturnType<typeof federationWithNode>>;
  let fed: TestFederation;
  let node: RunningNode;
  let browser: Browser;
  const pages: GuardedPage[] = [];
  const passwords = new Map<string, string>();

  before(async () => {
    setup = await federationWithNode({ nodeEnv: { REPORTS_POW_DIFFICULTY: '3', NODE_BATCH_DELAY_MS: '50' } });
    ({ fed } = setup);
    node = setup.node!;
    for (const [name, role] of [['vol-ana', 'volunteer'], ['vol-bo', 'volunteer'], ['mod-chen', 'moderator']] as const) {
      passwords.set(name, (await addReviewer(node.database.dataSource, { name, role }, systemRandom, new Date())).password);
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await setup?.close();
  });

  const open = async (path: string, locale = 'en-US'): Promise<GuardedPage> => {
    const guarded = await guardedPage(browser, node.url, { locale });
    pages.push(guarded);
    await guarded.page.goto(`${node.url}${path}`);
    return guarded;
  };

  const fileReport = async (page: Page, listing: string, description: string, photo: Buffer, contact?: string): Promise<string> => {
    await page.fill('#listing', listing);
    if (contact !== undefined) await page.fill('#contact', contact);
    await page.selectOption('#commodity', 'PANGOLIN');
    await page.fill('#description', description);
    await page.setInputFiles('#photos', { name: 'photo.png', mimeType: 'image/png', buffer: photo });
    await page.click('#send');
    const code = await page.waitForSelector('#receipt-code', { timeout: 30_000 });
    return (await code.textContent()) ?? '';
  };

  const statusOf = async (page: Page, receipt: string): Promise<string> => {
    await page.fill('#receipt', receipt);
    // Functions, not strings: a string predicate is evaluated with eval in the page, which its CSP
    // (script-src 'self', no 'unsafe-eval') refuses, and the refusal would count as a CSP breach.
    await page.evaluate(() => {
      document.getElementById('status')!.dataset['state'] = 'asking';
    });
    await page.click('#check');
    await page.waitForFunction(() => document.getElementById('status')?.dataset['state'] !== 'asking');
    return (await page.getAttribute('#status', 'data-state')) ?? '';
  };

  const logIn = async (name: string): Promise<Page> => {
    const { page } = await open('/review');
    await page.fill('#name', name);
    await page.fill('#password', passwords.get(name)!);
    await page.click('#log-in');
    await page.waitForSelector('#desk:not([hidden])');
    return page;
  };

  const decide = async (page: Page, receiptListing: string, decision: 'confirm' | 'reject' | 'more-info', note?: string): Promise<void> => {
    await page.reload();
    const box = page.locator('article.report', { hasText: receiptListing });
    await box.waitFor();
    if (note !== undefined) await box.locator('input.note').fill(note);
    const answer = page.waitForResponse((r) => r.url().endsWith('/decisions') && r.request().method() === 'POST');
    await box.locator(`button[data-decision="${decision}"]`).click();
    const res = await answer;
    assert.equal(res.status(), 200, await res.text());
  };

  it('serves the page in Chinese and English, on a phone-sized screen, with nothing from outside', async () => {
    const zh = await open('/report?lang=zh', 'zh-CN');
    assert.match((await zh.page.textContent('h1')) ?? '', /举报野生动物非法交易信息/);
    const en = await open('/report');
    await en.page.setViewportSize({ width: 390, height: 844 });
    assert.match((await en.page.textContent('h1')) ?? '', /Report a wildlife-trade listing/);
    const width = Number(await en.page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
    const res = await fetch(`${node.url}/report`);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  });

  it('files a report with the proof of work solved in the page; two volunteers confirm it and its photo reaches the hub', async () => {
    const { page } = await open('/report');
    const listing = 'https://shop.example/item/880001?utm_source=share#photos';
    const receipt = await fileReport(page, listing, 'Pangolin scales sold by the gram, 穿山甲鳞片', await testPicture(23), 'wechat zz-reporter-4471');
    assert.match(receipt, /^R-[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    assert.equal(await statusOf(page, receipt), 'received');

    const ana = await logIn('vol-ana');
    const box = ana.locator('article.report', { hasText: 'shop.example/item/880001' });
    await box.waitFor();
    assert.match((await box.textContent()) ?? '', /score -?\d+/);
    assert.match((await box.textContent()) ?? '', /keywords \+0: 0 federation keyword/);
    assert.ok(!((await box.textContent()) ?? '').includes('utm_source'), 'the listing is shown in its canonical form');
    assert.equal(await box.locator('img').count(), 1);
    await decide(ana, 'shop.example/item/880001', 'confirm');
    assert.equal(await statusOf(page, receipt), 'in-review');

    const bo = await logIn('vol-bo');
    await decide(bo, 'shop.example/item/880001', 'confirm');
    assert.equal(await statusOf(page, receipt), 'confirmed');

    const [row]: Array<{ published: string[] }> = await node.database.dataSource.query(`SELECT published FROM report_reports WHERE listing = 'https://shop.example/item/880001'`);
    assert.ok(row!.published.length > 0, 'the photo became indicators');
    const atHub = await eventually('the indicators at the hub', async () => {
      const rows: Array<{ type: string }> = await fed.hub.database.dataSource.query(`SELECT type FROM indicators WHERE id = ANY($1)`, [row!.published]);
      return rows.length === row!.published.length ? rows : undefined;
    }, 30_000);
    assert.ok(atHub.some((r) => r.type === 'IMAGE_PDQ'), JSON.stringify(atHub));
    // The contact is sealed in the node's vault; neither the node's tables nor the hub hold it in the clear, nor the raw listing the hub.
    assertNoneIn([['the node database', await dumpDatabase(node.database.dataSource)], ['the hub database', await dumpDatabase(fed.hub.database.dataSource)]], rawSpellings(['zz-reporter-4471']));
    assertNoneIn([['the hub database', await dumpDatabase(fed.hub.database.dataSource)]], rawSpellings(['shop.example/item/880001']));
    const decisions: Array<{ reviewer: string; role: string; decision: string }> = await node.database.dataSource.query(`SELECT reviewer, role, decision FROM report_decisions ORDER BY decision_id`);
    assert.deepEqual(decisions.map((d) => `${d.reviewer}/${d.role}/${d.decision}`), ['vol-ana/volunteer/confirm', 'vol-bo/volunteer/confirm']);
  });

  it('a report a moderator asks more about shows the request on its receipt; one it rejects publishes nothing', async () => {
    const { page } = await open('/report');
    const receipt = await fileReport(page, 'https://shop.example/item/880002', 'Carved ivory bracelets, 象牙手镯', await testPicture(24));
    const chen = await logIn('mod-chen');
    await decide(chen, 'shop.example/item/880002', 'more-info', 'Which seller account posted it?');
    await page.fill('#receipt', receipt);
    await page.click('#check');
    await page.waitForFunction(() => document.getElementById('status')?.dataset['state'] === 'more-info');
    assert.match((await page.textContent('#status')) ?? '', /Which seller account posted it\?/);

    const indicatorsBefore: Array<{ n: number }> = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM indicators`);
    const pendingBefore = (await node.status()).outbox;
    const ana = await logIn('vol-ana');
    await decide(ana, 'shop.example/item/880002', 'reject');
    assert.equal(await statusOf(page, receipt), 'more-info', 'one volunteer rejection decides nothing');
    await decide(chen, 'shop.example/item/880002', 'reject');
    assert.equal(await statusOf(page, receipt), 'rejected');
    await new Promise((r) => setTimeout(r, 500));
    const [row]: Array<{ published: unknown }> = await node.database.dataSource.query(`SELECT published FROM report_reports WHERE listing = 'https://shop.example/item/880002'`);
    assert.equal(row!.published, null);
    const after = (await node.status()).outbox;
    assert.equal(after.pending + after.queued + after.accepted, pendingBefore.pending + pendingBefore.queued + pendingBefore.accepted, 'nothing was queued');
    const indicatorsAfter: Array<{ n: number }> = await fed.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM indicators`);
    assert.equal(indicatorsAfter[0]!.n, indicatorsBefore[0]!.n);
  });

  it('shows the numbers on the review page, in node status and in metrics', async () => {
    const chen = await logIn('mod-chen');
    const numbers = (await chen.textContent('#numbers')) ?? '';
    assert.match(numbers, /share confirmed50%/);
    assert.match(numbers, /volunteer vol-ana2 decisions, agreement with moderators 100%/);
    const status = await node.status();
    assert.equal(status.reports?.confirmed, 1);
    assert.equal(status.reports?.rejected, 1);
    assert.ok((status.reports?.medianSecondsToDecision ?? -1) >= 0);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(metrics, /wildintel_node_reports\{state="confirmed"\} 1/);
    assert.match(metrics, /wildintel_node_reviewer_agreement_ratio\{reviewer="vol-ana"\} 1/);
  });

  it('loaded nothing from outside and broke no rule of the CSP', () => {
    assert.deepEqual(pages.flatMap((p) => p.outside), []);
    assert.deepEqual(pages.flatMap((p) => p.problems), []);
  });
});
