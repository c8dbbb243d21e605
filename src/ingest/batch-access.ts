import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { isWildintelError, type Logger } from '../kernel/index.js';
import { tlpAllows, type Tlp } from '../indicators/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { parseLogIndex } from '../tlog/index.js';

/** Who is asking for the content behind the log's hashes. */
export type Reader =
  | { kind: 'member'; member: string }
  | { kind: 'agency'; agency: string; maxTlp: Tlp; provenance: boolean };

/**
 * design.md "Content behind the hashes": a member sees its own batches and other members'
 * CLEAR, GREEN and AMBER ones; AMBER_STRICT and RED go to agencies only; an agency sees what
 * its token's TLP covers, an auditor (provenance:read) everything.
 */
export function mayRead(reader: Reader, batch: { member: string; tlp: Tlp }): boolean {
  if (reader.kind === 'member') return reader.member === batch.member || tlpAllows('AMBER', batch.tlp);
  return reader.provenance || tlpAllows(reader.maxTlp, batch.tlp);
}

export const MAX_FEED_ENTRIES = 500;

export interface FeedItem {
  index: number;
  /** base64 of the entry bytes, as at /log/entries. */
  entry: string;
  /** For batch entries the caller may read: the compact JWS as received. */
  jws?: string;
  /** For opinion entries on an indicator the caller may see: the RFC 8785 record the entry hashes. */
  opinion?: string;
}

export function createBatchAccessRoutes(deps: { db: DataSource; log: TransparencyLog; logger: Logger; authenticate: (req: Request) => Promise<Reader> }): Router {
  const router = Router();

  router.get('/batches/:member/:batchId', async (req, res) => {
    try {
      const reader = await deps.authenticate(req);
      const rows: Array<{ jws: string; tlp: Tlp }> = await deps.db.query(`SELECT jws, tlp FROM batches WHERE member = $1 AND batch_id::text = $2`, [req.params['member'], req.params['batchId']]);
      const batch = rows[0];
      // Not entitled and not found look the same, so the endpoint cannot be used to probe ids.
      if (batch === undefined || !mayRead(reader, { member: String(req.params['member']), tlp: batch.tlp })) {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such batch, or not visible to you' } });
        return;
      }
      res.type('application/jose').send(batch.jws);
    } catch (err) {
      fail(res, err, deps.logger);
    }
  });

  /** The member feed: log entries after `after` (exclusive; omit for the start), with the content each commits to as far as the caller may read it. */
  router.get('/feed', async (req, res) => {
    try {
      const reader = await deps.authenticate(req);
      const after = typeof req.query['after'] === 'string' ? parseLogIndex(req.query['after'], 'after') : -1;
      const start = after + 1;
      const size = await deps.log.size(deps.db);
      const end = Math.min(size, start + MAX_FEED_ENTRIES);
      const items = end > start ? await feedItems(deps, reader, start, end) : [];
      const { note } = await deps.log.latestCheckpoint(deps.db);
      res.json({ items, next: end - 1, size, checkpoint: note });
    } catch (err) {
      fail(res, err, deps.logger);
    }
  });
  return router;
}

async function feedItems(deps: { db: DataSource; log: TransparencyLog }, reader: Reader, start: number, end: number): Promise<FeedItem[]> {
  const entries = await deps.log.entries(deps.db, start, end);
  const batches: Array<{ leaf_index: string | number; member: string; tlp: Tlp; jws: string }> = await deps.db.query(
    `SELECT leaf_index, member, tlp, jws FROM batches WHERE leaf_index >= $1 AND leaf_index < $2`,
    [start, end],
  );
  const byIndex = new Map(batches.map((b) => [Number(b.leaf_index), b]));
  const opinions = await visibleOpinions(deps.db, reader, start, end);
  return entries.map((bytes, i) => {
    const index = start + i;
    const batch = byIndex.get(index);
    const item: FeedItem = { index, entry: Buffer.from(bytes).toString('base64') };
    if (batch !== undefined && mayRead(reader, batch)) item.jws = batch.jws;
    const opinion = opinions.get(index);
    if (opinion !== undefined) item.opinion = opinion;
    return item;
  });
}

/**
 * Opinion records in [start, end) on indicators the caller may see: an indicator counts as visible
 * when one of its sightings is in a batch the caller may read, so an opinion never discloses an
 * indicator that only higher TLPs carry.
 */
async function visibleOpinions(db: DataSource, reader: Reader, start: number, end: number): Promise<Map<number, string>> {
  const rows: Array<{ leaf_index: string | number; record: string; indicator_id: string }> = await db.query(
    `SELECT leaf_index, record, indicator_id FROM opinions WHERE leaf_index >= $1 AND leaf_index < $2`,
    [start, end],
  );
  if (rows.length === 0) return new Map();
  const sightings: Array<{ indicator_id: string; member: string; tlp: Tlp }> = await db.query(
    `SELECT DISTINCT indicator_id, member, tlp FROM sightings WHERE indicator_id = ANY($1::text[])`,
    [rows.map((r) => r.indicator_id)],
  );
  const visible = new Set(sightings.filter((s) => mayRead(reader, s)).map((s) => s.indicator_id));
  return new Map(rows.filter((r) => visible.has(r.indicator_id)).map((r) => [Number(r.leaf_index), r.record]));
}

function fail(res: Response, err: unknown, logger: Logger): void {
  if (isWildintelError(err)) {
    const status = err.code === 'UNAUTHENTICATED' || ['UNTRUSTED_CHAIN', 'CERT_EXPIRED', 'CERT_REVOKED', 'BAD_CERTIFICATE'].includes(err.code) ? 401 : err.code === 'INVALID_INDEX' ? 400 : 403;
    res.status(status).json({ error: err.toJSON() });
    return;
  }
  logger.error({ err }, 'batch access failed');
  res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
}
