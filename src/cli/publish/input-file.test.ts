import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeListingPseudonym } from '../../indicators/index.js';
import { CliError } from '../files.js';
import { readPublishFile } from './input-file.js';

const line = (extra: object): string => JSON.stringify({ type: 'KEYWORD', value: 'ivorybangle', commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80, ...extra });
const lp = computeListingPseudonym('https://shop.example/item/1', { keyId: '2026-01', key: new Uint8Array(32).fill(4) });

describe('wildintel publish lines and listings (issue 21)', () => {
  it('turns a line’s listing pseudonym into the item’s listings', () => {
    const [group] = readPublishFile(line({ listing: lp }), 'AMBER');
    assert.deepEqual(group!.indicators[0]!.listings, [lp]);
  });

  it('refuses a raw listing id or URL, naming the line, and sends nothing', () => {
    for (const raw of ['https://shop.example/item/1', '55501']) {
      assert.throws(() => readPublishFile(line({ listing: raw }), 'AMBER'), (e: unknown) => e instanceof CliError && /line 1: listings\.0 must be a listing pseudonym/.test(e.message));
    }
  });

  it('refuses listing and listings together', () => {
    assert.throws(() => readPublishFile(line({ listing: lp, listings: [lp] }), 'AMBER'), (e: unknown) => e instanceof CliError && /either listing or listings/.test(e.message));
  });
});

const keywordLine = (value: string): string => JSON.stringify({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 70 });

describe('wildintel publish, reading its file: keyword specificity (issue 21)', () => {
  it('refuses an over-broad keyword before anything is signed, naming the line and the rule', () => {
    assert.throws(
      () => readPublishFile([keywordLine('象牙手镯'), keywordLine('e'), keywordLine('包邮')].join('\n'), 'AMBER'),
      (e: unknown) => /2 invalid line\(s\), nothing was sent:\n {2}line 2: KEYWORD_TOO_BROAD \(SINGLE_CHARACTER\)[^\n]*\n {2}line 3: KEYWORD_TOO_BROAD \(GENERIC_ONLY\)/.test((e as Error).message),
    );
  });

  it('reads specific keywords', () => {
    assert.equal(readPublishFile([keywordLine('象牙手镯'), keywordLine('ivorycarving')].join('\n'), 'AMBER')[0]!.indicators.length, 2);
  });
});
