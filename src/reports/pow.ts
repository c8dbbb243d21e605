/**
 * Proof of work for public reports: ALTCHA challenges (altcha-lib, SHA-256 key derivation) signed
 * with an HMAC key derived from the node's vault key, so no new secret file is needed and a
 * restarted node still accepts the challenges it handed out. Each solved challenge is accepted
 * once (kept in memory until it expires).
 */
import { createHmac } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { ReportError } from './errors.js';

export interface ReportPow {
  /** A new challenge for the widget (`GET /v1/reports/challenge`). */
  challenge(): Promise<Challenge>;
  /** Throws POW_INVALID or POW_REPLAYED; otherwise the challenge is spent. */
  verify(payload: string): Promise<void>;
}

export interface ReportPowOptions {
  readonly secret: Uint8Array;
  /** Leading zero hex digits of the derived key. */
  readonly difficulty: number;
  readonly ttlSeconds: number;
  readonly now: () => number;
  /** Spent challenges remembered at most (each until it expires). */
  readonly maxSpent?: number;
}

const ALGORITHM = 'SHA-256';

export function createReportPow(options: ReportPowOptions): ReportPow {
  const hmacSignatureSecret = createHmac('sha256', options.secret).update('wildintel report proof of work v1').digest('hex');
  const spent = new Map<string, number>();
  const maxSpent = options.maxSpent ?? 200_000;
  const prune = (now: number): void => {
    for (const [signature, expires] of spent) if (expires <= now) spent.delete(signature);
    while (spent.size > maxSpent) spent.delete(spent.keys().next().value!);
  };
  return {
    challenge: () =>
      createChallenge({
        algorithm: ALGORITHM,
        cost: 1,
        deriveKey,
        keyPrefix: '0'.repeat(options.difficulty),
        hmacSignatureSecret,
        expiresAt: Math.floor(options.now() / 1000) + options.ttlSeconds,
      }),
    async verify(payload) {
      const { challenge, solution } = decodePayload(payload);
      if (challenge.parameters.algorithm !== ALGORITHM) throw powInvalid('ALGORITHM');
      let result;
      try {
        result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret });
      } catch (cause) {
        throw powInvalid('MALFORMED', cause);
      }
      if (result.expired) throw powInvalid('EXPIRED');
      if (!result.verified) throw powInvalid(result.invalidSignature === true ? 'SIGNATURE' : 'SOLUTION');
      const now = options.now();
      prune(now);
      const signature = challenge.signature!;
      if (spent.has(signature)) throw new ReportError('POW_REPLAYED', 'this proof of work was used already: solve a new one');
      spent.set(signature, (challenge.parameters.expiresAt ?? 0) * 1000);
    },
  };
}

function decodePayload(payload: string): { challenge: Challenge; solution: Solution } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch (cause) {
    throw powInvalid('MALFORMED', cause);
  }
  const v = value as { challenge?: { parameters?: unknown; signature?: unknown }; solution?: { counter?: unknown; derivedKey?: unknown } } | null;
  const params = v?.challenge?.parameters;
  if (typeof params !== 'object' || params === null || typeof v?.challenge?.signature !== 'string' || typeof v.solution?.counter !== 'number' || typeof v.solution.derivedKey !== 'string') {
    throw powInvalid('MALFORMED');
  }
  return { challenge: v.challenge as Challenge, solution: v.solution as Solution };
}

function powInvalid(reason: 'MALFORMED' | 'ALGORITHM' | 'EXPIRED' | 'SIGNATURE' | 'SOLUTION', cause?: unknown): ReportError {
  const why = { MALFORMED: 'is not an ALTCHA payload', ALGORITHM: 'uses another algorithm', EXPIRED: 'has expired: solve a new one', SIGNATURE: 'was not issued by this node', SOLUTION: 'is not solved' }[reason];
  return new ReportError('POW_INVALID', `the proof of work ${why}`, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}
