/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no
 * fetched resource (the page's CSP says so), English and Chinese in the same page with a switch
 * made of radio buttons and CSS alone, and a print style. Every text is escaped: agency and
 * member slugs come from the log, and the page may be opened by anyone.
 */
import type { Bilingual, Figure, FigureValue } from './figures.js';
import type { TransparencyReport } from './report.js';

const PALETTE = ['#2f6f4f', '#c47f17', '#3d5a99', '#a33b3b', '#6b4f8f', '#2b8a8a', '#7a7a2a', '#8a4f2b'];

export function renderReportHtml(report: TransparencyReport): string {
  const title: Bilingual = { en: 'Transparency report', zh: '透明度报告' };
  const period = `${report.period.from.slice(0, 10)} – ${new Date(Date.parse(report.period.to) - 1).toISOString().slice(0, 10)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>wildintel — ${esc(title.en)} / ${esc(title.zh)} ${esc(period)}</title>
<style>${CSS}</style>
</head>
<body>
<input type="radio" name="lang" id="lang-both" checked><input type="radio" name="lang" id="lang-en"><input type="radio" name="lang" id="lang-zh">
<nav class="switch"><label for="lang-both">English + 中文</label><label for="lang-en">English</label><label for="lang-zh">中文</label></nav>
<main>
<header>
<h1>${both(title)}</h1>
<p class="period">${esc(period)} (UTC)</p>
<p>${both({ en: `Every figure below is computed from the federation's transparency log at checkpoint ${report.checkpoint.size} (${report.checkpoint.origin}) and can be recomputed by anyone with the log key: wildintel audit report report.json.`, zh: `以下每个数字均由联盟透明日志在检查点 ${report.checkpoint.size}（${report.checkpoint.origin}）处计算得出，任何持有日志公钥者均可重新计算：wildintel audit report report.json。` })}</p>
<dl class="meta">
<dt>${both({ en: 'Log root', zh: '日志根哈希' })}</dt><dd><code>${esc(report.checkpoint.rootHash)}</code></dd>
<dt>${both({ en: 'Batches read', zh: '已读取批次' })}</dt><dd>${both(report.access.batches ? { en: 'every batch, verified against its log entry and signature', zh: '全部批次，均已按日志条目与签名验证' } : { en: 'none: item figures are not given', zh: '无：不提供条目级数字' })}</dd>
<dt>${both({ en: 'Disclosure records', zh: '披露记录' })}</dt><dd>${both(report.access.disclosures ? { en: 'verified against their log entries', zh: '均已按日志条目验证' } : { en: 'not read: counted from log entries only', zh: '未读取：仅按日志条目计数' })}</dd>
<dt>${both({ en: 'Referral deadline', zh: '移送确认期限' })}</dt><dd>${report.parameters.referralDeadlineHours} h</dd>
</dl>
</header>
<section class="cards">${report.figures.filter((f) => !isMap(f.value)).map(card).join('\n')}</section>
${report.figures.filter((f) => isMap(f.value)).map(chartSection).join('\n')}
<footer><p>${both({ en: `Generated ${report.generatedAt} from ${report.hub}.`, zh: `生成于 ${report.generatedAt}，来源 ${report.hub}。` })}</p></footer>
</main>
</body>
</html>
`;
}

function card(f: Figure): string {
  const value = f.value === null ? `<span class="na">${both({ en: 'not available', zh: '不可用' })}</span>` : esc(String(f.value));
  return `<article class="card" id="${esc(f.id)}"><h2>${both(f.title)}</h2><p class="value">${value}</p><p class="def">${both(f.definition)}</p>${sourceLine(f)}</article>`;
}

function chartSection(f: Figure): string {
  const map = f.value as Readonly<Record<string, number>>;
  const chart = Object.keys(map).length === 0 ? `<p class="na">${both({ en: 'none in this period', zh: '本期无' })}</p>` : f.id === 'outcomes.removalsByWeekAndCommodity' ? weeklyChart(map) : barChart(map);
  return `<section class="figure" id="${esc(f.id)}"><h2>${both(f.title)}</h2>${chart}<p class="def">${both(f.definition)}</p>${sourceLine(f)}</section>`;
}

function sourceLine(f: Figure): string {
  const s = f.source;
  const range = s.firstIndex === null ? '—' : `${s.firstIndex}–${s.lastIndex}`;
  return `<p class="source">${both({ en: 'Log', zh: '日志' })}: ${esc(s.kinds.join(', '))} · ${esc(range)} · ${s.entries}</p>`;
}

/** Horizontal bars, one per key, with the count written beside each. */
function barChart(map: Readonly<Record<string, number>>): string {
  const rows = Object.entries(map);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const height = rows.length * 24 + 8;
  const bars = rows
    .map(([key, n], i) => {
      const y = 4 + i * 24;
      const w = Math.round((n / max) * 380);
      return `<text x="0" y="${y + 15}" class="label">${esc(key)}</text><rect x="230" y="${y}" width="${w}" height="18" fill="${PALETTE[0]}"><title>${esc(key)}: ${n}</title></rect><text x="${236 + w}" y="${y + 14}" class="count">${n}</text>`;
    })
    .join('');
  return `<svg role="img" viewBox="0 0 680 ${height}" width="680" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

/** One stacked column per week, a colour per commodity, a legend below. */
function weeklyChart(map: Readonly<Record<string, number>>): string {
  const weeks = [...new Set(Object.keys(map).map((k) => k.split(' ')[0]!))].sort();
  const commodities = [...new Set(Object.keys(map).map((k) => k.split(' ')[1]!))].sort();
  const totals = weeks.map((w) => commodities.reduce((n, c) => n + (map[`${w} ${c}`] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const col = Math.max(24, Math.min(80, Math.floor(600 / weeks.length)));
  const width = 60 + weeks.length * col;
  const columns = weeks
    .map((w, i) => {
      let top = 200;
      const x = 50 + i * col;
      const parts = commodities.map((c, j) => {
        const n = map[`${w} ${c}`] ?? 0;
        const h = Math.round((n / max) * 180);
        top -= h;
        return n === 0 ? '' : `<rect x="${x}" y="${top}" width="${col - 6}" height="${h}" fill="${PALETTE[j % PALETTE.length]}"><title>${esc(w)} ${esc(c)}: ${n}</title></rect>`;
      });
      return `${parts.join('')}<text x="${x}" y="216" class="tick">${esc(w.slice(5))}</text><text x="${x}" y="${top - 4}" class="count">${totals[i]}</text>`;
    })
    .join('');
  const legend = commodities.map((c, j) => `<rect x="${50 + j * 120}" y="228" width="12" height="12" fill="${PALETTE[j % PALETTE.length]}"/><text x="${66 + j * 120}" y="239" class="label">${esc(c)}</text>`).join('');
  const axis = `<line x1="44" y1="200" x2="${width}" y2="200" stroke="#888"/><text x="0" y="24" class="tick">${max}</text><text x="0" y="200" class="tick">0</text>`;
  const w = Math.max(width, 50 + commodities.length * 120);
  return `<svg role="img" viewBox="0 0 ${w} 248" width="${w}" height="248" xmlns="http://www.w3.org/2000/svg">${axis}${columns}${legend}</svg>`;
}

function both(text: Bilingual): string {
  return `<span lang="en">${esc(text.en)}</span><span lang="zh">${esc(text.zh)}</span>`;
}

function isMap(v: FigureValue): v is Readonly<Record<string, number>> {
  return typeof v === 'object' && v !== null;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font:15px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1d;margin:0;background:#fafaf7}
main{max-width:980px;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.8rem;margin:.5rem 0}h2{font-size:1.05rem;margin:0 0 .4rem}
[lang=zh]{display:block;color:#444}span[lang=en]{display:block}
h1 [lang=zh],h2 [lang=zh]{font-weight:500}
input[name=lang]{position:absolute;opacity:0;pointer-events:none}
.switch{max-width:980px;margin:0 auto;padding:.6rem 1.5rem 0;display:flex;gap:.5rem}
.switch label{border:1px solid #2f6f4f;border-radius:4px;padding:.15rem .6rem;cursor:pointer;color:#2f6f4f}
#lang-both:checked~.switch label[for=lang-both],#lang-en:checked~.switch label[for=lang-en],#lang-zh:checked~.switch label[for=lang-zh]{background:#2f6f4f;color:#fff}
#lang-en:checked~main [lang=zh],#lang-zh:checked~main [lang=en]{display:none}
#lang-zh:checked~main [lang=zh]{color:inherit}
.period{font-size:1.1rem;font-weight:600}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}.meta dt{font-weight:600}.meta dd{margin:0}
code{font-size:.8rem;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.8rem;margin:1.2rem 0}
.card,.figure{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem;break-inside:avoid}
.figure{margin:1rem 0;overflow-x:auto}
.value{font-size:2rem;font-weight:700;margin:.2rem 0;color:#2f6f4f}
.def{font-size:.82rem;color:#555;margin:.4rem 0}.source{font-size:.75rem;color:#777;margin:0}
.na{color:#999;font-size:1rem;font-weight:400}
svg text{font:12px system-ui,sans-serif;fill:#333}svg .count{font-weight:700}svg .tick{fill:#666}
footer{font-size:.8rem;color:#666;margin-top:2rem}
.source [lang],.meta dt [lang]{display:inline}.source [lang=zh]::before,.meta dt [lang=zh]::before{content:" / "}
#lang-zh:checked~main .source [lang=zh]::before,#lang-zh:checked~main .meta dt [lang=zh]::before{content:none}
@media print{body{background:#fff}.switch,input[name=lang]{display:none}main{max-width:none;padding:0}.card,.figure{border-color:#aaa}a{color:inherit}@page{margin:15mm}}
`;
