import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CliError } from '../files.js';

export interface JournalBatch {
  /** Position of the batch in the plan made from the input file (see `toBatches`). */
  seq: number;
  batchId: string;
  jws: string;
  /** Indicators and retractions in the batch. */
  count: number;
  /** True for a batch of retractions only: sent once every report has been. */
  retracts?: boolean;
  receipt?: { leafIndex: number; duplicate: boolean };
  refused?: { code: string; message: string };
}

/** What a journal was made from; a journal is only resumed with the same. */
export interface JournalHeader {
  /** SHA-256 (hex) of the input file's bytes. */
  input: string;
  member: string;
  batchSize: number;
  /** The --tlp of lines that do not name one. */
  tlp: string;
}

const HEADER_FIELDS = ['input', 'member', 'batchSize', 'tlp'] as const;

/**
 * The publisher's journal: every signed batch is written (and fsynced) before it is sent, and
 * every answer after. Re-running after a crash or an outage resends the same bytes, which the
 * hub answers with the original receipt, so nothing is counted twice; batches the crash left
 * unsigned are signed then, under the same plan (same file, member, batch size and TLP).
 */
export class Journal {
  private constructor(
    private readonly file: string,
    readonly batches: Map<string, JournalBatch>,
  ) {}

  static open(file: string, header: JournalHeader): Journal {
    if (!existsSync(file)) {
      writeDurably(file, `${JSON.stringify({ v: 2, ...header })}\n`);
      return new Journal(file, new Map());
    }
    const [first, ...rest] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const stored = parseLine(first ?? '{}') ?? {};
    const differs = HEADER_FIELDS.filter((field) => stored[field] !== header[field]);
    if (stored['v'] !== 2 || differs.length > 0) {
      throw new CliError('INVALID_ARGUMENT', `the journal ${file} was made for another ${differs.length > 0 ? differs.join(', ') : 'version'}: run with the same file and flags to resume it, or remove it (or pass --journal) to start anew`);
    }
    const batches = new Map<string, JournalBatch>();
    let torn = false;
    rest.forEach((line, i) => {
      const record = parseLine(line) as (Partial<JournalBatch> & { batchId: string }) | undefined;
      if (record !== undefined && typeof record.batchId === 'string') {
        batches.set(record.batchId, { ...batches.get(record.batchId), ...record } as JournalBatch);
        return;
      }
      // Only the last line can be torn (a crash in the middle of an append): that record never
      // happened. A bad line anywhere else means the journal was edited or damaged.
      if (i < rest.length - 1) throw new CliError('INVALID_ARGUMENT', `the journal ${file} is damaged at line ${i + 2}: remove it to start anew`);
      torn = true;
    });
    // Drop the torn line before anything is appended after it.
    if (torn) replaceDurably(file, `${[first, ...rest.slice(0, -1)].join('\n')}\n`);
    return new Journal(file, batches);
  }

  /** Sequence numbers of the batches already signed. */
  signed(): Set<number> {
    return new Set([...this.batches.values()].map((b) => b.seq));
  }

  record(entry: Partial<JournalBatch> & { batchId: string }): void {
    this.batches.set(entry.batchId, { ...this.batches.get(entry.batchId), ...entry } as JournalBatch);
    appendDurably(this.file, `${JSON.stringify(entry)}\n`);
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function writeDurably(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  sync(file);
}

/** Write-then-rename, so that a crash leaves either the old journal or the new one. */
function replaceDurably(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  writeDurably(temporary, text);
  renameSync(temporary, file);
}

function appendDurably(file: string, text: string): void {
  appendFileSync(file, text);
  sync(file);
}

function sync(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
