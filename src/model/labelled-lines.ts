/**
 * JSONL input of the model commands: `{"text": "…", "label": true|false}` per line for training,
 * evaluation and terms, `{"text": "…"}` (other fields ignored) for scoring. Blank lines are
 * skipped; every other bad line is refused with its 1-based line number, nothing is half-read.
 */
import { controlCharacterReason, unsafeTextReason } from '../kernel/index.js';
import { ModelError } from './errors.js';
import type { LabelledListing } from './cross-validation.js';

export const MAX_LISTING_TEXT = 100_000;

function parseLine(line: string, at: number, code: 'INVALID_LABELLED_LINE' | 'INVALID_TEXT_LINE'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ModelError(code, `line ${at}: not JSON`, { details: { line: at } });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModelError(code, `line ${at}: not a JSON object`, { details: { line: at } });
  return value as Record<string, unknown>;
}

function textOf(o: Record<string, unknown>, at: number, code: 'INVALID_LABELLED_LINE' | 'INVALID_TEXT_LINE'): string {
  const text = o['text'];
  if (typeof text !== 'string' || text.length === 0) throw new ModelError(code, `line ${at}: text must be a non-empty string`, { details: { line: at, field: 'text' } });
  if (text.length > MAX_LISTING_TEXT) throw new ModelError(code, `line ${at}: text is longer than ${MAX_LISTING_TEXT} characters`, { details: { line: at, field: 'text' } });
  // Tabs and line breaks (CRLF too) are ordinary in a post; other control characters (terminal escapes, bidi controls) and text no part of the system can carry are refused.
  const reason = unsafeTextReason(text) ?? controlCharacterReason(text.replace(/\r\n/g, '\n'), 'multiline');
  if (reason !== undefined) throw new ModelError(code, `line ${at}: text ${reason}`, { details: { line: at, field: 'text' } });
  return text;
}

/** Non-blank lines with their 1-based numbers. */
function numberedLines(content: string): Array<[number, string]> {
  return content.split('\n').flatMap((line, i): Array<[number, string]> => (line.trim() === '' ? [] : [[i + 1, line]]));
}

export function parseLabelledLines(content: string): LabelledListing[] {
  return numberedLines(content).map(([at, line]) => {
    const o = parseLine(line, at, 'INVALID_LABELLED_LINE');
    const text = textOf(o, at, 'INVALID_LABELLED_LINE');
    const label = o['label'];
    if (typeof label !== 'boolean') throw new ModelError('INVALID_LABELLED_LINE', `line ${at}: label must be true or false`, { details: { line: at, field: 'label' } });
    return { text, label };
  });
}

export function parseTextLines(content: string): string[] {
  return numberedLines(content).map(([at, line]) => textOf(parseLine(line, at, 'INVALID_TEXT_LINE'), at, 'INVALID_TEXT_LINE'));
}
