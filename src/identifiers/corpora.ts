/**
 * How the detector fares on the evasion and benign corpora (test/fixtures/identifiers): the rule
 * for "caught" and "altered" in one place, for the test that holds the targets and the benchmark
 * that reports them.
 */
import { canonicalize } from './canonical.js';
import { findIdentifiers, replaceIdentifiers, type FindOptions } from './find.js';
import { scrubText } from './scrub.js';

export interface EvasionForm {
  readonly kind: string;
  readonly secret: string;
  readonly text: string;
}

/** `kind<TAB>secret<TAB>text` lines; `#` comments and blank lines skipped. */
export function parseEvasionCorpus(tsv: string): EvasionForm[] {
  return tsv
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [kind, secret, text] = line.split('\t');
      if (kind === undefined || secret === undefined || text === undefined) throw new Error(`not kind<TAB>secret<TAB>text: ${line}`);
      return { kind, secret, text };
    });
}

export function parseBenignCorpus(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** What survives of a scrubbed text, compared with a secret: digits only for numbers, else letters, digits and `_`. */
function survivors(scrubbed: string, numeric: boolean): string {
  const canonical = canonicalize(scrubbed).text;
  return numeric ? canonical.replace(/[^0-9]/g, '') : canonical.replace(/[^a-z0-9_]/g, '');
}

/**
 * Caught: something is found, and nothing of the secret survives the scrub — for a number no six
 * consecutive digits of it, for a name the name itself.
 */
export function isCaught(form: EvasionForm, options: FindOptions): boolean {
  const found = findIdentifiers(form.text, options);
  if (found.length === 0) return false;
  const numeric = /^[0-9]+$/.test(form.secret);
  const left = survivors(replaceIdentifiers(form.text, found, (f) => `[${f.kind}]`), numeric);
  if (!numeric) return !left.includes(form.secret);
  for (let i = 0; i + 6 <= form.secret.length; i++) if (left.includes(form.secret.slice(i, i + 6))) return false;
  return true;
}

/** Altered: the node's scrub changes a benign listing. */
export function isAltered(listing: string, options: FindOptions): boolean {
  return scrubText(listing, (kind) => `[${kind}]`, options).text !== listing;
}
