import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../test/helpers/fuzz-random.js';
import { KeywordAutomaton } from '../matching/index.js';
import { compileWarninglists, DEFAULT_WARNINGLISTS, GuardError, keywordSpecificity, parseWarninglist, SPECIFICITY_LIST, warninglistSha256 } from './index.js';

const phrases = (version: number, entries: string[]) => parseWarninglist({ name: 'benign', version, kind: 'phrases', entries });

/** Every occurrence of `needle` in `text`, by indexOf (independent of the automaton). */
function occurrences(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) at.push(i);
  return at;
}


describe('warninglists', () => {
  it('keeps a list in canonical form, so its hash does not depend on how it was written', () => {
    const a = phrases(1, ['Ivory Coast', '象 牙 白', 'ivory coast']);
    const b = phrases(1, ['象牙白', 'IVORY-COAST']);
    assert.deepEqual(a.entries, ['ivorycoast', '象牙白']);
    assert.equal(warninglistSha256(a), warninglistSha256(b));
    assert.notEqual(warninglistSha256(a), warninglistSha256(phrases(2, ['象牙白', 'ivorycoast'])));
  });

  it('refuses a malformed list with INVALID_WARNINGLIST naming the field', () => {
    for (const [input, field] of [
      [{ name: 'Bad Name', version: 1, kind: 'phrases', entries: ['x'] }, 'name'],
      [{ name: 'benign', version: 0, kind: 'phrases', entries: ['x'] }, 'version'],
      [{ name: 'benign', version: 1, kind: 'colours', entries: ['x'] }, 'kind'],
      [{ name: 'benign', version: 1, kind: 'phrases', entries: ['ok', '!!!'] }, 'entries.1'],
      [{ name: 'benign', version: 1, kind: 'phrases', entries: [], extra: 1 }, 'entries'],
    ] as const) {
      assert.throws(() => parseWarninglist(input), (e: unknown) => e instanceof GuardError && e.code === 'INVALID_WARNINGLIST' && e.details?.['field'] === field, field);
    }
  });

  it('suppresses 象牙 inside 象牙白 and ivory inside “Ivory Coast”, not beside them (the default list)', () => {
    const keywords = new KeywordAutomaton([{ id: 'k1', keyword: '象牙' }, { id: 'k2', keyword: 'ivory' }]);
    const text = '象牙白 手镯，真象牙手镯 from Ivory Coast, real ivory';
    const hits = keywords.match(text);
    const by = compileWarninglists(DEFAULT_WARNINGLISTS).suppress(text, hits);
    assert.deepEqual(
      hits.map((h, i) => [text.slice(h.start, h.end), by[i]?.entry ?? null]),
      [['象牙', '象牙白'], ['象牙', null], ['Ivory', 'ivorycoast'], ['ivory', null]],
    );
  });

  it('suppresses a keyword accepted before the rule, and one a generic list makes generic, naming what did', () => {
    const keywords = new KeywordAutomaton([{ id: 'e', keyword: 'e' }, { id: 'c', keyword: 'ivorycarving' }]);
    const text = 'an ivory carving';
    const generic = parseWarninglist({ name: 'crafts', version: 3, kind: 'generic', entries: ['ivory', 'carving'] });
    const hits = keywords.match(text);
    const by = compileWarninglists([generic]).suppress(text, hits);
    assert.deepEqual(by.map((b) => b && [b.list, b.version, b.entry]), hits.map((h) => (h.id === 'e' ? [SPECIFICITY_LIST, 1, 'SINGLE_CHARACTER'] : ['crafts', 3, 'ivorycarving'])));
  });

  it('applies the highest version of a list only', () => {
    const text = '象牙白';
    const hits = new KeywordAutomaton([{ id: 'k', keyword: '象牙' }]).match(text);
    assert.equal(compileWarninglists([phrases(2, ['ivorycoast']), phrases(1, ['象牙白'])]).suppress(text, hits)[0], undefined);
    assert.equal(compileWarninglists([phrases(1, ['ivorycoast']), phrases(2, ['象牙白'])]).suppress(text, hits)[0]?.version, 2);
  });

  it('agrees with an independent oracle over generated normalized texts', () => {
    const rng = createRng(7);
    const r = rng.next;
    const words = ['象牙', '象牙白', '白象', '手镯', '牙白', 'ivory', 'ivorycoast', 'coast', 'horn', 'rhinohorn', '包邮', 'e'];
    const pick = (): string => words[Math.floor(r() * words.length)]!;
    let suppressed = 0;
    let standing = 0;
    for (let n = 0; n < 400; n++) {
      const keywordList = [...new Set(Array.from({ length: 1 + Math.floor(r() * 4) }, pick))];
      const phraseList = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, pick))];
      const text = Array.from({ length: 2 + Math.floor(r() * 6) }, pick).join('');
      const hits = new KeywordAutomaton(keywordList.map((k) => ({ id: k, keyword: k }))).match(text);
      const got = compileWarninglists([phrases(1, phraseList)]).suppress(text, hits).map((b) => b !== undefined);
      const expected = hits.map((h) => keywordSpecificity(h.keyword).broad || phraseList.some((p) => occurrences(text, p).some((s) => s <= h.start && h.end <= s + p.length)));
      // And the automaton found every occurrence the oracle knows of.
      assert.equal(hits.length, keywordList.reduce((sum, k) => sum + occurrences(text, k).length, 0), `case ${n}`);
      assert.deepEqual(got, expected, `case ${n}: ${text} keywords ${keywordList} phrases ${phraseList}`);
      for (const s of got) s ? suppressed++ : standing++;
    }
    assert.ok(suppressed > 100 && standing > 100, `${suppressed} suppressed, ${standing} standing`);
  });
});
