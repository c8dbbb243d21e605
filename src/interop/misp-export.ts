/**
 * `wildintel export misp --out DIR`: the reader's MISP feed written to a directory a MISP
 * instance can add as a local feed (or a web server can serve). Each file is written under a
 * temporary name and renamed when complete, manifest.json last, so a MISP pull that runs during an
 * export reads the previous feed or the new one, never half of one. Memory stays bounded: rows are
 * streamed from keyset-paged queries straight into the files.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable, Visibility } from '../indicators/index.js';
import { buffered, listMispEvents, logSize, writeMispEvent } from './misp-feed.js';
import { mispEventUuid, mispHashLine, mispManifestEntry, type MispEventSummary } from './misp.js';
import { streamSink } from './stream-sink.js';

export interface MispExportResult {
  readonly events: number;
  readonly attributes: number;
  readonly hashes: number;
  readonly removed: number;
}

export interface MispExportOptions {
  /** Called once the feed's size is known, before anything is written (the access audit record). */
  readonly onStart?: (plan: { events: number; attributes: number }) => Promise<void>;
  readonly onProgress?: (attributesWritten: number, attributesTotal: number) => void;
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function writeEventFile(db: Queryable, vis: Visibility, upTo: number, dir: string, event: MispEventSummary, onRow: Parameters<typeof writeMispEvent>[5]): Promise<void> {
  const file = path.join(dir, `${mispEventUuid(event)}.json`);
  const out = createWriteStream(`${file}.tmp`, { mode: 0o644 });
  try {
    await writeMispEvent(db, vis, upTo, event, streamSink(out), onRow);
    await close(out);
  } catch (err) {
    out.destroy();
    await rm(`${file}.tmp`, { force: true });
    throw err;
  }
  await rename(`${file}.tmp`, file);
}

/** Event files of an earlier export that this one no longer has (another token, a narrower view). */
async function removeStale(dir: string, keep: ReadonlySet<string>): Promise<number> {
  const stale = (await readdir(dir)).filter((f) => /^[0-9a-f-]{36}\.json$/.test(f) && !keep.has(f));
  await Promise.all(stale.map((f) => rm(path.join(dir, f), { force: true })));
  return stale.length;
}

export async function exportMispFeed(db: Queryable, vis: Visibility, dir: string, options: MispExportOptions = {}): Promise<MispExportResult> {
  const upTo = await logSize(db);
  const events = await listMispEvents(db, vis, upTo);
  const total = events.reduce((n, e) => n + e.attributes, 0);
  await options.onStart?.({ events: events.length, attributes: total });
  await mkdir(dir, { recursive: true });
  const hashesFile = path.join(dir, 'hashes.csv');
  const hashesOut = createWriteStream(`${hashesFile}.tmp`, { mode: 0o644 });
  const hashes = buffered(streamSink(hashesOut));
  let written = 0;
  let hashLines = 0;
  try {
    for (const event of events) {
      const uuid = mispEventUuid(event);
      await writeEventFile(db, vis, upTo, dir, event, async (group) => {
        const line = mispHashLine(group, uuid);
        if (line !== undefined) {
          await hashes.write(line);
          hashLines++;
        }
        written++;
        options.onProgress?.(written, total);
      });
    }
    await hashes.flush();
    await close(hashesOut);
  } catch (err) {
    hashesOut.destroy();
    await rm(`${hashesFile}.tmp`, { force: true });
    throw err;
  }
  await rename(`${hashesFile}.tmp`, hashesFile);
  const manifest = path.join(dir, 'manifest.json');
  await writeFile(`${manifest}.tmp`, JSON.stringify(Object.assign({}, ...events.map(mispManifestEntry))), { mode: 0o644 });
  await rename(`${manifest}.tmp`, manifest);
  const removed = await removeStale(dir, new Set(events.map((e) => `${mispEventUuid(e)}.json`)));
  return { events: events.length, attributes: written, hashes: hashLines, removed };
}
