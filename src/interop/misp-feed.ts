/**
 * The MISP feed read from the store, streamed: rows come in keyset-paged queries of PAGE rows
 * (never all at once), and events are written attribute by attribute, so memory stays bounded
 * however many indicators a feed holds. Every query applies the reader's visibility (feed-sql.ts).
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { INDICATOR_COLUMNS, rows, SIGHTING_COLUMNS, SqlParams, toFeedIndicator, toFeedSighting, visibleSql } from './feed-sql.js';
import { dayOf, mispAttribute, mispEventFields, mispEventUuid, mispHashLine, type MispEventKey, type MispEventSummary, type MispRow } from './misp.js';
import type { Tlp } from '../indicators/index.js';

const PAGE = 2000;
const DAY_MS = 86_400_000;

/** Where a write goes; resolves when the sink can take more (backpressure). */
export type Sink = (chunk: string) => Promise<void>;

const FROM = `FROM batches b JOIN tlog_entries e ON e.idx = b.leaf_index
  JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
  JOIN indicators i ON i.id = s.indicator_id
  LEFT JOIN batches rb ON rb.member = s.member AND rb.batch_id = s.retracted_by
  LEFT JOIN tlog_entries re ON re.idx = rb.leaf_index`;
const MS = (col: string): string => `floor(extract(epoch FROM ${col}) * 1000)::float8`;

/** The log's size now: feeds read up to it, a consistent cut of a log that keeps growing. */
export async function logSize(db: Queryable): Promise<number> {
  const [r] = await rows(db, `SELECT size::float8 AS size FROM tlog_state WHERE id = 1`, []);
  return Number(r?.['size'] ?? 0);
}

/** A row as of the cut `upTo`: a retraction logged at or after it has not happened yet. */
function toMispRow(r: Record<string, unknown>, upTo: number): MispRow {
  const sighting = toFeedSighting(r);
  const retractedInCut = sighting.retractionLeaf !== null && sighting.retractionLeaf < upTo;
  return {
    indicator: toFeedIndicator(r),
    sighting: retractedInCut ? sighting : { ...sighting, retractedAt: null, retractionLeaf: null },
    loggedAtMs: Number(r['loggedAtMs']),
    retractionLoggedAtMs: retractedInCut ? Number(r['retractionLoggedAtMs']) : null,
  };
}

/** The events the reader may see in the log up to `upTo` (exclusive), with their latest change and size. */
export async function listMispEvents(db: Queryable, vis: Visibility, upTo: number, only?: MispEventKey): Promise<MispEventSummary[]> {
  const p = new SqlParams([upTo]);
  const where = [`b.leaf_index < $1`, visibleSql(vis, p, 's', 'i')];
  if (only !== undefined) where.push(...eventWhere(only, p));
  const found = await rows(
    db,
    `SELECT b.member, m.name, b.tlp, floor(extract(epoch FROM e.created_at) * 1000 / ${DAY_MS})::float8 AS day,
            max(floor(extract(epoch FROM CASE WHEN rb.leaf_index < $1 THEN re.created_at ELSE e.created_at END)))::float8 AS ts,
            count(DISTINCT s.indicator_id)::float8 AS n,
            count(DISTINCT s.indicator_id) FILTER (WHERE s.retracted_at IS NULL OR rb.leaf_index >= $1)::float8 AS live
     ${FROM} JOIN members m ON m.slug = b.member WHERE ${where.join(' AND ')}
     GROUP BY b.member, m.name, b.tlp, day ORDER BY day, b.member, b.tlp`,
    p,
  );
  return found.map((r) => ({
    member: String(r['member']),
    memberName: String(r['name']),
    tlp: r['tlp'] as Tlp,
    day: dayOf(Number(r['day']) * DAY_MS),
    timestamp: Number(r['ts']),
    attributes: Number(r['n']),
    liveAttributes: Number(r['live']),
  }));
}

function eventWhere(key: MispEventKey, p: SqlParams): string[] {
  const start = Date.parse(`${key.day}T00:00:00Z`);
  return [`b.member = ${p.add(key.member)}`, `b.tlp = ${p.add(key.tlp)}`, `e.created_at >= ${p.add(new Date(start))}`, `e.created_at < ${p.add(new Date(start + DAY_MS))}`];
}

/** The event (member, day, TLP) whose uuid this is, among those with a batch in the log; undefined if none. */
export async function findMispEventKey(db: Queryable, vis: Visibility, uuid: string): Promise<MispEventKey | undefined> {
  const found = await rows(
    db,
    `SELECT DISTINCT b.member, b.tlp, floor(extract(epoch FROM e.created_at) * 1000 / ${DAY_MS})::float8 AS day
     FROM batches b JOIN tlog_entries e ON e.idx = b.leaf_index WHERE b.tlp = ANY($1::text[])`,
    [[...vis.tlps]],
  );
  return found
    .map((r) => ({ member: String(r['member']), tlp: r['tlp'] as Tlp, day: dayOf(Number(r['day']) * DAY_MS) }))
    .find((key) => mispEventUuid(key) === uuid);
}

/**
 * The rows of one event the reader may see, up to `upTo`, grouped by indicator (an attribute
 * each), in log order within a group. Keyset pages on (indicator, batch log index, sighting id),
 * inside the log-index range of the event's day, never all at once.
 */
export async function* mispAttributeRows(db: Queryable, vis: Visibility, upTo: number, event: MispEventKey): AsyncGenerator<MispRow[]> {
  const range = await leavesOfDay(db, event.day);
  if (range === undefined) return;
  const end = Math.min(upTo, range.last + 1);
  let after: [string, number, number] = ['', -1, -1];
  let group: MispRow[] = [];
  for (;;) {
    const p = new SqlParams([end, range.first, ...after]);
    const where = [`b.leaf_index < $1`, `b.leaf_index >= $2`, `(s.indicator_id, b.leaf_index, s.id) > ($3::text, $4::bigint, $5::bigint)`, visibleSql(vis, p, 's', 'i'), ...eventWhere(event, p)];
    const page = await rows(
      db,
      `SELECT ${SIGHTING_COLUMNS}, ${INDICATOR_COLUMNS}, ${MS('e.created_at')} AS "loggedAtMs", ${MS('re.created_at')} AS "retractionLoggedAtMs"
       ${FROM} WHERE ${where.join(' AND ')} ORDER BY s.indicator_id, b.leaf_index, s.id LIMIT ${p.add(PAGE)}`,
      p,
    );
    for (const r of page) {
      const row = toMispRow(r, upTo);
      if (group.length > 0 && group[0]!.indicator.id !== row.indicator.id) {
        yield group;
        group = [];
      }
      group.push(row);
    }
    if (page.length < PAGE) break;
    const last = page.at(-1)!;
    after = [String(last['indicatorId']), Number(last['leafIndex']), Number(last['sightingId'])];
  }
  if (group.length > 0) yield group;
}

/** The first and last log index stamped on a UTC day (through the entries' time index). */
async function leavesOfDay(db: Queryable, day: string): Promise<{ first: number; last: number } | undefined> {
  const start = Date.parse(`${day}T00:00:00Z`);
  const [r] = await rows(db, `SELECT min(idx)::float8 AS first, max(idx)::float8 AS last FROM tlog_entries WHERE created_at >= $1 AND created_at < $2`, [new Date(start), new Date(start + DAY_MS)]);
  return r === undefined || r['first'] === null ? undefined : { first: Number(r['first']), last: Number(r['last']) };
}

/**
 * Writes one event as `{"Event":{"Attribute":[…],…}}`, its attributes streamed from the store, one
 * per indicator. Calls `onAttribute` with the sightings of each attribute written (hashes,
 * progress). Returns the attributes written.
 */
export async function writeMispEvent(db: Queryable, vis: Visibility, upTo: number, event: MispEventSummary, sink: Sink, onAttribute?: (rows: MispRow[]) => Promise<void> | void): Promise<number> {
  const out = buffered(sink);
  await out.write('{"Event":{"Attribute":[');
  let n = 0;
  for await (const group of mispAttributeRows(db, vis, upTo, event)) {
    await out.write(`${n === 0 ? '' : ','}${JSON.stringify(mispAttribute(group))}`);
    n++;
    await onAttribute?.(group);
  }
  await out.write(`],${JSON.stringify(mispEventFields(event)).slice(1)}}`);
  await out.flush();
  return n;
}

/** Writes hashes.csv: one line per live attribute the reader may see, event by event. Returns the lines written. */
export async function writeMispHashes(db: Queryable, vis: Visibility, upTo: number, sink: Sink): Promise<number> {
  const out = buffered(sink);
  let n = 0;
  for (const event of await listMispEvents(db, vis, upTo)) {
    const uuid = mispEventUuid(event);
    for await (const group of mispAttributeRows(db, vis, upTo, event)) {
      const line = mispHashLine(group, uuid);
      if (line === undefined) continue;
      await out.write(line);
      n++;
    }
  }
  await out.flush();
  return n;
}

const CHUNK = 64 * 1024;

/** Gathers small writes into chunks of about 64 KiB: one write (and one backpressure check) per chunk. */
export function buffered(sink: Sink): { write(text: string): Promise<void> | void; flush(): Promise<void> } {
  let parts: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const chunk = parts.join('');
    parts = [];
    size = 0;
    await sink(chunk);
  };
  return {
    write(text) {
      parts.push(text);
      size += text.length;
      return size >= CHUNK ? flush() : undefined;
    },
    flush,
  };
}
