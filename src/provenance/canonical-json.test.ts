import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenanceError, canonicalBytes, canonicalJson, parseCanonicalJson } from './index.js';
import type { ProvenanceErrorCode } from './index.js';
import { readVectorJson, skipWithoutVectors, VECTORS_DIR } from '../tlog/test-vectors.js';

// Shared vectors are read in place (never copied into the repository); their suites say they were
// skipped when the folder is absent.
const JCS = new URL('jcs/', VECTORS_DIR);

interface Es6Numbers {
  readonly static_u64: readonly string[];
  readonly samples: ReadonlyArray<{ bits: string; expected: string }>;
  readonly sha256_of_first_lines: ReadonlyArray<{ lines: number; bytes: number; sha256: string }>;
}
const LINES_CHECKED = 100_000;
const es6: Es6Numbers = skipWithoutVectors ? { static_u64: [], samples: [], sha256_of_first_lines: [] } : readVectorJson<Es6Numbers>('jcs/es6-numbers.json');

function isProvenanceError(code: ProvenanceErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ProvenanceError, `expected ProvenanceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

function doubleFromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

/**
 * The cyberphone number-test sequence, as its README describes it: the static values, then
 * 0x0010000000000000 + i for i < 2000, then doubles read little-endian from an iterated SHA-256
 * (starting at 32 zero bytes), skipping 0, NaN and ±Infinity.
 */
function* numberTestBits(): Generator<bigint> {
  for (const hex of es6.static_u64) yield BigInt(`0x${hex}`);
  for (let i = 0n; i < 2000n; i += 1n) yield 0x0010000000000000n + i;
  let block = new Uint8Array(32);
  for (;;) {
    block = new Uint8Array(createHash('sha256').update(block).digest());
    const view = new DataView(block.buffer);
    for (let offset = 0; offset < 32; offset += 8) {
      const bits = view.getBigUint64(offset, true);
      const value = doubleFromBits(bits);
      if (value !== 0 && Number.isFinite(value)) yield bits;
    }
  }
}

describe('canonicalJson', () => {
  describe('with the RFC 8785 reference vectors (cyberphone/json-canonicalization)', { skip: skipWithoutVectors }, () => {
    const names = skipWithoutVectors ? [] : readdirSync(new URL('input/', JCS)).filter((name) => name.endsWith('.json')).sort();

    it('has all six vector files', () => {
      assert.deepEqual(names, ['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']);
    });

    for (const name of names) {
      it(`produces the exact expected bytes for ${name}`, () => {
        const input: unknown = JSON.parse(readFileSync(new URL(`input/${name}`, JCS), 'utf8'));
        const expected = readFileSync(new URL(`output/${name}`, JCS));
        assert.deepEqual(Buffer.from(canonicalBytes(input)), expected);
        assert.deepEqual(parseCanonicalJson(expected), input);
      });
    }
  });

  describe('with the ES6 number vectors', { skip: skipWithoutVectors }, () => {
    it('formats the seven sample lines as expected', () => {
      for (const { bits, expected } of es6.samples) {
        assert.equal(canonicalJson(doubleFromBits(BigInt(`0x${bits}`))), expected, bits);
      }
    });

    it('formats each of the 168 static doubles as a number that reads back to the same value', () => {
      assert.equal(es6.static_u64.length, 168);
      for (const hex of es6.static_u64) {
        const value = doubleFromBits(BigInt(`0x${hex}`));
        const text = canonicalJson(value);
        assert.match(text, /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-][1-9]\d*)?$/, hex);
        assert.equal(JSON.parse(text), value === 0 ? 0 : value, hex);
      }
    });

    // 10^6 lines also match (about 3 s); 10^5 keeps the suite quick.
    it('matches the published SHA-256 of the first 10^3, 10^4 and 10^5 lines of the number test file', () => {
      const targets = es6.sha256_of_first_lines.filter((target) => target.lines <= LINES_CHECKED);
      assert.equal(targets.length, 3);
      const hash = createHash('sha256');
      let lines = 0;
      let bytes = 0;
      for (const bits of numberTestBits()) {
        const line = `${bits.toString(16)},${canonicalJson(doubleFromBits(bits))}\n`;
        hash.update(line);
        bytes += line.length;
        lines += 1;
        const target = targets.find((t) => t.lines === lines);
        if (target !== undefined) assert.deepEqual([bytes, hash.copy().digest('hex')], [target.bytes, target.sha256], `${lines} lines`);
        if (lines === LINES_CHECKED) break;
      }
    });
  });

  it('omits object properties whose value is undefined, as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: 1, a: undefined, c: { d: undefined } }), '{"b":1,"c":{}}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, a: [true, null] });
    assert.equal(canonicalJson(bare), '{"a":[true,null],"z":1}');
  });

  describe('when the value is not JSON data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[string, unknown]> = [
      ['undefined', undefined],
      ['undefined in an array', [1, undefined]],
      ['NaN', Number.NaN],
      ['Infinity', { x: Number.POSITIVE_INFINITY }],
      ['-Infinity', [Number.NEGATIVE_INFINITY]],
      ['a bigint', { n: 1n }],
      ['a function', { f: () => 1 }],
      ['a symbol', Symbol('s')],
      ['a Date', new Date(0)],
      ['a Map', new Map()],
      ['a Buffer', Buffer.from('x')],
      ['a lone surrogate in a string', { s: '\ud800' }],
      ['a lone surrogate in a key', { '\udc00': 1 }],
      ['a cycle', cyclic],
      ['nesting deeper than 64', JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown],
    ];
    for (const [label, value] of cases) {
      it(`rejects ${label} with UNENCODABLE_VALUE`, () => {
        assert.throws(() => canonicalJson(value), isProvenanceError('UNENCODABLE_VALUE'));
      });
    }
  });
});

describe('canonicalJson against the canonicalize package (the encoder it replaced)', () => {
  it('writes the same text for random JSON values', async () => {
    const { default: canonicalize } = await import('canonicalize');
    let state = 0x5eed;
    const random = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const strings = ['', 'a', 'é', '象牙', '😀', '"\\', '\u0000\u001f\u007f', '\u2028', 'b', 'B', '10', '1'];
    const numbers = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 333333333.3333333];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
      if (kind === 0) return pick(strings) + pick(strings);
      if (kind === 1) return pick(numbers) * (random() < 0.5 ? 1 : random());
      if (kind === 2) return pick([true, false]);
      if (kind === 3) return null;
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(strings) + pick(strings), value(depth + 1)]));
    };
    for (let trial = 0; trial < 2000; trial += 1) {
      const input = value(0);
      assert.equal(canonicalJson(input), canonicalize(input));
    }
  });

  it('names the path of what it cannot encode', () => {
    assert.throws(() => canonicalJson({ a: [1, { b: Number.NaN }] }), (error: unknown) => {
      assert.ok(error instanceof ProvenanceError);
      assert.deepEqual(error.details, { path: '$.a[1].b' });
      return true;
    });
  });
});

describe('parseCanonicalJson', () => {
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('returns the value of canonical bytes', () => {
    assert.deepEqual(parseCanonicalJson(bytes('{"a":[1,"é"],"b":null}')), { a: [1, 'é'], b: null });
  });

  describe('when the bytes are another spelling of the value', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['whitespace', bytes('{"a": 1}')],
      ['unsorted keys', bytes('{"b":1,"a":2}')],
      ['a duplicate key', bytes('{"a":1,"a":1}')],
      ['a non-canonical number', bytes('[1.0]')],
      ['an unneeded escape', bytes('["\\u0041"]')],
      ['an escaped solidus', bytes('["\\/"]')],
      ['a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{}')])],
      ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22])],
      ['not JSON at all', bytes('{')],
      ['a number beyond double range', bytes('[1e400]')],
    ];
    for (const [label, input] of cases) {
      it(`rejects ${label} with NOT_CANONICAL`, () => {
        assert.throws(() => parseCanonicalJson(input), isProvenanceError('NOT_CANONICAL'));
      });
    }
  });
});
