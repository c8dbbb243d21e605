/**
 * The publisher: seals pending items into signed batches once they have waited
 * NODE_BATCH_DELAY_MS with nothing ahead of them in the queue (or fill a batch), and sends the
 * queue to the hub one batch at a time,
 * oldest first. A network error, a 5xx or a retryable refusal schedules the same bytes again
 * with exponential backoff and jitter; any other refusal is final and kept with its error.
 * Time and randomness are injected, so every delay is exact under test.
 */
import type { DataSource } from 'typeorm';
import type { Clock, Logger, Random } from '../kernel/index.js';
import { decodeProtectedHeader } from 'jose';
import { pemToDerCertificates } from '../pki/index.js';
import { issuerJwtOf, signAgain, type BatchSigner } from '../provenance/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { postBatch, type HubClientOptions } from './hub-client.js';
import { headOfQueue, markAccepted, markRetry, pendingSummary, replaceSignature, sealBatch, type QueuedBatch } from './outbox.js';
import { refuseBatch } from './dead-letters.js';

export interface PublisherDeps {
  readonly db: DataSource;
  readonly hub: HubClientOptions;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly batchMax: number;
  readonly batchDelayMs: number;
  readonly backoff: BackoffPolicy;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Called after the hub accepted a batch (to audit the receipt and read the feed). */
  readonly onAccepted?: () => void;
}

export type PublishStep =
  | { readonly kind: 'idle' }
  | { readonly kind: 'waiting'; readonly ms: number }
  | { readonly kind: 'accepted'; readonly batchId: string; readonly leafIndex: number; readonly duplicate: boolean }
  | { readonly kind: 'refused'; readonly batchId: string; readonly code: string }
  | { readonly kind: 'retry'; readonly batchId: string; readonly delayMs: number; readonly reason: string };

export interface Publisher {
  /**
   * Seals every batch that is due; returns the ms until the next one is, or undefined if nothing
   * waits or what waits is held until the queue drains.
   */
  sealDue(): Promise<number | undefined>;
  /** Sends the head of the queue if it is due. */
  sendNext(): Promise<PublishStep>;
  /** One turn of the loop: seal, then send; the ms until the next turn is due. */
  step(): Promise<number | undefined>;
}

/**
 * After a rotation (new certificate enrolled, the node restarted with it, the old one revoked as
 * superseded, or expired) batches sealed with the old key are refused, since the hub judges revocation by when
 * it receives a batch. Their payload is still the member's: the node signs the same payload bytes
 * again with its current certificate (same batch id, same disclosures), and sends it. A batch already signed by the current
 * certificate is refused for good (this node's own certificate is revoked).
 */
async function resignedAfterRotation(deps: PublisherDeps, head: QueuedBatch): Promise<boolean> {
  const [leaf] = (decodeProtectedHeader(issuerJwtOf(head.jws)).x5c ?? []).map(String);
  const current = pemToDerCertificates(deps.signer.chainPem[0] ?? '').map((der) => Buffer.from(der).toString('base64'))[0];
  if (leaf === undefined || current === undefined || leaf === current) return false;
  await replaceSignature(deps.db, head.seq, await signAgain(head.jws, deps.signer), deps.clock.now(), 'CERT_REVOKED: signed by a rotated-out certificate; signed again with the current one');
  deps.logger.warn({ batchId: head.batchId }, 'the hub refused a batch signed by the previous certificate; signed it again with the current one');
  return true;
}

export function createPublisher(deps: PublisherDeps): Publisher {
  // While earlier batches wait to be sent (the hub is down or slow), only full batches are
  // sealed: what arrives meanwhile gathers into them, so an outage ends with a few full batches
  // to deliver rather than one small batch per NODE_BATCH_DELAY_MS, each a round trip and a log
  // entry. The items are durable while pending; the queue draining lets the rest be sealed.
  const sealWith = async (backlog: boolean): Promise<number | undefined> => {
    for (;;) {
      const pending = await pendingSummary(deps.db);
      if (pending === undefined) return undefined;
      const waited = deps.clock.now().getTime() - pending.oldest.getTime();
      if (pending.count < deps.batchMax) {
        if (backlog) return undefined;
        if (waited < deps.batchDelayMs) return deps.batchDelayMs - waited;
      }
      await sealBatch({ db: deps.db, member: deps.member, signer: deps.signer, maxItems: deps.batchMax, clock: deps.clock, random: deps.random });
    }
  };

  const send = async (head: QueuedBatch | undefined): Promise<PublishStep> => {
    if (head === undefined) return { kind: 'idle' };
    const wait = head.nextAttemptAt.getTime() - deps.clock.now().getTime();
    if (wait > 0) return { kind: 'waiting', ms: wait };
    const outcome = await postBatch(deps.hub, head.jws);
    switch (outcome.kind) {
      case 'accepted':
        await markAccepted(deps.db, head.seq, outcome.receipt, deps.clock.now());
        deps.logger.info({ batchId: head.batchId, leafIndex: outcome.receipt.leafIndex, duplicate: outcome.receipt.duplicate }, 'batch accepted by the hub');
        deps.onAccepted?.();
        return { kind: 'accepted', batchId: head.batchId, leafIndex: outcome.receipt.leafIndex, duplicate: outcome.receipt.duplicate };
      case 'refused': {
        if ((outcome.refusal.code === 'CERT_REVOKED' || outcome.refusal.code === 'CERT_EXPIRED') && (await resignedAfterRotation(deps, head))) {
          return { kind: 'retry', batchId: head.batchId, delayMs: 0, reason: 'signed again with the current certificate' };
        }
        const { dead, requeued } = await refuseBatch(deps.db, head, outcome.refusal, deps.clock.now());
        deps.logger.error({ batchId: head.batchId, code: outcome.refusal.code, details: outcome.refusal.details, deadLetters: dead, requeued }, `the hub refused a batch for good: ${outcome.refusal.message}`);
        return { kind: 'refused', batchId: head.batchId, code: outcome.refusal.code };
      }
      case 'retry': {
        const delayMs = backoffDelay(head.attempts + 1, deps.backoff, deps.random);
        await markRetry(deps.db, head.seq, new Date(deps.clock.now().getTime() + delayMs), outcome.reason);
        deps.logger.warn({ batchId: head.batchId, attempt: head.attempts + 1, delayMs, reason: outcome.reason }, 'the hub did not take the batch; will retry');
        return { kind: 'retry', batchId: head.batchId, delayMs, reason: outcome.reason };
      }
    }
  };

  return {
    sealDue: async () => sealWith((await headOfQueue(deps.db)) !== undefined),
    sendNext: async () => send(await headOfQueue(deps.db)),
    async step() {
      // With a backlog, sealing only appends full batches behind it: the head read once serves
      // both halves. Without one, sealing may make the head, so it is read after.
      const head = await headOfQueue(deps.db);
      const sealIn = await sealWith(head !== undefined);
      const sent = await send(head ?? (await headOfQueue(deps.db)));
      const sendIn = sent.kind === 'idle' ? undefined : sent.kind === 'waiting' ? sent.ms : sent.kind === 'retry' ? sent.delayMs : 0;
      if (sealIn === undefined) return sendIn;
      return sendIn === undefined ? sealIn : Math.min(sealIn, sendIn);
    },
  };
}
