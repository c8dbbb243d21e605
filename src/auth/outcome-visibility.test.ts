/**
 * Outcome visibility follows its sighting (issue #22): an outcome is visible to a reader exactly
 * when every sighting it concerns is, each at the higher of its own TLP and the outcome batch's.
 * The decision the hub uses (maySeeOutcome over the facts outcomeFacts summarizes at ingest) is
 * checked against an oracle written from design.md's rules on the principal itself, over generated
 * principals, paths, batches and sightings.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMODITIES, INDICATOR_TYPES, TLPS, type Commodity, type IndicatorType, type Tlp } from '../indicators/index.js';
import { createRng, type Rng } from '../../test/helpers/fuzz-random.js';
import { SCOPES, grantFor, maySeeOutcome, outcomeFacts, type Principal, type ReadPath, type Scope } from './index.js';

interface Concern {
  readonly tlp: Tlp;
  readonly commodity: Commodity;
  readonly type: IndicatorType;
}

const MEMBERS = ['shopmart', 'bazaar', 'auctionhall'];
const PATHS: readonly ReadPath[] = ['stats', 'provenance', 'indicators'];
const rank = (t: Tlp): number => TLPS.indexOf(t);

/** design.md, from scratch: who may see one sighting published by `member` at `tlp`. */
function oracleSeesSighting(p: Principal, path: ReadPath, member: string, tlp: Tlp, s: Concern): boolean {
  if (p.kind === 'anonymous') return false;
  if (p.kind === 'member') return p.member === member || rank(tlp) <= rank('AMBER');
  const pathScopes: Record<string, readonly Scope[]> = { stats: ['stats:read'], provenance: ['provenance:read', 'indicators:read'], indicators: ['indicators:read'] };
  if (!pathScopes[path]!.some((scope) => p.scopes.has(scope))) return false;
  if (path === 'provenance' && p.scopes.has('provenance:read')) return true;
  if (s.type === 'SELLER' && !p.scopes.has('sellers:read')) return false;
  return rank(tlp) <= rank(p.tlp) && (p.commodities === undefined || p.commodities.has(s.commodity));
}

function oracle(p: Principal, path: ReadPath, member: string, batchTlp: Tlp, concerns: readonly Concern[]): boolean {
  return concerns.every((s) => oracleSeesSighting(p, path, member, rank(s.tlp) > rank(batchTlp) ? s.tlp : batchTlp, s));
}

function principal(rng: Rng): Principal {
  const kind = rng.int(5);
  if (kind === 0) return { kind: 'anonymous' };
  if (kind === 1) return { kind: 'member', member: rng.pick(MEMBERS) };
  const scopes = new Set(SCOPES.filter(() => rng.chance(0.4)));
  const commodities = rng.chance(0.5) ? new Set(COMMODITIES.filter(() => rng.chance(0.3))) : undefined;
  return { kind: 'agency', agency: 'customs', sub: 'analyst', scopes, tlp: rng.pick(TLPS), ...(commodities === undefined ? {} : { commodities }), jti: 'j', exp: 0, kid: 'k' };
}

function concerns(rng: Rng): Concern[] {
  const type = rng.pick(INDICATOR_TYPES);
  const commodity = rng.pick(COMMODITIES);
  return Array.from({ length: 1 + rng.int(3) }, () => ({ type, tlp: rng.pick(TLPS), commodity: rng.chance(0.7) ? commodity : rng.pick(COMMODITIES) }));
}

describe('outcome visibility follows its sighting', () => {
  it('agrees with the oracle over generated principals, paths, batches and sightings', () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? 2222);
    const rng = createRng(seed);
    let visible = 0;
    for (let n = 0; n < 20_000; n += 1) {
      const p = principal(rng);
      const path = rng.pick(PATHS);
      const member = rng.pick(MEMBERS);
      const batchTlp = rng.pick(TLPS);
      const cs = concerns(rng);
      const facts = outcomeFacts(member, batchTlp, cs)!;
      const expected = oracle(p, path, member, batchTlp, cs);
      assert.equal(maySeeOutcome(grantFor(p, path), facts), expected, `seed ${seed} case ${n}: ${JSON.stringify({ p: { ...p, scopes: 'scopes' in p ? [...p.scopes] : [] }, path, member, batchTlp, cs })}`);
      if (expected) visible += 1;
    }
    // Both answers must occur often, or the agreement proves little.
    assert.ok(visible > 2_000 && visible < 18_000, `visible in ${visible} of 20000 cases`);
  });

  it('hides an outcome whose one hidden sighting sits beside a visible one', () => {
    const agency: Principal = { kind: 'agency', agency: 'customs', sub: 'a', scopes: new Set<Scope>(['stats:read']), tlp: 'AMBER', jti: 'j', exp: 0, kid: 'k' };
    const facts = outcomeFacts('shopmart', 'GREEN', [{ tlp: 'GREEN', commodity: 'IVORY', type: 'KEYWORD' }, { tlp: 'RED', commodity: 'IVORY', type: 'KEYWORD' }])!;
    assert.equal(facts.tlp, 'RED');
    assert.equal(maySeeOutcome(grantFor(agency, 'stats'), facts), false);
    assert.equal(maySeeOutcome(grantFor({ kind: 'member', member: 'shopmart' }, 'stats'), facts), true, 'the member sees its own');
  });

  it('concerns nothing when there is no sighting: no facts, so no outcome to store', () => {
    assert.equal(outcomeFacts('shopmart', 'AMBER', []), undefined);
  });
});
