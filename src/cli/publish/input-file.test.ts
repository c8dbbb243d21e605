import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readPublishFile } from './input-file.js';

const line = (value: string): string => JSON.stringify({ type: 'KEYWORD', value, commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 70 });

describe('wildintel publish, reading its file', () => {
  it('refuses an over-broad keyword before anything is signed, naming the line and the rule', () => {
    assert.throws(
      () => readPublishFile([line('象牙手镯'), line('e'), line('包邮')].join('\n'), 'AMBER'),
      (e: unknown) => /2 invalid line\(s\), nothing was sent:\n {2}line 2: KEYWORD_TOO_BROAD \(SINGLE_CHARACTER\)[^\n]*\n {2}line 3: KEYWORD_TOO_BROAD \(GENERIC_ONLY\)/.test((e as Error).message),
    );
  });

  it('reads specific keywords', () => {
    assert.equal(readPublishFile([line('象牙手镯'), line('ivorycarving')].join('\n'), 'AMBER')[0]!.indicators.length, 2);
  });
});
