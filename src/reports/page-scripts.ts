/**
 * The scripts of the report and review pages, served as files (the CSP allows no inline script).
 * They write every value with textContent, never as HTML: report text is the public's.
 */

export const PAGE_STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:1rem;line-height:1.4}main{max-width:40rem;margin:auto}
label{display:block;margin:.75rem 0}input,select,textarea,button{display:block;width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin-top:.25rem}
button{width:auto;cursor:pointer}.lang{text-align:right}.report{border:1px solid #ccc;border-radius:.5rem;padding:.75rem;margin:1rem 0}
.report img{max-width:100%;max-height:16rem;display:block;margin:.5rem 0}.score{font-weight:bold}.actions button{display:inline-block;margin-right:.5rem}
#result,#status{font-weight:bold}dt{font-weight:bold}`;

export const REPORT_SCRIPT = `
const widget = document.querySelector('altcha-widget');
// The CSP build of the widget brings no worker of its own: the node serves the SHA-256 one.
if (globalThis.$altcha) globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/report/assets/altcha-sha.js'));
let payload = '';
const remember = (e) => { if (e.detail && e.detail.payload) payload = e.detail.payload; };
widget.addEventListener('statechange', remember);
widget.addEventListener('verified', remember);
const form = document.getElementById('report-form');
const result = document.getElementById('result');
const read = (file) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});
const field = (name) => form.elements.namedItem(name).value.trim();
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  result.textContent = '…';
  try {
    if (!payload) { const hidden = form.elements.namedItem('altcha'); payload = hidden && hidden.value ? hidden.value : ''; }
    if (!payload && typeof widget.verify === 'function') { const r = await widget.verify(); if (r && r.payload) payload = r.payload; }
    if (!payload) { const hidden = form.elements.namedItem('altcha'); payload = hidden && hidden.value ? hidden.value : ''; }
    const photos = await Promise.all([...document.getElementById('photos').files].slice(0, 4).map(read));
    const body = { listing: field('listing'), commodity: field('commodity'), description: field('description'), photos, altcha: payload };
    if (field('contact')) body.contact = field('contact');
    if (field('previousReceipt')) body.previousReceipt = field('previousReceipt');
    const res = await fetch('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    payload = '';
    if (typeof widget.reset === 'function') widget.reset();
    if (res.ok) {
      result.textContent = result.dataset.receiptLabel + ' ';
      const code = document.createElement('code');
      code.id = 'receipt-code';
      code.textContent = json.receipt;
      result.append(code);
      form.reset();
    } else {
      result.textContent = json.error.code + ': ' + json.error.message;
    }
  } catch (err) {
    result.textContent = String(err);
  }
});
document.getElementById('status-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = document.getElementById('status');
  const receipt = document.getElementById('receipt').value.trim();
  const res = await fetch('/v1/reports/status?receipt=' + encodeURIComponent(receipt));
  const json = await res.json();
  out.textContent = res.ok ? json.state + (json.request ? ' — ' + json.request : '') : json.error.code + ': ' + json.error.message;
  out.dataset.state = res.ok ? json.state : '';
});
`;

export const REVIEW_SCRIPT = `
let csrf = '';
const $ = (id) => document.getElementById(id);
const el = (tag, text, attrs) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); return e; };
const call = async (method, path, body) => {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw Object.assign(new Error(json.error.code + ': ' + json.error.message), { code: json.error.code });
  return json;
};
async function start() {
  try {
    const me = await call('GET', '/review/api/me');
    csrf = me.csrf;
    $('login').hidden = true; $('desk').hidden = false;
    $('who').textContent = me.name + ' (' + me.role + ')';
    await refresh();
  } catch (err) {
    $('login').hidden = false; $('desk').hidden = true;
  }
}
async function refresh() {
  const [{ reports }, numbers] = await Promise.all([call('GET', '/review/api/queue'), call('GET', '/review/api/numbers')]);
  const dl = $('numbers'); dl.replaceChildren();
  const pct = (x) => x === null ? '–' : Math.round(x * 100) + '%';
  const add = (k, v) => { dl.append(el('dt', k), el('dd', String(v))); };
  add('open', numbers.open); add('confirmed', numbers.confirmed); add('rejected', numbers.rejected);
  add('share confirmed', pct(numbers.shareConfirmed));
  add('median time to decision', numbers.medianSecondsToDecision === null ? '–' : Math.round(numbers.medianSecondsToDecision) + ' s');
  add('reports today', numbers.perDay.length ? numbers.perDay[numbers.perDay.length - 1].filed : 0);
  add('refused', Object.entries(numbers.refused).map(([k, v]) => k + ' ' + v).join(', ') || '0');
  for (const v of numbers.volunteers) add('volunteer ' + v.name, v.decisions + ' decisions, agreement with moderators ' + pct(v.agreement));
  const queue = $('queue'); queue.replaceChildren();
  for (const r of reports) {
    const box = el('article', undefined, { class: 'report', 'data-report': r.reportId });
    box.append(el('p', 'score ' + r.score, { class: 'score' }));
    const parts = el('ul'); for (const p of r.scoreParts) parts.append(el('li', p.name + ' ' + (p.points >= 0 ? '+' : '') + p.points + ': ' + p.why)); box.append(parts);
    box.append(el('p', r.commodity + ' · ' + r.listing + ' · ' + r.filedAt + ' · ' + r.state));
    box.append(el('p', r.description));
    for (let i = 0; i < r.photos; i++) box.append(el('img', undefined, { src: '/review/api/reports/' + r.reportId + '/photos/' + i, alt: 'photo ' + (i + 1) }));
    for (const d of r.decisions) box.append(el('p', d.reviewer + ' (' + d.role + '): ' + d.decision + (d.note ? ' — ' + d.note : '')));
    const note = el('input', undefined, { placeholder: 'note (the reporter reads it when you ask for more)', class: 'note' });
    const keyword = el('input', undefined, { placeholder: 'keyword to publish (optional)', class: 'keyword' });
    const actions = el('p', undefined, { class: 'actions' });
    for (const decision of ['confirm', 'reject', 'more-info']) {
      const b = el('button', decision, { type: 'button', 'data-decision': decision });
      b.addEventListener('click', async () => {
        try {
          await call('POST', '/review/api/reports/' + r.reportId + '/decisions', { decision, ...(note.value ? { note: note.value } : {}), ...(keyword.value ? { keyword: keyword.value } : {}) });
          await refresh();
        } catch (err) { $('desk-error').textContent = err.message; }
      });
      actions.append(b);
    }
    box.append(note, keyword, actions);
    queue.append(box);
  }
}
$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  try { await call('POST', '/review/login', { name: $('name').value, password: $('password').value }); await start(); }
  catch (err) { $('login-error').textContent = err.message; }
});
$('log-out').addEventListener('click', async () => { await call('POST', '/review/logout', {}); csrf = ''; await start(); });
start();
`;
