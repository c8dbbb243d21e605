/**
 * The demo's public reports (issue 23): a few reports filed at one node's /v1/reports as the
 * /report page files them (the proof of work solved here), and a moderator account for the review
 * page, made with `wildintel node reviewers add`.
 */
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { cli } from './processes.js';

const REPORTS = [
  { listing: 'https://shop.example/item/90001?utm_source=wechat', commodity: 'IVORY', description: '象牙手镯 出售，私聊 — carved ivory bracelets, message the seller' },
  { listing: 'https://shop.example/item/90002', commodity: 'PANGOLIN', description: '穿山甲鳞片 按克卖 — pangolin scales sold by the gram' },
  { listing: 'https://shop.example/item/90003', commodity: 'RHINO_HORN', description: 'Rhino horn cup, antique, shipping to any city' },
] as const;

export interface DemoReports {
  readonly receipts: readonly string[];
  readonly reviewUrl: string;
  readonly reportUrl: string;
  readonly moderator: { readonly name: string; readonly password: string };
}

export async function fileDemoReports(node: { url: string; dataDir: string }): Promise<DemoReports> {
  const receipts: string[] = [];
  for (const report of REPORTS) {
    const challenge = (await (await fetch(`${node.url}/v1/reports/challenge`)).json()) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    const res = await fetch(`${node.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...report, altcha }) });
    const body = (await res.json()) as { receipt?: string; error?: { code: string; message: string } };
    if (body.receipt === undefined) throw new Error(`the node refused a demo report: ${body.error?.code} ${body.error?.message}`);
    receipts.push(body.receipt);
  }
  const out = await cli(['node', 'reviewers', 'add', '--role', 'moderator', 'demo-moderator'], { DATA_DIR: node.dataDir });
  const password = /password \(shown once\): (\S+)/.exec(out)?.[1] ?? '';
  return { receipts, reviewUrl: `${node.url}/review`, reportUrl: `${node.url}/report`, moderator: { name: 'demo-moderator', password } };
}
