/**
 * Text that no part of the system can carry: a NUL character (Postgres text refuses it, C
 * libraries truncate at it) or a lone UTF-16 surrogate (not a Unicode scalar value: it has no
 * UTF-8 encoding, RFC 8785 refuses it, and Postgres would store U+FFFD instead). Every edge
 * that takes text from outside refuses both with its own 4xx code, using these checks.
 */

const NUL = '\u0000';
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * How deep a JSON value from outside may nest (arrays and objects). Every input the system takes
 * nests a few levels; the limit stops a 40 KB body of 20,000 nested arrays from being walked (or
 * recursed into, by any library after us) before it is refused.
 */
export const MAX_INPUT_DEPTH = 32;

export type UnsafeTextReason = 'contains a NUL character' | 'contains a lone UTF-16 surrogate (not Unicode text)' | `is nested deeper than ${typeof MAX_INPUT_DEPTH} levels`;

/** Why `text` cannot be carried, or undefined when it can. */
export function unsafeTextReason(text: string): UnsafeTextReason | undefined {
  if (text.includes(NUL)) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not Unicode text)';
  return undefined;
}

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
  /** Set when the value is under an object key, which is checked first (its parent's path is reported). */
  readonly key?: { readonly name: string; readonly parentPath: string };
}

const TOO_DEEP: UnsafeTextReason = `is nested deeper than ${MAX_INPUT_DEPTH} levels`;

/**
 * The first string (or object key) in a JSON-like value that cannot be carried, with its dotted
 * path, in document order; or the first array or object nested deeper than {@link MAX_INPUT_DEPTH}.
 * Iterative, so no depth of input can exhaust the stack.
 */
export function findUnsafeText(value: unknown, path = ''): { path: string; reason: UnsafeTextReason } | undefined {
  const stack: Frame[] = [{ value, path, depth: 0 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const found = checkFrame(frame, stack);
    if (found !== undefined) return found;
  }
  return undefined;
}

function checkFrame(frame: Frame, stack: Frame[]): { path: string; reason: UnsafeTextReason } | undefined {
  const { value, path, depth, key } = frame;
  // The path of a bad key would carry the bad key itself: name its parent instead.
  const keyReason = key === undefined ? undefined : unsafeTextReason(key.name);
  if (keyReason !== undefined) return { path: key!.parentPath || '(value)', reason: keyReason };
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    return reason === undefined ? undefined : { path: path || '(value)', reason };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_INPUT_DEPTH) return { path: path || '(value)', reason: TOO_DEEP };
  // Pushed last to first, so that they are checked first to last.
  const children: Frame[] = Array.isArray(value)
    ? value.map((item, i) => ({ value: item, path: `${path}[${i}]`, depth: depth + 1 }))
    : Object.entries(value).map(([name, item]) => ({ value: item, path: path === '' ? name : `${path}.${name}`, depth: depth + 1, key: { name, parentPath: path } }));
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  return undefined;
}
