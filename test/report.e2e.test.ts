/**
 * The transparency report end to end (issue #22): `wildintel report` against a real hub writes
 * figures that match what was published (batches with outcomes, tokens, a disclosure request),
 * and `wildintel audit report` recomputes them from the verified log: an untampered report is
 * confirmed (also after the log grew), a tampered figure is named with exit code 1, and a report
 * over another history is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { indicatorId } from '../src/indicators/index.js';
import type { TransparencyReport } from '../src/report/index.js';
import { fileRequest, testAgency } from './helpers/disclosure.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';
import { runCli } from './helpers/hub-process.js';

const SELLER = `fp1.2026-01.${createHash('sha256').update('report-seller').digest('base64url')}`;
const observedAt = new Date(Date.now() - 86_400_000).toISOString();
const ivory = { type: 'KEYWORD', value: '象牙手镯', commodity: 'IVORY', observedAt, confidence: 80 };
const seller = { type: 'SELLER', value: SELLER, commodity: 'PANGOLIN', observedAt, confidence: 90 };

async function publish(fed: TestFederation, member: TestMember, payload: Parameters<TestFederation['sign']>[1]): Promise<void> {
  const res = await fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await fed.sign(member, payload) });
  assert.equal(res.status, 201, await res.text());
}

describe('wildintel report and wildintel audit report', () => {
  let fed: TestFederation;
  let dir: string;
  let token: string;
  let common: string[];
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const figures = (r: TransparencyReport) => Object.fromEntries(r.figures.map((f) => [f.id, f.value]));
  const readReport = async (out: string) => JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as TransparencyReport;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-report-'));
    fed = await startTestFederation();
    const shopmart = await fed.addMember('shopmart');
    const chatapp = await fed.addMember('chatapp');
    await publish(fed, shopmart, { indicators: [ivory, seller] });
    await publish(fed, chatapp, { indicators: [ivory, ...sampleIndicators(2, 'c')] });
    const actedAt = new Date().toISOString();
    const outcome = (id: string, action: string) => ({ outcomeId: randomUUID(), indicatorId: id, action, actedAt });
    const mistaken = outcome(indicatorId('KEYWORD', ivory.value), 'NO_VIOLATION');
    await publish(fed, shopmart, { indicators: [], outcomes: [outcome(indicatorId('KEYWORD', ivory.value), 'REMOVED'), outcome(indicatorId('SELLER', SELLER), 'ACCOUNT_SUSPENDED'), mistaken] } as Parameters<TestFederation['sign']>[1]);
    await publish(fed, shopmart, { indicators: [], outcomes: [{ outcomeId: mistaken.outcomeId, indicatorId: mistaken.indicatorId, reason: 'recorded against the wrong listing' }] } as Parameters<TestFederation['sign']>[1]);
    const customs = await testAgency(fed);
    const customsToken = await customs.token();
    const filed = await fileRequest(fed, customsToken, await customs.sign(customsToken, { fingerprint: SELLER }));
    assert.equal(filed.code, undefined, filed.message);
    token = await fed.token('provenance:read audit:read', { agency: 'auditors', tlp: 'CLEAR' });
    await writeFile(path.join(dir, 'root.pem'), fed.rootCertPem);
    common = ['--hub', fed.hub.url, '--root', path.join(dir, 'root.pem'), '--log-key', fed.hub.services.log.verifierKey];
  });
  after(async () => {
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes report.json and report.html with figures that match what was published', async () => {
    const out = path.join(dir, 'full');
    const run = await runCli(['report', ...common, '--token', token, '--from', day(-1), '--to', day(1), '--out', out], {});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /report\.html/);
    const report = await readReport(out);
    assert.deepEqual(report.access, { batches: true, disclosures: true });
    const f = figures(report);
    assert.equal(f['members.active'], 2);
    assert.equal(f['batches.logged'], 4);
    assert.equal(f['items.logged'], 2 + 3 + 3 + 1);
    assert.deepEqual(f['indicators.byTypeAndCommodity'], { 'KEYWORD IVORY': 4, 'SELLER PANGOLIN': 1 });
    assert.deepEqual(f['outcomes.byAction'], { ACCOUNT_SUSPENDED: 1, REMOVED: 1 }, 'the retracted NO_VIOLATION no longer stands');
    assert.deepEqual([f['outcomes.listingsRemoved'], f['outcomes.accountsActioned']], [1, 1]);
    assert.equal(typeof f['outcomes.medianHoursToTakedown'], 'number');
    assert.deepEqual(Object.values(f['outcomes.removalsByWeekAndCommodity'] as Record<string, number>).reduce((a, b) => a + b, 0), 2);
    assert.deepEqual([f['disclosures.filed'], f['disclosures.byAgency']], [1, { customs: 1 }]);
    assert.equal((f['disclosures.results'] as Record<string, number>)['customs membersAsked'], 1);
    assert.deepEqual(f['tokens.issuedByAgency'], { auditors: 1, customs: 1 });
    assert.equal(f['referrals.filed'], 0);
    for (const figure of report.figures) assert.ok(figure.definition.en.length > 0 && figure.definition.zh.length > 0 && figure.source.kinds.length > 0, figure.id);
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg role="img"/);
    assert.match(html, /透明度报告/);
    assert.match(html, /@media print/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /象牙|fp1\./, 'the report carries counts, never indicator values');
  });

  it('audit report confirms an untampered report, recomputed at its checkpoint after the log grew', async () => {
    const out = path.join(dir, 'confirm');
    assert.equal((await runCli(['report', ...common, '--token', token, '--from', day(-1), '--to', day(1), '--out', out], {})).code, 0);
    await publish(fed, await fed.addMember('later'), { indicators: sampleIndicators(1, 'late') });
    const run = await runCli(['audit', 'report', path.join(out, 'report.json'), ...common, '--token', token], {});
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /report confirmed: all \d+ figures recomputed from the verified log at checkpoint \d+/);
  });

  it('names a tampered figure and exits 1', async () => {
    const out = path.join(dir, 'tampered');
    assert.equal((await runCli(['report', ...common, '--token', token, '--from', day(-1), '--to', day(1), '--out', out], {})).code, 0);
    const report = await readReport(out);
    const inflated = { ...report, figures: report.figures.map((f) => (f.id === 'outcomes.listingsRemoved' ? { ...f, value: 250 } : f.id === 'tokens.issuedByAgency' ? { ...f, value: { auditors: 1 } } : f)) };
    await writeFile(path.join(out, 'report.json'), JSON.stringify(inflated));
    const run = await runCli(['audit', 'report', path.join(out, 'report.json'), ...common, '--token', token], {});
    assert.equal(run.code, 1);
    assert.match(run.stdout, /outcomes\.listingsRemoved: the report says 250, the log gives 1/);
    assert.match(run.stdout, /tokens\.issuedByAgency: the report says \{"auditors":1\}, the log gives \{"auditors":1,"customs":1\}/);
    assert.match(run.stderr, /\[FIGURES_DIFFER\]\n$/);
  });

  it('without a token gives no item figure, says so, and is confirmed without one', async () => {
    const out = path.join(dir, 'public');
    const run = await runCli(['report', ...common, '--from', day(-1), '--to', day(1), '--out', out], {});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /item figures not computed/);
    const report = await readReport(out);
    assert.deepEqual(report.access, { batches: false, disclosures: false });
    assert.deepEqual([figures(report)['outcomes.listingsRemoved'], figures(report)['disclosures.byAgency'], figures(report)['disclosures.filed']], [null, null, 1]);
    const audit = await runCli(['audit', 'report', path.join(out, 'report.json'), ...common], {});
    assert.equal(audit.code, 0, audit.stderr);
  });

  it('refuses a report over another history (REPORT_NOT_IN_LOG) and a file that is no report (INVALID_REPORT)', async () => {
    const out = path.join(dir, 'public');
    const report = await readReport(out);
    await writeFile(path.join(dir, 'forked.json'), JSON.stringify({ ...report, checkpoint: { ...report.checkpoint, rootHash: Buffer.alloc(32, 7).toString('base64') } }));
    const forked = await runCli(['audit', 'report', path.join(dir, 'forked.json'), ...common], {});
    assert.equal(forked.code, 1);
    assert.match(forked.stderr, /is not in the verified log.*\[REPORT_NOT_IN_LOG\]/);
    await writeFile(path.join(dir, 'junk.json'), JSON.stringify({ format: 'something else' }));
    const junk = await runCli(['audit', 'report', path.join(dir, 'junk.json'), ...common], {});
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /\[INVALID_REPORT\]/);
  });

  it('refuses a period that ends before it starts (INVALID_PERIOD), writing nothing', async () => {
    const run = await runCli(['report', ...common, '--from', day(1), '--to', day(-1), '--out', path.join(dir, 'never')], {});
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\[INVALID_PERIOD\]/);
    await assert.rejects(readFile(path.join(dir, 'never', 'report.json')));
  });
});
