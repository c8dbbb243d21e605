/**
 * The revocation rule, decided once. A certificate vouches for what the hub recorded before it
 * recorded the certificate's revocation, and for nothing recorded after, whatever `createdAt` or
 * `iat` the signer claims: a signer that holds a compromised key can write any time it likes into
 * what it signs, but not where the hub's log put it. Batches logged before the revocation stay
 * valid. The hub applies this at receipt (ingest takes the certificate's row lock, so a batch and a
 * revocation are logged in one order or the other); an auditor and every node's feed follower
 * apply it to the log, where a batch after its certificate's revocation entry is the hub's fault.
 *
 * The reason (superseded, keyCompromise, …) does not change the rule: see docs/auditor.md.
 */

/** Where the log recorded a certificate's revocation. */
export interface RecordedRevocation {
  readonly index: number;
  readonly reason: string;
}

/** Whether a certificate, revoked as `revocation` says (or not at all), vouches for what the log records at `index`. */
export function vouchesFor(revocation: RecordedRevocation | undefined, index: number): boolean {
  return revocation === undefined || index < revocation.index;
}

/** A member is revoked when it has certificates and every one of them is. */
export function memberStatus(status: string, certificates: ReadonlyArray<{ revokedAt: Date | null }>): string {
  if (status !== 'active') return status;
  return certificates.length > 0 && certificates.every((c) => c.revokedAt !== null) ? 'revoked' : status;
}
