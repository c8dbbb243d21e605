import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { canonicalListing } from './canonical.js';
import { ReportError } from './errors.js';
import { createReportPow } from './pow.js';
import { createPrefixRateLimit, networkPrefix } from './rate-limit.js';
import { parseReportRequest } from './report-request.js';
import { nextState } from './review.js';
import { scoreReport, type ScoreInputs } from './score.js';

const nothing: ScoreInputs = { keywordHits: 0, suppressedKeywordHits: 0, closestImageDistance: undefined, listingKnownToNode: false, listingConfirmed: 0, listingRejected: 0, reporterConfirmed: 0, reporterRejected: 0 };

describe('scoreReport', () => {
  it('shows each part and sums them', () => {
    const s = scoreReport({ ...nothing, keywordHits: 2, suppressedKeywordHits: 1, closestImageDistance: 0, listingKnownToNode: true, reporterConfirmed: 3 });
    assert.deepEqual(s.parts.map((p) => [p.name, p.points]), [['keywords', 20], ['images', 40], ['listing', 15], ['reporter', 6]]);
    assert.equal(s.total, 81);
    assert.match(s.parts[0]!.why, /1 on a warninglist, not counted/);
  });
  it('gives nothing for an image over the match distance, and takes points for a reporter whose reports were rejected', () => {
    const s = scoreReport({ ...nothing, closestImageDistance: 40, reporterRejected: 4 });
    assert.deepEqual(s.parts.map((p) => p.points), [0, 0, 0, -7]);
  });
  it('adds the text model when given (the hook for src/model), clamped to 0–1', () => {
    assert.equal(scoreReport({ ...nothing, modelScore: 0.5 }).parts.at(-1)?.points, 15);
    assert.equal(scoreReport({ ...nothing, modelScore: 7 }).parts.at(-1)?.points, 30);
    assert.equal(scoreReport(nothing).parts.length, 4);
  });
});

describe('canonicalListing', () => {
  it('drops fragments, tracking parameters, case of host, trailing slash; sorts the rest', () => {
    assert.equal(canonicalListing(' HTTPS://Shop.Example:443/item/5/?utm_source=a&b=2&spm=x&a=1#top '), 'https://shop.example/item/5?a=1&b=2');
    assert.equal(canonicalListing('item-5501'), 'item-5501');
  });
});

describe('networkPrefix and the rate limit', () => {
  it('hashes /24 and /48 networks', () => {
    assert.equal(networkPrefix('203.0.113.77'), '203.0.113.0/24');
    assert.equal(networkPrefix('::ffff:203.0.113.9'), '203.0.113.0/24');
    assert.equal(networkPrefix('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(networkPrefix('2001:db8::1'), '2001:db8:0::/48');
  });
  it('refuses the network over its limit in the hour, and forgets it the next hour', () => {
    let now = 0;
    const limit = createPrefixRateLimit({ secret: new Uint8Array(32), perHour: 2, now: () => now });
    assert.deepEqual([limit.take('198.51.100.1'), limit.take('198.51.100.2'), limit.take('198.51.100.3'), limit.take('198.51.101.1')], [true, true, false, true]);
    now = 3_600_000;
    assert.equal(limit.take('198.51.100.3'), true);
  });
});

describe('nextState', () => {
  it('one moderator or two volunteers decide', () => {
    assert.equal(nextState('pending', [{ role: 'volunteer', decision: 'confirm' }]), 'pending');
    assert.equal(nextState('pending', [{ role: 'volunteer', decision: 'confirm' }, { role: 'volunteer', decision: 'confirm' }]), 'confirmed');
    assert.equal(nextState('pending', [{ role: 'moderator', decision: 'confirm' }]), 'confirmed');
    assert.equal(nextState('pending', [{ role: 'volunteer', decision: 'reject' }, { role: 'volunteer', decision: 'confirm' }]), 'pending');
    assert.equal(nextState('pending', [{ role: 'moderator', decision: 'reject' }]), 'rejected');
    assert.equal(nextState('pending', [{ role: 'volunteer', decision: 'more-info' }]), 'more-info');
  });
});

describe('parseReportRequest', () => {
  const base = { listing: 'https://shop.example/1', commodity: 'IVORY', description: 'd', altcha: 'p' };
  const code = (body: unknown): string => {
    try {
      parseReportRequest(body, 1000);
    } catch (err) {
      return `${(err as ReportError).code} ${JSON.stringify((err as ReportError).details)}`;
    }
    return 'ok';
  };
  it('refuses unknown fields, control characters, too many or too large photos, with the field', () => {
    assert.equal(code(base), 'ok');
    assert.equal(code({ ...base, seller: 'x' }), 'INVALID_REPORT {"field":"seller"}');
    assert.equal(code({ ...base, description: 'a\u202eb' }), 'INVALID_REPORT {"field":"description"}');
    assert.equal(code({ ...base, photos: ['AAAA', 'AAAA', 'AAAA', 'AAAA', 'AAAA'] }), 'INVALID_REPORT {"field":"photos"}');
    assert.equal(code({ ...base, photos: [Buffer.alloc(2000).toString('base64')] }), 'INVALID_PHOTO {"field":"photos.0","reason":"PHOTO_TOO_LARGE"}');
    assert.equal(code({ ...base, previousReceipt: 'R-1' }), 'INVALID_REPORT {"field":"previousReceipt"}');
  });
});

describe('the proof of work', () => {
  const pow = createReportPow({ secret: new Uint8Array(32).fill(1), difficulty: 1, ttlSeconds: 60, now: () => Date.now() });
  const solve = async (): Promise<string> => {
    const challenge = await pow.challenge();
    const solution = await solveChallenge({ challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  };
  const refusal = async (payload: string): Promise<string> => {
    try {
      await pow.verify(payload);
      return 'ok';
    } catch (err) {
      return `${(err as ReportError).code}${(err as ReportError).details ? ` ${JSON.stringify((err as ReportError).details)}` : ''}`;
    }
  };
  it('accepts a solved challenge once', async () => {
    const payload = await solve();
    assert.equal(await refusal(payload), 'ok');
    assert.equal(await refusal(payload), 'POW_REPLAYED');
  });
  it('refuses a challenge another key signed, a wrong solution, or garbage', async () => {
    const other = createReportPow({ secret: new Uint8Array(32).fill(2), difficulty: 1, ttlSeconds: 60, now: () => Date.now() });
    const challenge = await other.challenge();
    const solution = await solveChallenge({ challenge, deriveKey });
    assert.equal(await refusal(Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')), 'POW_INVALID {"reason":"SIGNATURE"}');
    const mine = JSON.parse(Buffer.from(await solve(), 'base64').toString()) as { solution: { derivedKey: string } };
    mine.solution.derivedKey = 'ff'.repeat(32);
    assert.equal(await refusal(Buffer.from(JSON.stringify(mine)).toString('base64')), 'POW_INVALID {"reason":"SOLUTION"}');
    assert.equal(await refusal('not base64 json'), 'POW_INVALID {"reason":"MALFORMED"}');
  });
});
