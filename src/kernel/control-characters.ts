/**
 * Control characters in free text from another party (an officer's name, a legal basis, a
 * member's note): printed raw, ESC/CSI/OSC sequences repaint or retitle the reader's terminal,
 * and bidi controls reorder what the reader sees (Trojan Source, CVE-2021-42574). The edges refuse
 * them in free text (multi-line text keeps tab and line feed, a single line keeps tab), and every
 * CLI escapes them on output, both by this one classification.
 */

export type TextShape = 'line' | 'multiline';

/** C0 (but tab and, in multi-line text, line feed), DEL, C1, and the bidi embeddings, overrides and isolates. */
function isControl(codePoint: number, shape: TextShape): boolean {
  if (codePoint === 0x09) return false;
  if (codePoint === 0x0a) return shape === 'line';
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f) || (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069);
}

/** The first control character in `text` (its UTF-16 index and code point), or undefined. */
export function findControlCharacter(text: string, shape: TextShape): { index: number; codePoint: number } | undefined {
  for (let index = 0; index < text.length; index++) {
    const codePoint = text.charCodeAt(index);
    if (isControl(codePoint, shape)) return { index, codePoint };
  }
  return undefined;
}

/** Why `text` is refused as free text, naming the character, or undefined. */
export function controlCharacterReason(text: string, shape: TextShape): string | undefined {
  const found = findControlCharacter(text, shape);
  return found === undefined ? undefined : `contains the control character ${codePointName(found.codePoint)} at ${found.index} (terminal escapes and bidi controls are refused)`;
}

/**
 * Text safe to print to a terminal: every control character but tab and line feed written as
 * `\uXXXX`, which is also how JSON writes it, so JSON output stays the same JSON.
 */
export function escapeForTerminal(text: string): string {
  let out = '';
  let from = 0;
  for (let index = 0; index < text.length; index++) {
    const codePoint = text.charCodeAt(index);
    if (!isControl(codePoint, 'multiline')) continue;
    out += `${text.slice(from, index)}\\u${codePoint.toString(16).padStart(4, '0')}`;
    from = index + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
