import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ownerMatches } from './owner.js';

describe('ownerMatches: a watchlist raises alerts until the hub revoked the token that saved it', () => {
  const now = new Date('2026-12-03T10:00:00.000Z');
  const at = (ms: number) => ({ revokedAt: new Date(now.getTime() + ms) });

  it('matches while the token is unrevoked', () => assert.equal(ownerMatches({ revokedAt: null }, now), true));
  it('stops from the instant of the revocation on', () => {
    assert.equal(ownerMatches(at(0), now), false);
    assert.equal(ownerMatches(at(-1), now), false);
  });
  it('still matches a batch received before the revocation instant (another process’s clock ahead)', () => assert.equal(ownerMatches(at(1), now), true));
});
