import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controlCharacterReason, escapeForTerminal, findControlCharacter } from './control-characters.js';

/** The classification written another way (Unicode categories and ranges), as the oracle. */
const LINE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const oracle = (ch: string, multiline: boolean): boolean => ch !== '\t' && !(multiline && ch === '\n') && LINE.test(ch);

describe('control characters in free text', () => {
  it('classify every BMP code point as the oracle does', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCharCode(cp);
      assert.equal(findControlCharacter(ch, 'line') !== undefined, oracle(ch, false), `U+${cp.toString(16)} line`);
      assert.equal(findControlCharacter(ch, 'multiline') !== undefined, oracle(ch, true), `U+${cp.toString(16)} multiline`);
    }
  });

  it('accept text in any script, emoji, tab, and line feeds where multi-line', () => {
    for (const s of ['Inspector Li Wei', '李伟 督察', 'قانون الجمارك', '🐘 象牙', 'a\tb']) assert.equal(controlCharacterReason(s, 'line'), undefined, s);
    assert.equal(controlCharacterReason('Art. 3\nArt. 4', 'multiline'), undefined);
    assert.match(controlCharacterReason('Art. 3\nArt. 4', 'line') ?? '', /U\+000A at 6/);
  });

  it('name the first control character and where it is', () => {
    assert.equal(controlCharacterReason('Li\u001b]0;x\u0007', 'line'), 'contains the control character U+001B at 2 (terminal escapes and bidi controls are refused)');
    assert.match(controlCharacterReason('ok \u2067', 'multiline') ?? '', /U\+2067 at 3/);
    assert.match(controlCharacterReason('a\r\nb', 'multiline') ?? '', /U\+000D/);
  });
});

describe('escapeForTerminal', () => {
  it('leaves no control character but tab and line feed, and is JSON-transparent', () => {
    let seed = 11;
    const next = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648), seed % n);
    const alphabet = ['a', '象', '🐘', '\t', '\n', '\r', '\u001b', '\u0007', '\u007f', '\u0085', '\u009b', '\u202e', '\u2066', '"', '\\'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join('');
      const escaped = escapeForTerminal(text);
      assert.equal(findControlCharacter(escaped, 'multiline'), undefined, JSON.stringify(text));
      const json = JSON.stringify({ text });
      assert.deepEqual(JSON.parse(escapeForTerminal(json)), { text }, json);
    }
  });

  it('returns text without controls unchanged', () => {
    for (const s of ['', 'plain', '象牙\n\t🐘']) assert.equal(escapeForTerminal(s), s);
  });
});
