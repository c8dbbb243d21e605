/**
 * The overdue rule, in one place: a referral is overdue once `ackWithinMs` has passed since the
 * hub filed it and no agency step (acknowledge, accept, decline) has been taken. "Within" excludes
 * the boundary: at exactly filedAt + ackWithinMs it is overdue. The database counts with the same
 * cutoff (filed_at <= overdueCutoff(now)).
 */
export interface OverdueFacts {
  readonly filedAt: Date;
  readonly acknowledgedAt: Date | null;
}

/** Referrals filed at or before this instant and still unacknowledged are overdue at `now`. */
export function overdueCutoff(now: Date, ackWithinMs: number): Date {
  return new Date(now.getTime() - ackWithinMs);
}

export function isOverdue(referral: OverdueFacts, now: Date, ackWithinMs: number): boolean {
  return referral.acknowledgedAt === null && referral.filedAt.getTime() <= overdueCutoff(now, ackWithinMs).getTime();
}
