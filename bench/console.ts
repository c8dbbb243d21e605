/**
 * The analyst console's page load in Chromium against a real hub, beside a baseline measured in
 * the same run: the navigation to the hub's /healthz (the same server, HTTP stack and browser,
 * nothing to render). Each run is a fresh browser context (empty cache), so every load is cold.
 * Also the bundle: what the first visit downloaded, and the parts loaded only when a view opens.
 */
import { consoleAssetSizes, loadConsoleAssets } from '../src/console/index.js';
import { createLogger } from '../src/kernel/index.js';
import { startTestFederation } from '../test/helpers/federation.js';
import { launchChromium } from '../test/helpers/browser.js';

export interface ConsoleBenchResult {
  runs: number;
  /** Navigation start → the sign-in form is in the page (ms), per run. */
  interactiveMs: number[];
  /** Sign-in submitted → `me` checked and the first search drawn (ms), per run. */
  signedInMs: number[];
  /** Navigation start → load event of /healthz (ms), per run. */
  baselineMs: number[];
  /** What the first visit transferred (KiB): on the wire (gzip) and decoded. */
  firstVisit: { files: number; wireKiB: number; decodedKiB: number };
  /** Every built file: "raw KiB/gzip KiB". */
  sizes: Record<string, string>;
}

// Evaluated in the page (strings: the bench is compiled without the DOM's types).
const FORM_READY = "document.querySelector('textarea[name=token]') ? performance.now() : false";
const LOAD_END = "Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)";
const TRANSFERRED = `(() => { const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return { files: all.length, wire: all.reduce((n, e) => n + e.encodedBodySize, 0), decoded: all.reduce((n, e) => n + e.decodedBodySize, 0) }; })()`;

export async function benchConsole(options: { runs?: number } = {}): Promise<ConsoleBenchResult> {
  const runs = options.runs ?? 7;
  const fed = await startTestFederation();
  const browser = await launchChromium();
  try {
    const token = await fed.token('indicators:read sellers:read match:image match:text stats:read', { tlp: 'RED' });
    const assets = await loadConsoleAssets(createLogger('silent'));
    const result: ConsoleBenchResult = { runs, interactiveMs: [], signedInMs: [], baselineMs: [], firstVisit: { files: 0, wireKiB: 0, decodedKiB: 0 }, sizes: consoleAssetSizes(assets) };
    for (let i = 0; i < runs; i++) {
      const base = await browser.newContext();
      const probe = await base.newPage();
      await probe.goto(`${fed.hub.url}/healthz`);
      result.baselineMs.push(Number(await probe.evaluate(LOAD_END)));
      await base.close();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${fed.hub.url}/console/`);
      result.interactiveMs.push(Math.round(Number(await (await page.waitForFunction(FORM_READY)).jsonValue())));
      const sent = Number(await page.evaluate('performance.now()'));
      if (i === 0) {
        const t = (await page.evaluate(TRANSFERRED)) as { files: number; wire: number; decoded: number };
        result.firstVisit = { files: t.files, wireKiB: Math.round(t.wire / 102.4) / 10, decodedKiB: Math.round(t.decoded / 102.4) / 10 };
      }
      await page.fill('textarea[name=token]', token);
      await page.click('form button[type=submit]');
      await page.waitForSelector('[data-total]');
      result.signedInMs.push(Math.round(Number(await page.evaluate('performance.now()')) - sent));
      await context.close();
    }
    return result;
  } finally {
    await browser.close();
    await fed.close();
  }
}
