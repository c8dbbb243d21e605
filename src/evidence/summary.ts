/**
 * The human-readable summary of an evidence package, in Chinese and English, with a timeline.
 * It is made from the package's content alone (no clock, no lookups), so `evidence verify`
 * remakes it and refuses a package whose summary was edited: what a prosecutor reads is what
 * the signatures vouch for.
 */
import type { EvidencePackage } from './format.js';

type Body = Omit<EvidencePackage, 'summary'>;

const STEP_LABEL: Readonly<Record<string, string>> = {
  filed: '机构提交请求 · agency filed the request',
  routed: '枢纽转交成员 · hub routed it to the members',
  delivered: '成员确认收到 · member confirmed receipt',
  answered: '成员答复（已加密） · member answered (encrypted)',
  declined: '成员拒绝 · member declined',
  retrieved: '机构取回答复 · agency retrieved the answer',
};

/** Free text in a table cell or a line: one line, no table breaks. */
const cell = (text: string): string => text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

function entryTs(logEntry: string): number {
  try {
    const ts = (JSON.parse(Buffer.from(logEntry, 'base64').toString('utf8')) as { ts?: unknown }).ts;
    return typeof ts === 'number' ? ts : 0;
  } catch {
    return 0;
  }
}

/** The signed payload of a JWS, or of an SD-JWT's issuer-signed JWT (its second dot-separated part too). */
function payloadOf(jws: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

function requestSection(body: Body): string[] {
  const lines = ['## 请求 · Requests', ''];
  for (const d of body.disclosures) {
    const filed = d.records.find((r) => r.step === 'filed');
    const routed = d.records.find((r) => r.step === 'routed');
    const request = filed === undefined ? {} : payloadOf(filed.record);
    const legal = (request['legalBasis'] ?? {}) as { reference?: string; text?: string };
    const route = routed === undefined ? {} : (JSON.parse(routed.record) as { fingerprint?: string; members?: string[]; expiresAt?: string });
    lines.push(`### ${d.requestId}`, '');
    lines.push(`- 请求官员 · Requesting officer: ${cell(String(request['officer'] ?? '?'))} (${cell(String(request['analyst'] ?? '?'))})`);
    lines.push(`- 法律依据编号 · Legal basis reference: ${cell(String(legal.reference ?? '?'))}`);
    lines.push(`- 卖家指纹 · Seller fingerprint: \`${route.fingerprint ?? '?'}\``);
    lines.push(`- 提交 · Filed: ${filed ? iso(entryTs(filed.logEntry)) : '?'} (log entry ${filed?.leafIndex ?? '?'}); 到期 · expires: ${route.expiresAt ?? '?'}`);
    for (const member of route.members ?? []) {
      const outcome = d.records.find((r) => r.member === member && (r.step === 'answered' || r.step === 'declined'));
      const p = outcome === undefined ? {} : payloadOf(outcome.record);
      const state = outcome === undefined ? '未答复 · no answer' : outcome.step === 'answered' ? `已答复 · answered (log entry ${outcome.leafIndex})` : `拒绝 · declined: ${String(p['reason'])}${p['note'] ? ` — ${cell(String(p['note']))}` : ''} (log entry ${outcome.leafIndex})`;
      lines.push(`- 成员 · Member ${member}: ${state}`);
    }
    lines.push('', '法律依据 · Legal basis:', '', ...String(legal.text ?? '').split(/\r?\n/).map((l) => `> ${l}`), '');
  }
  return lines;
}

function answerSection(body: Body): string[] {
  const lines = ['## 答复 · Answers', ''];
  if (body.answers.length === 0) return [...lines, '答复已加密，本包未附解密内容。 · The answers are encrypted; this package holds no decrypted answer.', ''];
  for (const a of body.answers) {
    const p = a.plaintext;
    lines.push(`- ${a.member} → \`${p.fingerprint}\`: ${cell(p.identifier.kind)} **${cell(p.identifier.value)}** (首次 · first seen ${p.firstSeenAt}, 最近 · last seen ${p.lastSeenAt}; request ${a.requestId})`);
  }
  return [...lines, ''];
}

function indicatorSection(body: Body): string[] {
  const lines = ['## 指标 · Indicators', '', '| 类型 Type | 值 Value | 成员 Members | 首次 First seen | 最近 Last seen |', '|---|---|---|---|---|'];
  for (const i of body.indicators) lines.push(`| ${i.type} | \`${cell(i.value)}\` | ${i.members.join(', ')} | ${i.firstSeenAt} | ${i.lastSeenAt} |`);
  return [...lines, ''];
}

function timeline(body: Body): string[] {
  const events: Array<{ at: string; text: string }> = [];
  for (const i of body.indicators) for (const s of i.sightings) events.push({ at: s.observedAt, text: `${s.member} 观察到 · observed ${i.type} \`${cell(i.value).slice(0, 40)}\` (${s.commodity}, ${s.tlp})` });
  for (const b of body.provenance) {
    for (const s of b.sightings) {
      const createdAt = String(payloadOf(s.jws ?? s.sdJwt ?? '')['createdAt'] ?? '');
      if (createdAt) events.push({ at: new Date(createdAt).toISOString(), text: `${s.member} 签署批次 · signed batch ${s.batchId}` });
      events.push({ at: iso(entryTs(s.logEntry)), text: `枢纽记录批次 · hub logged batch ${s.batchId} (entry ${s.leafIndex})` });
    }
  }
  for (const d of body.disclosures) {
    events.push({ at: iso(entryTs(d.agencyKeys.logEntry)), text: `${d.agencyKeys.agency} 登记密钥 · registered its disclosure keys (entry ${d.agencyKeys.leafIndex})` });
    for (const r of d.records) events.push({ at: iso(entryTs(r.logEntry)), text: `${r.member ?? body.agency}: ${STEP_LABEL[r.step] ?? r.step} (entry ${r.leafIndex})` });
  }
  const unique = [...new Map(events.map((e) => [`${e.at}\u0000${e.text}`, e])).values()];
  unique.sort((a, b) => (a.at === b.at ? (a.text < b.text ? -1 : 1) : a.at < b.at ? -1 : 1));
  return ['## 时间线 · Timeline', '', '| 时间 Time (UTC) | 事件 Event |', '|---|---|', ...unique.map((e) => `| ${e.at} | ${e.text} |`), ''];
}

export function summarize(body: Body): string {
  return [
    `# 证据包 · Evidence package — 案件 · case ${cell(body.caseId)}`,
    '',
    `机构 · Agency: ${body.agency} · 枢纽 · Hub: ${body.hub} · 导出 · Exported: ${body.exportedAt}`,
    `日志 · Log: ${body.treeSize} 条 · entries (signed checkpoint in the package)`,
    '',
    ...requestSection(body),
    ...answerSection(body),
    ...indicatorSection(body),
    ...timeline(body),
    '## 如何核验 · How to verify',
    '',
    '离线核验只需联盟根证书和日志公钥 · Offline, with only the federation root certificate and the log key:',
    '',
    '```sh',
    "wildintel evidence verify THIS-FILE.json --root root.pem --log-key '<log verifier key>'",
    '```',
    '',
  ].join('\n');
}
