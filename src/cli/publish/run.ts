/**
 * `wildintel publish`: signs the file's batches and sends them, resumably. Apart from the
 * command's declaration so that help loads none of the signing and screening code.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { isTlp } from '../../indicators/index.js';
import { parseCertificate, pemToDerCertificates } from '../../pki/index.js';
import { systemRandom } from '../../kernel/index.js';
import { signBatchSdJwt } from '../../provenance/index.js';
import type { CliContext } from '../context.js';
import { CliError, readTextFile, wholeNumber } from '../files.js';
import { readPublishFile, toBatches, type PublishGroup } from './input-file.js';
import { Journal, type JournalBatch } from './journal.js';
import { sendBatch } from './sender.js';
import type { PublishOptions } from '../publish-file-command.js';

export async function publish(file: string, opts: PublishOptions, cli: CliContext): Promise<void> {
  const tlp = opts.tlp.toUpperCase();
  if (!isTlp(tlp)) throw new CliError('INVALID_ARGUMENT', '--tlp must be one of CLEAR, GREEN, AMBER, AMBER_STRICT, RED');
  const size = wholeNumber(opts.batchSize, '--batch-size', 1, 10_000);
  const concurrency = wholeNumber(opts.concurrency, '--concurrency', 1, 32);
  const text = readTextFile(file, 'input file');
  const certPem = readTextFile(opts.cert, 'certificate');
  const member = parseCertificate(pemToDerCertificates(certPem)[0] ?? new Uint8Array()).subjectCN ?? '';
  const batches = toBatches(readPublishFile(text, tlp), size);
  const journal = Journal.open(opts.journal ?? `${path.resolve(file)}.journal`, { input: createHash('sha256').update(text).digest('hex'), member, batchSize: size, tlp });
  const signer = { keyPem: readTextFile(opts.key, 'private key'), chainPem: [certPem, ...(opts.chain ?? []).map((c) => readTextFile(c, 'chain certificate'))] };
  await signAll(batches, member, signer, journal);
  await sendAll(opts.hub, journal, { concurrency, attempts: wholeNumber(opts.attempts, '--attempts', 1, 20) }, cli);
}

/**
 * Signs every batch the journal does not hold yet and journals it before anything is sent; on a
 * re-run after a crash while signing, only the batches the crash left unsigned are signed.
 */
async function signAll(batches: PublishGroup[], member: string, signer: { keyPem: string; chainPem: string[] }, journal: Journal): Promise<void> {
  const signed = journal.signed();
  for (const [seq, batch] of batches.entries()) {
    if (signed.has(seq)) continue;
    const batchId = randomUUID();
    const jws = await signBatchSdJwt(
      { v: 2, batchId, member, createdAt: new Date().toISOString(), tlp: batch.tlp, indicators: batch.indicators, ...(batch.retractions.length > 0 ? { retractions: batch.retractions } : {}) },
      signer,
      systemRandom,
    );
    journal.record({ seq, batchId, jws, count: batch.indicators.length + batch.retractions.length, ...(batch.indicators.length === 0 ? { retracts: true } : {}) });
  }
}

/** Sends what has no answer yet: reports first, then (once every report is in) the retractions. */
async function sendAll(hub: string, journal: Journal, { concurrency, attempts }: { concurrency: number; attempts: number }, cli: CliContext): Promise<void> {
  const all = [...journal.batches.values()].sort((a, b) => a.seq - b.seq);
  const pending = all.filter((b) => b.receipt === undefined && b.refused === undefined);
  const total = all.reduce((n, b) => n + b.count, 0);
  const progress = createProgress(total, total - pending.reduce((n, b) => n + b.count, 0));
  const failures: string[] = [];
  const send = async (batches: JournalBatch[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
        const outcome = await sendBatch(hub, batch.jws, { attempts });
        if (outcome.kind === 'accepted') journal.record({ batchId: batch.batchId, receipt: { leafIndex: outcome.leafIndex, duplicate: outcome.duplicate } });
        else if (outcome.kind === 'refused') journal.record({ batchId: batch.batchId, refused: { code: outcome.code, message: outcome.message } });
        else failures.push(outcome.message);
        progress.advance(batch.count);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  const reports = pending.filter((b) => b.retracts !== true);
  await send(reports);
  const retractions = pending.filter((b) => b.retracts === true);
  // A retraction sent while a report of the same indicator is still missing would be refused.
  if (failures.length === 0) await send(retractions);
  else failures.push(...retractions.map(() => 'held back until every report of the file is accepted'));
  progress.stop();
  const summary = summarize(all.map((b) => journal.batches.get(b.batchId)!), failures, pending.length);
  cli.print(summary.text);
  if (!summary.ok) process.exitCode = 1;
}

function summarize(batches: JournalBatch[], failures: string[], sent: number): { text: string; ok: boolean } {
  const accepted = batches.filter((b) => b.receipt !== undefined);
  const count = (list: JournalBatch[]): number => list.reduce((n, b) => n + b.count, 0);
  const duplicates = accepted.filter((b) => b.receipt!.duplicate);
  const refusedByCode = new Map<string, { n: number; message: string }>();
  for (const b of batches.filter((x) => x.refused !== undefined)) {
    const entry = refusedByCode.get(b.refused!.code) ?? { n: 0, message: b.refused!.message };
    entry.n += b.count;
    refusedByCode.set(b.refused!.code, entry);
  }
  const lines = [
    `accepted   ${count(accepted)} in ${accepted.length} batch(es), of which ${count(duplicates)} already at the hub (duplicates)`,
    ...[...refusedByCode].map(([code, { n, message }]) => `refused    ${n} ${code}: ${message}`),
    ...(failures.length > 0 ? [`not sent   ${failures.length} batch(es): ${failures[0]}`] : []),
    `this run   sent ${sent - failures.length} batch(es)${batches.length > sent ? `; ${batches.length - sent} had an answer from an earlier run (kept in the journal) and were not sent again` : ''}`,
  ];
  return { text: lines.join('\n'), ok: refusedByCode.size === 0 && failures.length === 0 };
}

/** A progress bar on a terminal; a line every tenth of the way otherwise (logs, CI). */
function createProgress(total: number, done: number): { advance(n: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: 'publishing [{bar}] {value}/{total} indicators | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic);
    bar.start(total, done);
    return { advance: (n) => bar.increment(n), stop: () => bar.stop() };
  }
  let sent = done;
  let reported = Math.floor((done / Math.max(total, 1)) * 10);
  return {
    advance(n) {
      sent += n;
      const tenth = Math.floor((sent / Math.max(total, 1)) * 10);
      if (tenth > reported) {
        reported = tenth;
        process.stderr.write(`published ${sent}/${total} indicators\n`);
      }
    },
    stop: () => undefined,
  };
}
