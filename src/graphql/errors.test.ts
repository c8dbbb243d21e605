import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean } from 'graphql/jsutils/didYouMean.js';
import { withoutSuggestions } from './errors.js';

/** A GraphQL name (letters, digits, underscores): what graphql-js puts in its suggestions. */
function name(random: () => number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789';
  return Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => chars[Math.floor(random() * (i === 0 ? 53 : chars.length))]).join('');
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('withoutSuggestions', () => {
  it("removes graphql-js's own suggestion sentence (didYouMean, the oracle) and nothing else, over generated messages", () => {
    const random = seeded(26);
    const subs = [undefined, 'the enum value', 'to use an inline fragment on'];
    for (let i = 0; i < 2000; i++) {
      const base = `Cannot query field "${name(random)}" on type "${name(random)}".`;
      const names = Array.from({ length: Math.floor(random() * 7) }, () => name(random));
      const sub = subs[i % subs.length];
      const message = base + (sub === undefined ? didYouMean(names) : didYouMean(sub, names));
      assert.equal(withoutSuggestions(message), base, message);
    }
    assert.equal(withoutSuggestions('Syntax Error: Expected Name, found <EOF>.'), 'Syntax Error: Expected Name, found <EOF>.');
  });
});
