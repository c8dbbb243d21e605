import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INDICATOR_TYPES, TLPS, type Visibility } from '../indicators/index.js';
import { matchCriteria, parseWatchlistInput } from './criteria.js';
import { WatchlistError } from './errors.js';

const everything: Visibility = { tlps: TLPS, commodities: null, types: INDICATOR_TYPES, ownMember: null, now: new Date('2026-11-30T00:00:00Z') };
const noSellers: Visibility = { ...everything, types: INDICATOR_TYPES.filter((t) => t !== 'SELLER') };
const ivoryOnly: Visibility = { ...everything, commodities: ['IVORY'] };
const SELLER = `fp1.k1.${Buffer.alloc(32, 7).toString('base64url')}`;
const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

function refuses(run: () => unknown, code: string, field: string): void {
  assert.throws(run, (err: unknown) => err instanceof WatchlistError && err.code === code && (err.details as { field?: string }).field === field, `${code} on ${field}`);
}

describe('watchlist criteria', () => {
  it('normalizes keywords as members do, and keeps what was typed', () => {
    const { criteria } = parseWatchlistInput({ name: ' 象牙 ', keywords: ['象 牙', 'Pangolin-Scales'] }, everything);
    assert.deepEqual(criteria.keywords, [{ text: '象 牙', normalized: '象牙' }, { text: 'Pangolin-Scales', normalized: 'pangolinscales' }]);
  });

  describe('when the input is bad, it is refused with the field', () => {
    it('no name', () => refuses(() => parseWatchlistInput({ name: '  ', keywords: ['x'] }, everything), 'INVALID_WATCHLIST', 'name'));
    it('nothing to watch', () => refuses(() => parseWatchlistInput({ name: 'n' }, everything), 'INVALID_WATCHLIST', 'input'));
    it('a keyword of punctuation only', () => refuses(() => parseWatchlistInput({ name: 'n', keywords: ['—'] }, everything), 'INVALID_WATCHLIST', 'keywords'));
    it('too many keywords', () => refuses(() => parseWatchlistInput({ name: 'n', keywords: Array.from({ length: 21 }, (_, i) => `k${i}`) }, everything), 'INVALID_WATCHLIST', 'keywords'));
    it('a malformed fingerprint', () => refuses(() => parseWatchlistInput({ name: 'n', seller: 'fp1.k1.nope' }, everything), 'INVALID_WATCHLIST', 'seller'));
    it('an upper-case or short PDQ hash is fixed or refused', () => {
      assert.equal(parseWatchlistInput({ name: 'n', image: { pdq: PDQ.toUpperCase() } }, everything).criteria.image?.pdq, PDQ);
      refuses(() => parseWatchlistInput({ name: 'n', image: { pdq: 'abc' } }, everything), 'INVALID_WATCHLIST', 'image.pdq');
    });
    it('a radius over 64', () => refuses(() => parseWatchlistInput({ name: 'n', image: { pdq: PDQ, maxDistance: 65 } }, everything), 'INVALID_WATCHLIST', 'image.maxDistance'));
  });

  describe('against what the token may see', () => {
    it('refuses a seller to a token without sellers:read', () => refuses(() => parseWatchlistInput({ name: 'n', seller: SELLER }, noSellers), 'FORBIDDEN', 'seller'));
    it('refuses commodities outside the token’s', () => refuses(() => parseWatchlistInput({ name: 'n', commodities: ['TIGER'] }, ivoryOnly), 'INVALID_WATCHLIST', 'commodities'));
    it('accepts the token’s own commodities', () => assert.deepEqual(parseWatchlistInput({ name: 'n', commodities: ['IVORY'] }, ivoryOnly).criteria.commodities, ['IVORY']));
  });

  describe('matching a new sighting', () => {
    const { criteria } = parseWatchlistInput({ name: 'n', commodities: ['IVORY'], keywords: ['象 牙'], seller: SELLER, image: { pdq: PDQ, maxDistance: 8 } }, everything);
    const near = (PDQ.slice(0, 62) + ((parseInt(PDQ.slice(62), 16) ^ 0x07) & 0xff).toString(16).padStart(2, '0'));
    const c = (type: string, value: string, commodity = 'IVORY') => ({ indicatorId: 'x', type, value, commodity });
    it('finds a watched keyword inside a longer code word', () => assert.deepEqual(matchCriteria(criteria, c('KEYWORD', '象牙手镯')), { reason: 'KEYWORD', matched: '象牙', distance: null }));
    it('finds the seller', () => assert.equal(matchCriteria(criteria, c('SELLER', SELLER))?.reason, 'SELLER'));
    it('finds an image within the radius, with its distance', () => assert.deepEqual(matchCriteria(criteria, c('IMAGE_PDQ', near)), { reason: 'IMAGE', matched: null, distance: 3 }));
    it('ignores an image beyond the radius', () => assert.equal(matchCriteria(criteria, c('IMAGE_PDQ', PDQ.replace(/^.{16}/, '0'.repeat(16)))), null));
    it('ignores another commodity', () => assert.equal(matchCriteria(criteria, c('KEYWORD', '象牙手镯', 'TIGER')), null));
    it('with commodities only, matches any sighting of them', () => {
      const only = parseWatchlistInput({ name: 'n', commodities: ['PANGOLIN'] }, everything).criteria;
      assert.equal(matchCriteria(only, c('IMAGE_SHA256', 'a'.repeat(64), 'PANGOLIN'))?.reason, 'COMMODITY');
      assert.equal(matchCriteria(only, c('IMAGE_SHA256', 'a'.repeat(64), 'IVORY')), null);
    });
  });
});
