/**
 * Text that no part of the system can carry: a NUL character (Postgres text refuses it, C
 * libraries truncate at it) or a lone UTF-16 surrogate (not a Unicode scalar value: it has no
 * UTF-8 encoding, RFC 8785 refuses it, and Postgres would store U+FFFD instead). Every edge
 * that takes text from outside refuses both with its own 4xx code, using these checks.
 */

const NUL = '\u0000';
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type UnsafeTextReason = 'contains a NUL character' | 'contains a lone UTF-16 surrogate (not Unicode text)';

/** Why `text` cannot be carried, or undefined when it can. */
export function unsafeTextReason(text: string): UnsafeTextReason | undefined {
  if (text.includes(NUL)) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not Unicode text)';
  return undefined;
}

/** The first string (or object key) in a JSON-like value that cannot be carried, with its dotted path. */
export function findUnsafeText(value: unknown, path = ''): { path: string; reason: UnsafeTextReason } | undefined {
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    return reason === undefined ? undefined : { path: path || '(value)', reason };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      const keyReason = unsafeTextReason(key);
      // The path of a bad key would carry the bad key itself: name its parent instead.
      if (keyReason !== undefined) return { path: path || '(value)', reason: keyReason };
      const found = findUnsafeText(item, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
