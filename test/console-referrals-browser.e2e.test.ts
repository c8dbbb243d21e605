/**
 * The agency's referral inbox in a real browser (Chromium through playwright-core) against a real
 * hub: the inbox lists what members routed to the agency with overdue ones counted, a referral a
 * member files while the analyst is looking arrives as a live alert (graphql-ws referralFiled) and
 * joins the list, and acknowledging it from the page takes the step. Nothing leaves 127.0.0.1; no
 * CSP violation or page error. WILDINTEL_SCREENSHOTS=docs/console saves a screenshot.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { systemRandom } from '../src/kernel/index.js';
import { signMemberRequest } from '../src/provenance/index.js';
import { signReferrals } from '../src/referrals/index.js';
import { startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { guardedPage, launchChromium, noChromium, type GuardedPage } from './helpers/browser.js';
import { graphql, onlyInPass } from './helpers/hub-process.js';

const SCREENSHOTS = process.env['WILDINTEL_SCREENSHOTS'];
const FP = 'fp1.k1.n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';

describe('agency referral inbox in Chromium', { skip: onlyInPass('embedded') || noChromium }, () => {
  let fed: TestFederation;
  let browser: Browser;
  let shopmart: TestMember;
  let token: string;
  let g: GuardedPage;

  const file = async (summary: string, urgency: 'LOW' | 'CRITICAL'): Promise<string> => {
    const signed = await signReferrals(
      { sellers: [FP], indicators: [], summary, urgency, commodity: 'IVORY', place: 'CN-YN' },
      { agencies: [{ agency: 'customs', keys: null }], routing: 'COMPETENCE' },
      { member: 'shopmart', signer: { keyPem: shopmart.keyPem, chainPem: [shopmart.certPem] }, random: systemRandom },
    );
    const memberToken = await signMemberRequest({ keyPem: shopmart.keyPem, chainPem: [shopmart.certPem], member: 'shopmart', audience: fed.config.HUB_ORIGIN, now: new Date(), jti: randomUUID() });
    const res = await graphql(fed.hub.url, 'mutation($r: String!) { fileReferral(record: $r) { referral { id } } }', { r: signed.referrals[0]!.record }, { authorization: `Bearer ${memberToken}` });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return signed.referrals[0]!.referralId;
  };

  before(async () => {
    fed = await startTestFederation();
    shopmart = await fed.addMember('shopmart');
    token = await fed.token('referrals:read referrals:act', { agency: 'customs', sub: 'duty-officer' });
    await fed.hub.services.referrals.setCompetence('customs', { commodities: ['IVORY'], jurisdictions: ['CN'] });
    await file('Ivory carvings shipped by courier from Kunming', 'LOW');
    assert.equal((await fetch(`${fed.hub.url}/console/`)).status, 200);
    browser = await launchChromium();
    g = await guardedPage(browser, fed.hub.url);
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  it('lists the inbox, raises a live alert when a member files a referral, and acknowledges it', async () => {
    const { page } = g;
    await page.goto(`${fed.hub.url}/`);
    await page.fill('textarea[name=token]', token);
    await page.click('form button[type=submit]');
    await page.waitForSelector('dl.me');
    assert.ok(await page.isVisible('nav.tabs a[href="#/referrals"]'), 'the Referrals tab is shown to a token with referrals:read');
    // Strings run in the page (this file is type-checked without the DOM library).
    await page.evaluate("location.hash = '#/referrals'");
    await page.waitForSelector('tr[data-referral-row]');
    assert.equal(await page.locator('tr[data-referral-row]').count(), 1);
    // The subscription is open before the member files: wait for the page's socket.
    for (let i = 0; i < 100 && !g.sockets.some((s) => !s.closed); i++) await page.waitForTimeout(50);
    await page.waitForTimeout(300);
    const id = await file('Rhino horn bangles offered in a closed chat group', 'CRITICAL');
    const alert = page.locator(`p.live-referral[data-referral="${id}"]`);
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.innerText(), /critical New referral from shopmart: Rhino horn bangles offered in a closed chat group/);
    await page.waitForSelector(`tr[data-referral-row="${id}"]`);
    assert.equal(await page.locator('tr[data-referral-row]').count(), 2);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'referrals.png') });
    }
    await page.click(`tr[data-referral-row="${id}"] button`);
    await page.locator(`tr[data-referral-row="${id}"] button`).waitFor({ state: 'detached' });
    const state = await graphql(fed.hub.url, 'query($id: ID!) { referral(id: $id) { state records { step by } } }', { id }, { authorization: `Bearer ${token}` });
    assert.deepEqual(state.body.data!['referral'], { state: 'ACKNOWLEDGED', records: [{ step: 'FILED', by: 'member:shopmart' }, { step: 'ACKNOWLEDGED', by: 'agency:customs' }] });
    assert.deepEqual(g.outside, []);
    assert.deepEqual(g.problems, []);
  });
});
