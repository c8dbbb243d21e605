/**
 * The demo's outcomes (issue #22): what each platform did about some of the listings it reported,
 * recorded through its node's platform API, then the transparency report of the month written and
 * checked against what the nodes recorded. The plan is pure (the same data set gives the same
 * plan); the nodes map each item to the indicators their member published.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { PLATFORMS, type Dataset, type Platform } from './dataset.js';
import { cli } from './processes.js';

export type DemoAction = 'REMOVED' | 'ACCOUNT_SUSPENDED' | 'NO_VIOLATION' | 'WARNED';

export interface PlannedOutcome {
  readonly target: { readonly text: string } | { readonly identifier: { readonly type: 'account'; readonly value: string } };
  readonly action: DemoAction;
  readonly reference: string;
}

/**
 * Per platform, about one listing in five: every fifth listing's text removed, every tenth's
 * seller account suspended, one listing judged no violation and one warned. A target named twice
 * (two listings with one text, one seller twice) is recorded once.
 */
export function planOutcomes(dataset: Dataset): Map<Platform, PlannedOutcome[]> {
  const plan = new Map<Platform, PlannedOutcome[]>();
  for (const platform of PLATFORMS) {
    const seen = new Set<string>();
    const out: PlannedOutcome[] = [];
    const add = (key: string, outcome: PlannedOutcome) => {
      if (seen.has(key)) return;
      seen.add(key);
      out.push(outcome);
    };
    dataset.listings
      .filter((l) => l.platform === platform)
      .forEach((l, i) => {
        const reference = `${platform}-listing-${i}`;
        const account = dataset.sellers[l.seller]!.accounts[platform];
        if (i % 10 === 3 && account !== undefined) add(`account ${account}`, { target: { identifier: { type: 'account', value: account } }, action: 'ACCOUNT_SUSPENDED', reference });
        else if (i % 5 === 0) add(`text ${l.text}`, { target: { text: l.text }, action: i === 0 ? 'NO_VIOLATION' : i === 5 ? 'WARNED' : 'REMOVED', reference });
      });
    plan.set(platform, out);
  }
  return plan;
}

/** Records the plan at each node; returns how many outcome items each action became (one per indicator). */
export async function recordOutcomes(plan: Map<Platform, PlannedOutcome[]>, nodes: ReadonlyArray<{ slug: Platform; url: string; apiKey: string }>): Promise<Record<string, number>> {
  const items: Record<string, number> = {};
  for (const node of nodes) {
    const planned = [...(plan.get(node.slug) ?? [])];
    for (;;) {
      if (planned.length === 0) break;
      // actedAt is now: after the sightings were logged, so each counts toward the time to takedown.
      const actedAt = new Date().toISOString();
      const res = await fetch(`${node.url}/v1/outcomes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${node.apiKey}` },
        body: JSON.stringify({ outcomes: planned.map((o) => ({ ...o.target, action: o.action, actedAt, reference: o.reference })) }),
      });
      const body = (await res.json()) as { outcomes?: Array<{ outcomeIds: string[] }>; error?: { code: string; message: string; details?: { index?: number } } };
      // A listing text the node did not publish as a keyword (a guard held it back) has nothing to act on: leave it out.
      if (res.status === 404 && body.error?.code === 'UNKNOWN_INDICATOR' && body.error.details?.index !== undefined) {
        planned.splice(body.error.details.index, 1);
        continue;
      }
      if (!res.ok || !body.outcomes) throw new Error(`${node.slug} refused outcomes: ${body.error?.message ?? res.status}`);
      body.outcomes.forEach((o, i) => (items[planned[i]!.action] = (items[planned[i]!.action] ?? 0) + o.outcomeIds.length));
      break;
    }
  }
  return items;
}

export interface DemoReport {
  readonly dir: string;
  readonly html: string;
  readonly json: string;
  /** Figures of the report that do not match what the nodes recorded (empty when all do). */
  readonly mismatches: string[];
}

/** Writes the month's transparency report with the auditor's token and checks its outcome figures against what was recorded. */
export async function writeDemoReport(options: { hubUrl: string; rootCert: string; logKey: string; auditorToken: string; dir: string; now: Date; recorded: Record<string, number>; listings: number; referralResults: Record<string, number> }): Promise<DemoReport> {
  const out = path.join(options.dir, 'report');
  const day = (offset: number) => new Date(options.now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  await cli(['report', '--hub', options.hubUrl, '--from', day(-35), '--to', day(1), '--out', out, '--root', options.rootCert, '--log-key', options.logKey, '--token', options.auditorToken], {});
  const json = path.join(out, 'report.json');
  const report = JSON.parse(readFileSync(json, 'utf8')) as { figures: Array<{ id: string; value: unknown }> };
  const value = (id: string) => report.figures.find((f) => f.id === id)?.value;
  const mismatches: string[] = [];
  const expect = (id: string, want: unknown) => JSON.stringify(value(id)) !== JSON.stringify(want) && mismatches.push(`${id}: the report says ${JSON.stringify(value(id))}, the nodes recorded ${JSON.stringify(want)}`);
  expect('outcomes.byAction', Object.fromEntries(Object.entries(options.recorded).sort(([a], [b]) => (a < b ? -1 : 1))));
  expect('outcomes.listingsRemoved', options.recorded['REMOVED'] ?? 0);
  expect('outcomes.accountsActioned', options.recorded['ACCOUNT_SUSPENDED'] ?? 0);
  expect('members.active', PLATFORMS.length);
  const referrals = Object.values(options.referralResults).reduce((a, b) => a + b, 0);
  expect('referrals.filed', referrals);
  expect('referrals.acknowledged', referrals);
  expect('referrals.byResult', options.referralResults);
  return { dir: out, html: path.join(out, 'report.html'), json, mismatches };
}
