import type { DataSource } from 'typeorm';
import { findIndicator, OPINION_VERDICTS, type OpinionStatus, type OpinionVerdict, type Visibility } from '../indicators/index.js';
import { controlCharacterReason, sha256Base64url, WildintelError, type Clock } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import type { TransparencyLog } from '../tlog/index.js';

export type FeedbackErrorCode = 'INVALID_OPINION' | 'NOT_FOUND';
export class FeedbackError extends WildintelError<FeedbackErrorCode> {}

export const MAX_NOTE_LENGTH = 2000;

/** Who gives an opinion: an agency (with the analyst from its token) or a member node. */
export type OpinionAuthor = { kind: 'agency'; agency: string; analyst: string } | { kind: 'member'; member: string };

export interface OpinionInput {
  indicatorId: string;
  verdict: OpinionVerdict;
  note?: string | null | undefined;
}

export interface RecordedOpinion {
  id: number;
  indicatorId: string;
  by: string;
  verdict: OpinionVerdict;
  note: string | null;
  createdAt: Date;
  /** The JCS record whose SHA-256 the log entry commits to. */
  record: string;
  recordSha256: string;
  leafIndex: number;
  /** The indicator's aggregate status after this opinion. */
  status: OpinionStatus;
}

export type OpinionView = Omit<RecordedOpinion, 'status'>;

export interface OpinionServiceDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
}

const byOf = (author: OpinionAuthor): string => (author.kind === 'agency' ? `agency:${author.agency}` : `member:${author.member}`);

function validate(input: OpinionInput): string | null {
  if (!(OPINION_VERDICTS as readonly string[]).includes(input.verdict)) throw new FeedbackError('INVALID_OPINION', `opinion must be one of ${OPINION_VERDICTS.join(', ')}`);
  const note = input.note?.trim() ?? '';
  if (note.length > MAX_NOTE_LENGTH) throw new FeedbackError('INVALID_OPINION', `the note may have at most ${MAX_NOTE_LENGTH} characters`);
  const control = controlCharacterReason(note, 'multiline');
  if (control !== undefined) throw new FeedbackError('INVALID_OPINION', `the note ${control}`, { details: { field: 'note' } });
  return note === '' ? null : note;
}

/**
 * Opinions on indicators (design "Opinions"). Each is stored with its canonical record and
 * logged as an `opinion` entry in the same transaction; each party's latest verdict counts.
 * A party may only judge an indicator it can see (`visibility`), so an opinion cannot be used
 * to probe for indicators above the caller's TLP.
 */
export function createOpinionService(deps: OpinionServiceDeps) {
  return {
    async record(author: OpinionAuthor, input: OpinionInput, visibility: Visibility): Promise<RecordedOpinion> {
      const note = validate(input);
      if ((await findIndicator(deps.db, input.indicatorId, visibility)) === null) {
        throw new FeedbackError('NOT_FOUND', 'no such indicator, or not visible to you', { details: { indicatorId: input.indicatorId } });
      }
      const by = byOf(author);
      const createdAt = deps.clock.now();
      const record = canonicalJson({
        v: 1,
        indicatorId: input.indicatorId,
        by,
        ...(author.kind === 'agency' ? { analyst: author.analyst } : {}),
        verdict: input.verdict,
        ...(note === null ? {} : { note }),
        ts: createdAt.getTime(),
      });
      const recordSha256 = sha256Base64url(record);
      return deps.db.transaction(async (tx) => {
        const { firstIndex } = await deps.log.append(tx, [{ kind: 'opinion', by, recordSha256 }]);
        const rows: Array<{ id: string | number }> = await tx.query(
          `INSERT INTO opinions (indicator_id, by_party, analyst, verdict, note, created_at, record, record_sha256, leaf_index)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [input.indicatorId, by, author.kind === 'agency' ? author.analyst : null, input.verdict, note, createdAt, record, recordSha256, firstIndex],
        );
        const id = Number(rows[0]!.id);
        await tx.query(
          `INSERT INTO opinion_latest (indicator_id, by_party, verdict, opinion_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (indicator_id, by_party) DO UPDATE SET verdict = EXCLUDED.verdict, opinion_id = EXCLUDED.opinion_id`,
          [input.indicatorId, by, input.verdict, id],
        );
        const status: Array<{ status: OpinionStatus }> = await tx.query(
          `SELECT CASE WHEN bool_or(verdict = 'CONFIRMED') AND bool_or(verdict = 'FALSE_POSITIVE') THEN 'DISPUTED'
                       WHEN bool_or(verdict = 'CONFIRMED') THEN 'CONFIRMED' ELSE 'FALSE_POSITIVE' END AS status
           FROM opinion_latest WHERE indicator_id = $1`,
          [input.indicatorId],
        );
        return { id, indicatorId: input.indicatorId, by, verdict: input.verdict, note, createdAt, record, recordSha256, leafIndex: firstIndex, status: status[0]!.status };
      });
    },

    /**
     * Every opinion on an indicator a reader may see, oldest first (the history behind its status).
     * A member's opinion follows its sightings' visibility: shown when the reader sees one of the
     * member's sightings of the indicator (`visibleMembers`), or when the member has none (then it
     * reveals no sighting); a member whose only sightings are above the reader's TLP or outside its
     * commodities is not named, nor its note. Agencies have no sightings: their opinions are shown.
     */
    async list(indicatorId: string, visibleMembers: readonly string[]): Promise<OpinionView[]> {
      const rows: Array<Record<string, unknown>> = await deps.db.query(
        `SELECT o.id, o.indicator_id AS "indicatorId", o.by_party AS by, o.verdict, o.note, o.created_at AS "createdAt", o.record, o.record_sha256 AS "recordSha256", o.leaf_index AS "leafIndex"
         FROM opinions o
         WHERE o.indicator_id = $1
           AND (o.by_party NOT LIKE 'member:%' OR substr(o.by_party, 8) = ANY($2::text[])
                OR NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = $1 AND s.member = substr(o.by_party, 8)))
         ORDER BY o.id LIMIT 500`,
        [indicatorId, [...visibleMembers]],
      );
      return rows.map((r) => ({ ...(r as unknown as RecordedOpinion), id: Number(r['id']), leafIndex: Number(r['leafIndex']) }));
    },
  };
}

export type OpinionService = ReturnType<typeof createOpinionService>;
