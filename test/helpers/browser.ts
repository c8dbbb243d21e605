/**
 * A real browser for tests and benchmarks: Debian's Chromium driven by playwright-core, with a
 * guard that records every request the page makes that does not go to the hub under test (and
 * refuses it), every Content-Security-Policy violation and every uncaught page error.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false. */
export const noChromium: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-extensions'],
  });
}

export interface GuardedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests to anywhere but the hub (refused). */
  readonly outside: string[];
  /** CSP violations and uncaught errors seen in the page. */
  readonly problems: string[];
  /** WebSockets the page opened, with whether each is closed now. */
  readonly sockets: Array<{ url: string; closed: boolean }>;
}

/** A fresh context (its own sessionStorage and cache) whose page may talk to `hubUrl` only. */
export async function guardedPage(browser: Browser, hubUrl: string, options: { locale?: string } = {}): Promise<GuardedPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const outside: string[] = [];
  const problems: string[] = [];
  const sockets: Array<{ url: string; closed: boolean }> = [];
  const hub = new URL(hubUrl);
  const local = (url: string): boolean => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return true;
    const u = new URL(url);
    return u.host === hub.host && ['http:', 'ws:'].includes(u.protocol);
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (r) => void (local(r.url()) || outside.includes(r.url()) || outside.push(r.url())));
  // Listened for before any script of the page runs; the page's CSP does not apply to it.
  await context.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /CSP violation|Refused to/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('websocket', (ws) => {
    if (!local(ws.url())) outside.push(ws.url());
    const entry = { url: ws.url(), closed: false };
    sockets.push(entry);
    ws.on('close', () => (entry.closed = true));
  });
  return { context, page, outside, problems, sockets };
}
