/**
 * A node:test reporter that ends `npm test` with what was skipped and why (no Chromium, no
 * ../shared vectors, the other database pass…), grouped by reason: the TAP and spec reporters
 * name a skip only on its own line, lost among thousands.
 */
import path from 'node:path';

export interface Skip {
  readonly file: string | undefined;
  readonly name: string;
  readonly reason: string;
}

/** The summary lines (TAP comments) for the skips seen, file paths relative to `root`. */
export function skipSummary(skips: readonly Skip[], root: string): string {
  if (skips.length === 0) return '# skipped: nothing\n';
  const byReason = new Map<string, Map<string, string[]>>();
  for (const s of skips) {
    const files = byReason.get(s.reason) ?? new Map<string, string[]>();
    const file = s.file === undefined ? '(unknown file)' : path.relative(root, s.file);
    files.set(file, [...(files.get(file) ?? []), s.name]);
    byReason.set(s.reason, files);
  }
  const lines = [`# skipped ${skips.length}, by reason:`];
  for (const [reason, files] of [...byReason].sort(([a], [b]) => a.localeCompare(b))) {
    const count = [...files.values()].reduce((n, names) => n + names.length, 0);
    lines.push(`#   ${count} × ${oneLine(reason)}`);
    for (const [file, names] of [...files].sort(([a], [b]) => a.localeCompare(b))) lines.push(`#     ${file}: ${names.map(oneLine).join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A reason or name on one comment line, whatever it holds. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

interface TestEvent {
  readonly type: string;
  readonly data?: { readonly name?: string; readonly file?: string; readonly skip?: string | boolean };
}

/** The source files of bundled tests are named by their bundle's path below the run's folder. */
function sourceOf(file: string | undefined): string | undefined {
  return file?.replace(/[\\/]node_modules[\\/]\.cache[\\/]wildintel-tests[\\/]run-[^\\/]+/, '').replace(/\.mjs$/, '.ts');
}

export default async function* skipReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const skips: Skip[] = [];
  for await (const event of source) {
    const skip = event.data?.skip;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && skip !== undefined && skip !== false) {
      skips.push({ file: sourceOf(event.data?.file), name: event.data?.name ?? '?', reason: skip === true ? 'no reason given' : skip });
    }
  }
  yield skipSummary(skips, process.cwd());
}
