/**
 * The hub's screen: which text values of an indicator it reads. A keyword's original is screened
 * in place of its value, where normalization has joined numbers that separators kept apart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword, type PublishedIndicator } from '../indicators/index.js';
import { screenIndicator } from './screen.js';
import { scrubText } from './scrub.js';

const common = { commodity: 'IVORY', observedAt: '2026-11-01T00:00:00Z', confidence: 80 } as const;
const keyword = (original: string, withOriginal = true): PublishedIndicator => ({ type: 'KEYWORD', value: normalizeKeyword(original), ...(withOriginal ? { original } : {}), ...common });

describe('screenIndicator', () => {
  it('passes benign numbers that normalization joins, when the original is given', () => {
    for (const text of ['尺码 38 39 40 41 42 43 44 45 全码', 'Bundle of 359 postcards from 1923–1995', 'Telegram print A4 unframed $121']) {
      assert.equal(screenIndicator(keyword(text)), undefined, text);
    }
  });

  it('reads the value where no original is given, and names the field and kind, never the identifier', () => {
    assert.deepEqual(screenIndicator(keyword('call 13977310099 now', false)), { field: 'value', kind: 'phone' });
    assert.deepEqual(screenIndicator(keyword('象牙手镯 加我 138🐘0013🐘8000')), { field: 'original', kind: 'phone' });
    assert.deepEqual(screenIndicator({ ...keyword('象牙'), context: { platformSection: 'wx-zzseller8812' } }), { field: 'context.platformSection', kind: 'chat' });
  });

  it('reads the value for phones that only normalization joins, as the node scrubs them', () => {
    const spread = '象牙 138 ,,,, 0013 ,,,, 8000';
    assert.deepEqual(screenIndicator(keyword(spread)), { field: 'value', kind: 'phone' });
    const scrubbed = scrubText(spread, (kind) => `[${kind}]`);
    assert.equal(scrubbed.text, '象牙 [phone]');
    assert.equal(screenIndicator(keyword(scrubbed.text)), undefined);
  });

  it('does not read hashes and fingerprints, which are not text', () => {
    const sha = '1380013800013800138000000000000000000000000000000000000000000000';
    assert.equal(screenIndicator({ type: 'IMAGE_SHA256', value: sha, ...common }), undefined);
  });
});
