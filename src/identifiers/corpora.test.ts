/**
 * The detector against the corpora of test/fixtures/identifiers: at least 95 % of the held-out
 * evasive forms (never tuned on) and of the tuning forms caught, at most 1 % of benign listings
 * altered. Each miss or alteration is printed, so a regression names its form.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAltered, isCaught, parseBenignCorpus, parseEvasionCorpus } from './corpora.js';

const FIXTURES = path.join(import.meta.dirname, '../../test/fixtures/identifiers');
const read = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const OPTIONS = { defaultRegion: 'CN' } as const;

describe('identifier corpora', () => {
  for (const part of ['held-out', 'tuning'] as const) {
    it(`catches at least 95 % of the ${part} evasive forms`, (t) => {
      const forms = parseEvasionCorpus(read(`evasion-${part}.tsv`));
      assert.ok(forms.length >= 100, `${forms.length} forms`);
      const missed = forms.filter((f) => !isCaught(f, OPTIONS));
      for (const f of missed) t.diagnostic(`missed ${f.kind}: ${f.text}`);
      const rate = 1 - missed.length / forms.length;
      t.diagnostic(`${part}: ${forms.length - missed.length}/${forms.length} caught (${(100 * rate).toFixed(1)} %)`);
      assert.ok(rate >= 0.95, `${(100 * rate).toFixed(1)} % caught`);
    });
  }

  it('covers Chinese and English, and every kind of identifier', () => {
    const forms = [...parseEvasionCorpus(read('evasion-held-out.tsv')), ...parseEvasionCorpus(read('evasion-tuning.tsv'))];
    assert.ok(forms.length >= 200);
    assert.deepEqual([...new Set(forms.map((f) => f.kind))].sort(), ['account', 'chat', 'email', 'phone', 'url']);
    assert.ok(forms.filter((f) => /\p{Script=Han}/u.test(f.text)).length >= 80);
    assert.ok(forms.filter((f) => !/\p{Script=Han}/u.test(f.text)).length >= 60);
  });

  it('alters at most 1 % of benign listings', (t) => {
    const listings = parseBenignCorpus(read('benign-listings.txt'));
    assert.ok(listings.length >= 300, `${listings.length} listings`);
    const altered = listings.filter((l) => isAltered(l, OPTIONS));
    for (const l of altered) t.diagnostic(`altered: ${l}`);
    t.diagnostic(`benign: ${altered.length}/${listings.length} altered`);
    assert.ok(altered.length / listings.length <= 0.01, `${altered.length} altered`);
  });
});
