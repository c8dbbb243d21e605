/**
 * The public report page and the review page: static HTML in two languages and small scripts,
 * served by the node with a strict CSP (scripts, styles, workers and images from the node only;
 * no inline script or style). The ALTCHA widget is the package's CSP build (altcha/dist/external),
 * served from node_modules, nothing from outside.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { COMMODITIES } from '../indicators/index.js';
import { REPORT_SCRIPT, REVIEW_SCRIPT, PAGE_STYLE } from './page-scripts.js';

export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export type Language = 'en' | 'zh';

const TEXT = {
  en: {
    title: 'Report a wildlife-trade listing',
    intro: 'Seen ivory, pangolin scales, rhino horn or other wildlife products for sale online? Tell us. Reviewers check every report; confirmed ones are shared with the coalition without your name.',
    listing: 'Listing link or listing id',
    commodity: 'Kind of product',
    description: 'What did you see?',
    photos: 'Photos (up to 4, optional)',
    contact: 'Contact (optional; kept encrypted on this server only, never shared)',
    previous: 'Earlier receipt code (optional: a follow-up, or to build your track record)',
    send: 'Send report',
    receipt: 'Your receipt code (keep it to check the status):',
    statusTitle: 'Check a report',
    check: 'Check',
    other: '中文',
  },
  zh: {
    title: '举报野生动物非法交易信息',
    intro: '在网上看到出售象牙、穿山甲鳞片、犀牛角或其他野生动物制品？请告诉我们。每份举报都会经过审核；确认后将匿名分享给联盟成员。',
    listing: '商品链接或商品编号',
    commodity: '产品类别',
    description: '您看到了什么？',
    photos: '照片（最多 4 张，可选）',
    contact: '联系方式（可选；仅在本服务器加密保存，绝不外传）',
    previous: '之前的回执编号（可选：补充信息或累积您的信誉）',
    send: '提交举报',
    receipt: '您的回执编号（请保存以查询进度）：',
    statusTitle: '查询举报进度',
    check: '查询',
    other: 'English',
  },
} as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function reportPage(lang: Language): string {
  const t = TEXT[lang];
  const options = COMMODITIES.map((c) => `<option value="${c}">${escapeHtml(c.toLowerCase().replace(/_/g, ' '))}</option>`).join('');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title><link rel="stylesheet" href="/report/assets/page.css"><link rel="stylesheet" href="/report/assets/altcha.css">
<script src="/report/assets/altcha.js" type="module"></script><script src="/report/assets/report.js" type="module"></script></head>
<body><main>
<p class="lang"><a href="/report?lang=${lang === 'zh' ? 'en' : 'zh'}">${t.other}</a></p>
<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.intro)}</p>
<form id="report-form" novalidate>
<label>${escapeHtml(t.listing)}<input name="listing" id="listing" required maxlength="2048" autocomplete="off"></label>
<label>${escapeHtml(t.commodity)}<select name="commodity" id="commodity">${options}</select></label>
<label>${escapeHtml(t.description)}<textarea name="description" id="description" required maxlength="4000" rows="5"></textarea></label>
<label>${escapeHtml(t.photos)}<input type="file" name="photos" id="photos" accept="image/*" multiple></label>
<label>${escapeHtml(t.contact)}<input name="contact" id="contact" maxlength="200" autocomplete="off"></label>
<label>${escapeHtml(t.previous)}<input name="previousReceipt" id="previousReceipt" maxlength="30" autocomplete="off"></label>
<altcha-widget challenge="/v1/reports/challenge" name="altcha" language="${lang === 'zh' ? 'zh-cn' : 'en'}" hidelogo hidefooter></altcha-widget>
<button type="submit" id="send">${escapeHtml(t.send)}</button>
</form>
<p id="result" role="status" data-receipt-label="${escapeHtml(t.receipt)}"></p>
<h2>${escapeHtml(t.statusTitle)}</h2>
<form id="status-form"><input name="receipt" id="receipt" maxlength="30" autocomplete="off"><button type="submit" id="check">${escapeHtml(t.check)}</button></form>
<p id="status" role="status"></p>
</main></body></html>`;
}

export function reviewPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report review</title><link rel="stylesheet" href="/report/assets/page.css"><script src="/review/assets/review.js" type="module"></script></head>
<body><main>
<h1>Report review</h1>
<form id="login" hidden><label>Name<input id="name" autocomplete="username"></label><label>Password<input id="password" type="password" autocomplete="current-password"></label><button type="submit" id="log-in">Log in</button><p id="login-error" role="alert"></p></form>
<section id="desk" hidden><p id="who"></p><button id="log-out" type="button">Log out</button>
<h2>Numbers</h2><dl id="numbers"></dl>
<h2>Queue</h2><p id="desk-error" role="alert"></p><div id="queue"></div></section>
</main></body></html>`;
}

const require = createRequire(import.meta.url);
// The package exports its CSP build's stylesheet (dist/external/altcha.css): the other files sit beside it.
const altchaDir = path.resolve(path.dirname(require.resolve('altcha/altcha.css')), '../..');

/** The assets the pages load, by name: nothing else is served from node_modules. */
export function pageAssets(): ReadonlyMap<string, { type: string; body: string }> {
  const file = (rel: string): string => readFileSync(path.join(altchaDir, rel), 'utf8');
  return new Map([
    ['altcha.js', { type: 'text/javascript', body: file('dist/external/altcha.min.js') }],
    ['altcha.css', { type: 'text/css', body: file('dist/external/altcha.css') }],
    ['altcha-sha.js', { type: 'text/javascript', body: file('dist/workers/sha.js') }],
    ['report.js', { type: 'text/javascript', body: REPORT_SCRIPT }],
    ['review.js', { type: 'text/javascript', body: REVIEW_SCRIPT }],
    ['page.css', { type: 'text/css', body: PAGE_STYLE }],
  ]);
}
