import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readAuthorization } from './authorization-header.js';

/** An independent statement of the rule: RFC 9110 credentials, scheme Bearer or Token in any case, 1*SP, a JWT-shaped token. */
const ORACLE = /^(?:bearer|token) +([A-Za-z0-9_.-]{1,16384})$/i;

describe('readAuthorization', () => {
  it('agrees with the rule over generated headers', () => {
    let seed = 11;
    const pick = <T,>(items: readonly T[]): T => items[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % items.length]!;
    const schemes = ['Bearer', 'bearer', 'BEARER', 'bEaReR', 'Token', 'token', 'TOKEN', 'Basic', 'Bearer:', 'Bear', 'Tokens', ''];
    const spaces = ['', ' ', '  ', '\t', ' \t'];
    const tokens = ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'abc', '', 'a b', 'a\nb', 'tok=', 'x'.repeat(16384), 'x'.repeat(16385), 'ünïcode'];
    for (let i = 0; i < 3000; i++) {
      const header = `${pick(schemes)}${pick(spaces)}${pick(tokens)}`;
      const expected = ORACLE.exec(header);
      const got = readAuthorization(header);
      if (header === '') assert.deepEqual(got, { kind: 'none' });
      else assert.deepEqual(got, expected === null ? { kind: 'malformed' } : { kind: 'token', token: expected[1] }, JSON.stringify(header));
    }
    assert.deepEqual(readAuthorization(undefined), { kind: 'none' });
  });
});
