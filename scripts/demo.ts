/**
 * `npm run demo`: a whole federation on this machine with the embedded database: a hub and three
 * member nodes (fictional platforms shopmart, chatapp, searchco), fed a synthetic data set through
 * the nodes' platform API; then it prints an agency token, five example queries with what they
 * answered, a ready-to-run disclosure request (agency → member operators → agency → evidence
 * package → auditor), the auditor's command and the URLs, and runs until Ctrl-C.
 *
 *   npm run demo -- [--seed N] [--scale LISTINGS] [--json-out FILE] [--dir DIR] [--port N] [--node-port N]
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import sharp from 'sharp';
import { hashImage } from '../src/hashing/index.js';
import { normalizeKeyword } from '../src/indicators/index.js';
import { systemRandom } from '../src/kernel/index.js';
import { newApiKey, newPseudonymKeyFile } from '../src/node/index.js';
import { listingCorpus } from '../bench/listing-corpus.js';
import type { Figures } from '../src/model/index.js';
import { buildDataset, CODE_WORDS, observationsOf, PLATFORMS, type Dataset, type Platform } from './demo/dataset.js';
import { cli, freePort, REPO_ROOT, startService, stopService, type Service } from './demo/processes.js';
import { exampleQueries, runQuery } from './demo/queries.js';
import { disclosureExample, prepareDisclosure, requestArgs, type DisclosureSetup } from './demo/disclosure.js';
import { planOutcomes, recordOutcomes, writeDemoReport, type DemoReport } from './demo/outcomes.js';
import { fileDemoReports, type DemoReports } from './demo/reports.js';
import { runReferral, type ReferralOutcome } from './demo/referral.js';

const MARKER = '.wildintel-demo';
const NAMES: Record<Platform, string> = { shopmart: 'ShopMart (marketplace)', chatapp: 'ChatApp (messaging)', searchco: 'SearchCo (search and ads)' };
const READ_SCOPES = 'indicators:read sellers:read match:image match:text stats:read';

interface Options {
  port: number;
  nodePort?: number;
  seed: number;
  scale: number;
  jsonOut?: string;
  dir: string;
}

interface NodeInfo {
  slug: Platform;
  dataDir: string;
  url: string;
  apiKey: string;
  key: string;
  cert: string;
  service: Service;
}

const positive = (name: string) => (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};

function parseOptions(argv: string[]): Options {
  const program = new Command('npm run demo --')
    .option('--seed <n>', 'seed of the synthetic data set (the same seed gives the same data)', positive('--seed'), 42)
    .option('--scale <listings>', 'listings to generate across the three platforms (each is 3–4 observations)', positive('--scale'), 450)
    .option('--json-out <file>', 'write the federation’s URLs, keys and tokens as JSON once it is up')
    .option('--port <n>', 'the hub’s port if free', positive('--port'), 4000)
    .option('--node-port <n>', 'the first member node’s port if free, the others the next ones (default: the hub’s --port + 101)', positive('--node-port'))
    .option('--dir <dir>', 'where the demo keeps its databases, keys and logs (wiped at start)', path.join(REPO_ROOT, 'demo-data'))
    .parse(argv);
  return program.opts<Options>();
}

/** A fresh working directory; refuses to wipe one the demo did not make. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(path.join(dir, MARKER))) throw new Error(`${dir} is not empty and was not made by the demo; choose another --dir`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MARKER), 'made by npm run demo; wiped at its next start\n');
}

const say = (text = ''): void => void process.stdout.write(`${text}\n`);
const step = (text: string): void => void process.stderr.write(`• ${text}\n`);

async function startFederation(options: Options, services: Service[]) {
  const logs = createWriteStream(path.join(options.dir, 'logs.jsonl'));
  const hubPort = await freePort(options.port);
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const hubEnv = { DATA_DIR: path.join(options.dir, 'hub'), CERTS_DIR: path.join(options.dir, 'certs'), HOST: '127.0.0.1', PORT: String(hubPort), HUB_ORIGIN: hubUrl };
  step(`starting the hub on ${hubUrl} (embedded PGlite under ${path.relative(process.cwd(), hubEnv.DATA_DIR)})`);
  services.push(await startService('hub', ['hub'], hubEnv, hubUrl, logs));
  const logKey = /verifier key\s+(\S+)/.exec(await cli(['hub', 'keys'], hubEnv))![1]!;
  const pseudonymFile = path.join(options.dir, 'pseudonym-key.json');
  writeFileSync(pseudonymFile, newPseudonymKeyFile('demo-1', systemRandom), { mode: 0o600 });
  const nodes: NodeInfo[] = [];
  for (const [i, slug] of PLATFORMS.entries()) {
    const home = path.join(options.dir, slug);
    step(`enrolling ${slug} and starting its member node`);
    await cli(['member', 'create', slug, '--name', NAMES[slug], '--out', home], hubEnv);
    const { key: apiKey, line } = newApiKey('demo-pipeline', systemRandom);
    writeFileSync(path.join(home, 'api-keys'), `${line}\n`, { mode: 0o600 });
    const port = await freePort((options.nodePort ?? options.port + 101) + i);
    const url = `http://127.0.0.1:${port}`;
    const env = {
      DATA_DIR: path.join(home, 'data'),
      HOST: '127.0.0.1',
      NODE_PORT: String(port),
      NODE_KEY_FILE: path.join(home, 'key.pem'),
      NODE_CERT_FILE: path.join(home, 'cert.pem'),
      NODE_API_KEYS_FILE: path.join(home, 'api-keys'),
      PSEUDONYM_KEYS_FILE: pseudonymFile,
      ROOT_CA_CERT: path.join(hubEnv.CERTS_DIR, 'dev/root.pem'),
      HUB_URL: hubUrl,
      HUB_AUDIENCE: hubUrl,
      HUB_LOG_KEY: logKey,
      DEFAULT_PHONE_REGION: 'CN',
      NODE_BATCH_DELAY_MS: '300',
      NODE_FEED_INTERVAL_MS: '2000',
    };
    const service = await startService(slug, ['node'], env, url, logs);
    services.push(service);
    nodes.push({ slug, url, apiKey, key: env.NODE_KEY_FILE, cert: env.NODE_CERT_FILE, dataDir: env.DATA_DIR, service });
  }
  return { hubUrl, hubEnv, logKey, nodes, rootCert: path.join(hubEnv.CERTS_DIR, 'dev/root.pem') };
}

/** Sends every listing through its platform's node; returns each seller's fingerprint as the nodes reported it. */
async function publish(dataset: Dataset, nodes: NodeInfo[]): Promise<Map<number, string>> {
  const fingerprints = new Map<number, string>();
  const bar = new cliProgress.SingleBar({ format: '  publishing  [{bar}] {value}/{total} listings', stream: process.stderr, noTTYOutput: false }, cliProgress.Presets.shades_classic);
  bar.start(dataset.listings.length, 0);
  for (const node of nodes) {
    const listings = dataset.listings.filter((l) => l.platform === node.slug);
    for (let i = 0; i < listings.length; i += 50) {
      const chunk = listings.slice(i, i + 50);
      const res = await fetch(`${node.url}/v1/observations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${node.apiKey}` },
        body: JSON.stringify({ observations: chunk.flatMap((l) => observationsOf(l, dataset.sellers[l.seller]!)) }),
      });
      const body = (await res.json()) as { indicators?: Array<Array<{ type: string; value: string }>>; error?: { message: string } };
      if (!res.ok || !body.indicators) throw new Error(`${node.slug} refused observations: ${body.error?.message ?? res.status}`);
      let at = 0;
      for (const listing of chunk) {
        fingerprints.set(listing.seller, body.indicators[at]![0]!.value);
        at += listing.image ? 4 : 3;
      }
      bar.increment(chunk.length);
    }
  }
  bar.stop();
  return fingerprints;
}

/** Waits until every node has signed and delivered everything, and the hub has it. */
async function waitDelivered(nodes: NodeInfo[]): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const states = await Promise.all(
      nodes.map(async (n) => (await (await fetch(`${n.url}/v1/status`, { headers: { authorization: `Bearer ${n.apiKey}` } })).json()) as { outbox: { pending: number; queued: number; accepted: number; refused: number } }),
    );
    const refused = states.reduce((s, x) => s + x.outbox.refused, 0);
    if (refused > 0) throw new Error(`${refused} batch(es) were refused by the hub; see wildintel node status`);
    if (states.every((s) => s.outbox.pending === 0 && s.outbox.queued === 0)) return;
    if (Date.now() > deadline) throw new Error('the nodes did not deliver within 10 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function issueTokens(hubEnv: Record<string, string>): Promise<{ agencyToken: string; auditorToken: string }> {
  await cli(['agency', 'add', 'demo-customs', '--name', 'Demo Customs Anti-Smuggling Bureau'], hubEnv);
  await cli(['agency', 'add', 'demo-audit', '--name', 'Demo Coalition Auditor'], hubEnv);
  const agencyToken = await cli(['token', 'issue', '--agency', 'demo-customs', '--sub', 'analyst-1', '--scope', READ_SCOPES, '--tlp', 'RED', '--ttl', '24h'], hubEnv);
  const auditorToken = await cli(['token', 'issue', '--agency', 'demo-audit', '--sub', 'auditor-1', '--scope', 'provenance:read audit:read', '--tlp', 'RED', '--ttl', '24h'], hubEnv);
  return { agencyToken, auditorToken };
}

/** Inputs of the example queries that show the cross-platform picture in this data set. */
async function queryInputs(dataset: Dataset, fingerprints: Map<number, string>, now: Date) {
  const seller = dataset.crossPlatformSellers.find((s) => fingerprints.has(s) && dataset.listings.some((l) => l.seller === s && l.image)) ?? dataset.crossPlatformSellers[0]!;
  // One code word first reported by each platform, written the way none of them wrote it.
  const words: number[] = [];
  for (const p of PLATFORMS) words.push(dataset.listings.find((l) => l.platform === p && !words.includes(l.codeWord))!.codeWord);
  const listingText = `全新到货！${CODE_WORDS[words[0]!]!.forms.at(-1)}，包邮。Also: ${CODE_WORDS[words[1]!]!.forms.at(-1)} / ${CODE_WORDS[words[2]!]!.forms.at(-1)} — DM me`;
  const original = dataset.listings.find((l) => l.image?.edit === 'none')!.image!;
  const repost = await sharp(original.jpeg).resize(288, 288).modulate({ brightness: 0.93 }).jpeg({ quality: 70 }).toBuffer();
  const { pdq } = await hashImage(repost);
  const own = dataset.listings.filter((l) => l.seller === seller);
  return {
    sellerFingerprint: fingerprints.get(seller)!,
    sellerOwn: { listings: own.length, keywords: [...new Set(own.map((l) => normalizeKeyword(l.text)))] },
    listingText,
    editedPhotoPdq: pdq,
    from: new Date(now.getTime() - 35 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z',
    to: new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z',
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  prepareDir(options.dir);
  const services: Service[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      step('stopping the nodes and the hub');
      for (const s of [...services].reverse()) await stopService(s);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    const federation = await startFederation(options, services);
    for (const s of services) void s.exited.then((code) => !stopping && (step(`${s.name} exited unexpectedly (code ${code}); see ${path.join(options.dir, 'logs.jsonl')}`), void stopAll(1)));
    const now = new Date();
    const images = Math.max(6, Math.round(options.scale / 25));
    step(`building the data set (seed ${options.seed}): ${options.scale} listings, ${images} photos re-posted across platforms`);
    const bar = new cliProgress.SingleBar({ format: '  generating  [{bar}] {value}/{total} listings', stream: process.stderr }, cliProgress.Presets.shades_classic);
    bar.start(options.scale, 0);
    const dataset = await buildDataset({ seed: options.seed, listings: options.scale, images, now, onProgress: (done) => bar.update(done) });
    bar.stop();
    const fingerprints = await publish(dataset, federation.nodes);
    await trainDemoModel(dataset, federation.nodes[0]!, options.seed, options.dir);
    step('waiting for the nodes to sign and deliver every batch');
    await waitDelivered(federation.nodes);
    step('recording what the platforms did about some listings (outcomes)');
    const recorded = await recordOutcomes(planOutcomes(dataset), federation.nodes);
    await waitDelivered(federation.nodes);
    const { agencyToken, auditorToken } = await issueTokens(federation.hubEnv);
    const inputs = await queryInputs(dataset, fingerprints, now);
    const queries = exampleQueries(inputs);
    step('registering the demo agency’s disclosure keys');
    const disclosure = await prepareDisclosure(federation.hubEnv, options.dir, 'demo-customs');
    const seller = [...fingerprints.entries()].find(([, fp]) => fp === inputs.sellerFingerprint)![0];
    const reporters = federation.nodes.filter((n) => dataset.listings.some((l) => l.seller === seller && l.platform === n.slug));
    step('filing public reports at the first node (proof of work solved here) and making a moderator account');
    const reports = await fileDemoReports(federation.nodes[0]!);
    step('a member refers the seller to demo-customs, which acknowledges and closes it');
    const referral = await runReferral({ hubUrl: federation.hubUrl, hubEnv: federation.hubEnv, agency: 'demo-customs', node: reporters[0] ?? federation.nodes[0]!, fingerprint: inputs.sellerFingerprint });
    step('writing the transparency report of the month (outcomes and the referral included)');
    const report = await writeDemoReport({ hubUrl: federation.hubUrl, rootCert: federation.rootCert, logKey: federation.logKey, auditorToken, dir: options.dir, now, recorded, listings: dataset.listings.length, referralResults: { [referral.result]: 1 } });
    step('preparing the analyst console (built on first use, then cached)');
    const consoleUrl = await warmConsole(federation.hubUrl);
    const answers: Array<{ ok: boolean; line: string }> = [];
    for (const q of queries) answers.push(await runQuery(federation.hubUrl, agencyToken, q));
    printSummary({ ...federation, consoleUrl, agencyToken, auditorToken, queries, answers, report, dir: options.dir, disclosure: { setup: disclosure, fingerprint: inputs.sellerFingerprint, members: reporters }, reports, referral });
    if (options.jsonOut) {
      const facts = {
        hubUrl: federation.hubUrl,
        hubEnv: operatorEnv(federation),
        consoleUrl,
        nodes: federation.nodes.map(({ slug, url, apiKey, key, cert, dataDir }) => ({ slug, url, apiKey, key, cert, dataDir })),
        agencyToken,
        auditorToken,
        report: { html: report.html, json: report.json, outcomes: recorded, mismatches: report.mismatches },
        rootCert: federation.rootCert,
        logVerifierKey: federation.logKey,
        queries: queries.map((q, i) => ({ title: q.title, query: q.query, variables: q.variables, ok: answers[i]!.ok, answer: answers[i]!.line })),
        disclosure: { ...disclosure, fingerprint: inputs.sellerFingerprint, members: reporters.map((r) => ({ slug: r.slug, dataDir: r.dataDir })), requestArgs: requestArgs(federation.hubUrl, disclosure, inputs.sellerFingerprint) },
        referral,
      };
      writeFileSync(options.jsonOut, `${JSON.stringify(facts, null, 2)}\n`, { mode: 0o600 });
    }
    if (answers.some((a) => !a.ok)) step('warning: an example query did not show what it promises (see above)');
    for (const m of report.mismatches) step(`warning: the transparency report does not match the data set: ${m}`);
    say('\nThe federation is running. Press Ctrl-C to stop it.');
  } catch (err) {
    step(`demo failed: ${(err as Error).message}`);
    await stopAll(1);
  }
}

/**
 * The first node's own suspicious-listing model (docs/member-node.md): its listings of the data
 * set, labelled sales, beside generated posts that mention the same products without selling them
 * (bench/listing-corpus.ts), labelled not; trained with the node's commands, evaluated on five
 * folds against keyword matching alone. The node scores /v1/scan texts with it from then on.
 */
async function trainDemoModel(dataset: Dataset, node: NodeInfo, seed: number, dir: string): Promise<void> {
  step(`training ${node.slug}'s suspicious-listing model on its labelled listings (they stay on its node)`);
  const sales = dataset.listings.filter((l) => l.platform === node.slug).map((l) => ({ text: l.text, label: true }));
  const others = listingCorpus({ count: sales.length * 10, seed, saleShare: 0, noise: 0 }).listings;
  const file = path.join(dir, `${node.slug}-labels.jsonl`);
  writeFileSync(file, `${[...sales, ...others].map((l) => JSON.stringify(l)).join('\n')}\n`, { mode: 0o600 });
  await cli(['node', 'model', 'label', '--in', file], { DATA_DIR: node.dataDir });
  const result = JSON.parse(await cli(['node', 'model', 'retrain'], { DATA_DIR: node.dataDir })) as { evaluation: { examples: number; positives: number; model: Figures; keywordOnly: Figures } };
  const e = result.evaluation;
  const line = (f: Figures): string => `PR-AUC ${f.prAuc}, best F1 ${f.bestF1}, precision at recall 0.9 ${f.precisionAtRecall90}`;
  step(`  ${e.examples} listings, ${e.positives} sales, 5 folds: model ${line(e.model)}`);
  step(`  keyword matching alone (the 10 best terms of each fold's training part): ${line(e.keywordOnly)}`);
}

/** The console's page, requested once so that its first build is not the analyst's wait. */
async function warmConsole(hubUrl: string): Promise<string> {
  const url = `${hubUrl}/console/`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the analyst console did not load (${res.status}); see the hub's log`);
  return url;
}

/**
 * What the hub's operator commands (agency, token, member, hub keys) need to find its files and
 * name it: without it they would read ./data and sign tokens for port 4000.
 */
function operatorEnv(f: { hubUrl: string; hubEnv: Record<string, string> }): { DATA_DIR: string; CERTS_DIR: string; HUB_ORIGIN: string } {
  return { DATA_DIR: f.hubEnv['DATA_DIR']!, CERTS_DIR: f.hubEnv['CERTS_DIR']!, HUB_ORIGIN: f.hubUrl };
}

interface SummaryFacts {
  hubUrl: string;
  hubEnv: Record<string, string>;
  consoleUrl: string;
  nodes: NodeInfo[];
  agencyToken: string;
  auditorToken: string;
  logKey: string;
  rootCert: string;
  dir: string;
  queries: ReturnType<typeof exampleQueries>;
  answers: Array<{ ok: boolean; line: string }>;
  report: DemoReport;
  disclosure: { setup: DisclosureSetup; fingerprint: string; members: NodeInfo[] };
  reports: DemoReports;
  referral: ReferralOutcome;
}

function printSummary(f: SummaryFacts): void {
  const rel = (p: string): string => path.relative(process.cwd(), p) || '.';
  say('\n═══ wildintel demo federation ═══\n');
  say(`analyst console  ${f.consoleUrl}   ← open it and paste the agency token below`);
  say(`hub        ${f.hubUrl}/graphql   (public log: ${f.hubUrl}/log/checkpoint)`);
  for (const n of f.nodes) say(`${n.slug.padEnd(10)} ${n.url}   platform API key ${n.apiKey}   DATA_DIR=${rel(n.dataDir)}`);
  const env = operatorEnv(f);
  say(`\nthe hub's operator commands (agency, token, member, hub keys) need its environment; in another shell here:`);
  say(`export DATA_DIR=${rel(env.DATA_DIR)} CERTS_DIR=${rel(env.CERTS_DIR)} HUB_ORIGIN=${env.HUB_ORIGIN}`);
  say(`npx wildintel token list`);
  say(`a member node's (node requests, node outcomes) take that node's DATA_DIR, printed beside it above.`);
  say(`\nagency token (${READ_SCOPES}; TLP RED; 24 h): paste it into the console, or use it with curl:`);
  say(f.agencyToken);
  say(`export TOKEN=${f.agencyToken}`);
  say(`curl -s ${f.hubUrl}/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"query":"{ me { agency scopes tlp } }"}'`);
  for (const [i, q] of f.queries.entries()) {
    say(`\n${i + 1}. ${q.title}`);
    say(`   ${q.query}`);
    if (Object.keys(q.variables).length > 0) say(`   variables: ${JSON.stringify(q.variables)}`);
    say(`   → ${f.answers[i]!.ok ? '' : '(unexpected) '}${f.answers[i]!.line}`);
  }
  say('\nauditor: verify that the log is append-only and every batch is signed (keeps its state for the next run):');
  say(`npx wildintel audit verify --hub ${f.hubUrl} --root ${rel(f.rootCert)} --log-key '${f.logKey}' --state ${rel(path.join(f.dir, 'audit-state.json'))} --token ${f.auditorToken}`);
  say(`\ntransparency report of the month (figures from the log; open it in a browser): ${rel(f.report.html)}`);
  say(`recompute it: npx wildintel audit report ${rel(f.report.json)} --hub ${f.hubUrl} --root ${rel(f.rootCert)} --log-key '${f.logKey}' --token ${f.auditorToken}`);
  for (const line of disclosureExample({ hubUrl: f.hubUrl, ...f.disclosure, rootCert: f.rootCert, logKey: f.logKey, auditorToken: f.auditorToken, dir: f.dir, rel })) say(line);
  say(`\npublic reports: ${f.reports.receipts.length} filed at ${f.reports.reportUrl} (receipts ${f.reports.receipts.join(', ')})`);
  say(`review page      ${f.reports.reviewUrl}   ← log in as ${f.reports.moderator.name}, password ${f.reports.moderator.password}`);
  say(`\nreferral ${f.referral.referralId} from ${f.referral.member} to demo-customs: ${f.referral.state} (${f.referral.result}); at the member's node: ${f.referral.atNode}`);
  say(`  the member's operator: wildintel node referrals list   (with that node's DATA_DIR)`);
  say(`\nlogs: ${rel(path.join(f.dir, 'logs.jsonl'))}; scan a listing locally on a node: curl -s ${f.nodes[1]!.url}/v1/scan -H "authorization: Bearer ${f.nodes[1]!.apiKey}" -H 'content-type: application/json' -d '{"text":"犀 角 盃"}'`);
}

await main();
