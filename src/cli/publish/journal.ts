import { appendFileSync, existsSync, readFileSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { CliError } from '../files.js';

export interface JournalBatch {
  batchId: string;
  jws: string;
  count: number;
  receipt?: { leafIndex: number; duplicate: boolean };
  refused?: { code: string; message: string };
}

/**
 * The publisher's journal: every signed batch is written (and fsynced) before it is sent, and
 * every answer after. Re-running after a crash or an outage resends the same bytes, which the
 * hub answers with the original receipt, so nothing is counted twice.
 */
export class Journal {
  private constructor(
    private readonly file: string,
    readonly batches: Map<string, JournalBatch>,
  ) {}

  static open(file: string, header: { input: string; member: string }): Journal {
    if (!existsSync(file)) {
      writeDurably(file, `${JSON.stringify({ v: 1, ...header })}\n`);
      return new Journal(file, new Map());
    }
    const [first, ...rest] = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const stored = JSON.parse(first ?? '{}') as { input?: string; member?: string };
    if (stored.input !== header.input || stored.member !== header.member) {
      throw new CliError('INVALID_ARGUMENT', `the journal ${file} was made for another input file or member: remove it, or pass --journal`);
    }
    const batches = new Map<string, JournalBatch>();
    for (const line of rest) {
      const record = JSON.parse(line) as Partial<JournalBatch> & { batchId: string };
      batches.set(record.batchId, { ...batches.get(record.batchId), ...record } as JournalBatch);
    }
    return new Journal(file, batches);
  }

  record(entry: Partial<JournalBatch> & { batchId: string }): void {
    this.batches.set(entry.batchId, { ...this.batches.get(entry.batchId), ...entry } as JournalBatch);
    appendDurably(this.file, `${JSON.stringify(entry)}\n`);
  }
}

function writeDurably(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  sync(file);
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
