/**
 * Not part of the external API: an immutable Aho–Corasick automaton (Aho and Corasick, "Efficient
 * String Matching", CACM 1975) over UTF-16 code units, in a double array (Aoe, "An Efficient
 * Digital Search Algorithm by Using a Double-Array Structure", 1989).
 *
 * Code units are first renumbered 1..A by descending frequency in the keywords (0 = a unit no
 * keyword contains, which sends the automaton back to the root). The goto function is then one
 * addition and one comparison: the child of `s` on code c is t = base[s] + c when check[t] = s.
 * base, check, fail and out of a state sit side by side (`cells`, 4 ints a state), so one step
 * of the scan touches one cache line.
 * Failure links are the classic breadth-first construction; `out[s]` is the longest keyword
 * ending at s (s itself when terminal, else the nearest terminal suffix) and `dict[u]` chains to
 * the next shorter one, so every occurrence is reported, overlapping ones included.
 *
 * Matching on code units equals matching on code points for well-formed strings: a keyword
 * starts with a high surrogate or a BMP unit, so it never matches from the middle of a pair.
 */

export interface Trie {
  readonly codeOf: Uint16Array;
  /** Per state s: [4s] base, [4s + 1] check, [4s + 2] fail, [4s + 3] out. */
  readonly cells: Int32Array;
  readonly dict: Int32Array;
  /** Pattern number ending at a state, or -1. */
  readonly term: Int32Array;
  readonly patternLength: Int32Array;
  /** Entries of pattern p: entries[patternStart[p] .. patternStart[p + 1]). */
  readonly patternStart: Int32Array;
  readonly entries: Int32Array;
}

const FREE = -1;
const ROOT_CHECK = -2;

/** Compiles the automaton for `keywords[i]` (already normalized, non-empty), reporting entry numbers `entryOf[i]`. */
export function compileTrie(keywords: readonly string[], entryOf: readonly number[]): Trie {
  const { patterns, patternStart, entries } = groupByKeyword(keywords, entryOf);
  const codeOf = alphabet(patterns);
  const sorted = patterns.map((p) => Array.from({ length: p.length }, (_, i) => codeOf[p.charCodeAt(i)]!));
  const order = sorted.map((_, i) => i).sort((x, y) => compareCodes(sorted[x]!, sorted[y]!));
  const built = place(order.map((i) => sorted[i]!), order);
  const { fail, out, dict } = links(built);
  const cells = new Int32Array(4 * built.check.length);
  for (let s = 0; s < built.check.length; s++) {
    cells[4 * s] = built.base[s]!;
    cells[4 * s + 1] = built.check[s]!;
    cells[4 * s + 2] = fail[s]!;
    cells[4 * s + 3] = out[s]!;
  }
  const patternLength = Int32Array.from(patterns, (p) => p.length);
  return { codeOf, cells, dict, term: built.term, patternLength, patternStart, entries };
}

/** Distinct keywords become patterns; the entries that share one are listed together. */
function groupByKeyword(keywords: readonly string[], entryOf: readonly number[]): { patterns: string[]; patternStart: Int32Array; entries: Int32Array } {
  const byKeyword = new Map<string, number[]>();
  keywords.forEach((k, i) => {
    const list = byKeyword.get(k);
    if (list === undefined) byKeyword.set(k, [entryOf[i]!]);
    else list.push(entryOf[i]!);
  });
  const patterns = [...byKeyword.keys()];
  const patternStart = new Int32Array(patterns.length + 1);
  const entries = new Int32Array(keywords.length);
  let at = 0;
  patterns.forEach((p, i) => {
    for (const e of byKeyword.get(p)!) entries[at++] = e;
    patternStart[i + 1] = at;
  });
  return { patterns, patternStart, entries };
}

/** Codes fit 16 bits: a normalized keyword never contains an upper-case letter, so at most 65,535 units occur. */
function alphabet(patterns: readonly string[]): Uint16Array {
  const frequency = new Uint32Array(1 << 16);
  for (const p of patterns) for (let i = 0; i < p.length; i++) frequency[p.charCodeAt(i)]!++;
  const units: number[] = [];
  frequency.forEach((f, unit) => f > 0 && units.push(unit));
  units.sort((a, b) => frequency[b]! - frequency[a]! || a - b);
  if (units.length >= 1 << 16) throw new RangeError('keywords use every UTF-16 code unit: they cannot be normalized');
  const codeOf = new Uint16Array(1 << 16);
  units.forEach((unit, i) => (codeOf[unit] = i + 1));
  return codeOf;
}

function compareCodes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

interface Placed {
  base: Int32Array;
  check: Int32Array;
  term: Int32Array;
  /** States in breadth-first order, with the code that leads to each from its parent. */
  bfs: Int32Array;
  codeIn: Int32Array;
  parent: Int32Array;
  states: number;
}

/**
 * Lays the trie of the sorted code sequences out breadth-first: each state's children (a run of
 * the sorted list sharing the state's prefix) get the first base whose cells are all free.
 */
function place(codes: readonly (readonly number[])[], patternOf: readonly number[]): Placed {
  const cells = new Cells();
  cells.take(0, ROOT_CHECK);
  const bfs: number[] = [0];
  const codeIn: number[] = [0];
  const parent: number[] = [-1];
  const queue: Array<[state: number, lo: number, hi: number, depth: number]> = [[0, 0, codes.length, 0]];
  for (let head = 0; head < queue.length; head++) {
    const [state, lo0, hi, depth] = queue[head]!;
    let lo = lo0;
    if (lo < hi && codes[lo]!.length === depth) cells.term[state] = patternOf[lo++]!;
    const runs: Array<[code: number, lo: number, hi: number]> = [];
    for (let i = lo; i < hi; i++) {
      const c = codes[i]![depth]!;
      if (runs.length > 0 && runs.at(-1)![0] === c) runs.at(-1)![2] = i + 1;
      else runs.push([c, i, i + 1]);
    }
    if (runs.length === 0) continue;
    const b = cells.findBase(runs.map((r) => r[0]));
    cells.base[state] = b;
    for (const [c, rlo, rhi] of runs) {
      cells.take(b + c, state);
      bfs.push(b + c);
      codeIn.push(c);
      parent.push(state);
      queue.push([b + c, rlo, rhi, depth + 1]);
    }
  }
  const states = bfs.length;
  const size = cells.size();
  const [base, check, term] = [cells.base.slice(0, size), cells.check.slice(0, size), cells.term.slice(0, size)];
  return { base, check, term, bfs: Int32Array.from(bfs), codeIn: Int32Array.from(codeIn), parent: Int32Array.from(parent), states };
}

/** The double array while it is being filled: grows, and finds free bases through a list of the free cells in order. */
class Cells {
  base: Int32Array = new Int32Array(0);
  check: Int32Array = new Int32Array(0);
  term: Int32Array = new Int32Array(0);
  /** Free cells as a doubly linked list in index order; -1 ends it. */
  private next: Int32Array = new Int32Array(0);
  private prev: Int32Array = new Int32Array(0);
  private head = -1;
  private tail = -1;
  private highest = 0;
  private maxCode = 0;

  take(cell: number, owner: number): void {
    this.ensure(cell + 1);
    this.check[cell] = owner;
    this.highest = Math.max(this.highest, cell);
    const [before, after] = [this.prev[cell]!, this.next[cell]!];
    if (before >= 0) this.next[before] = after;
    else this.head = after;
    if (after >= 0) this.prev[after] = before;
    else this.tail = before;
  }

  /** The smallest base b ≥ 0 with every b + code free (codes ascending). */
  findBase(codes: readonly number[]): number {
    const first = codes[0]!;
    this.maxCode = Math.max(this.maxCode, codes.at(-1)!);
    for (let cell = this.head; ; cell = this.next[cell]!) {
      if (cell < 0 || this.next[cell]! < 0) this.ensure(this.check.length + this.maxCode + 1);
      if (cell < 0) cell = this.head;
      if (cell < first) continue;
      const b = cell - first;
      this.ensure(b + this.maxCode + 1);
      let fits = true;
      for (let i = 1; i < codes.length && fits; i++) fits = this.check[b + codes[i]!] === FREE;
      if (fits) return b;
    }
  }

  /** Cells in use, plus room for any code from the highest base, so lookups never leave the arrays. */
  size(): number {
    let maxBase = 0;
    for (let s = 0; s <= this.highest; s++) if (this.check[s] !== FREE) maxBase = Math.max(maxBase, this.base[s]!);
    const size = Math.max(this.highest + 1, maxBase + this.maxCode + 1);
    this.ensure(size);
    return size;
  }

  private ensure(length: number): void {
    const old = this.check.length;
    if (length <= old) return;
    const capacity = Math.max(length, old * 2, 1024);
    const grow = (array: Int32Array, fill: number): Int32Array => {
      const next = new Int32Array(capacity).fill(fill);
      next.set(array);
      return next;
    };
    this.base = grow(this.base, 0);
    this.check = grow(this.check, FREE);
    this.term = grow(this.term, -1);
    this.next = grow(this.next, -1);
    this.prev = grow(this.prev, -1);
    for (let cell = old; cell < capacity; cell++) {
      this.prev[cell] = cell === old ? this.tail : cell - 1;
      this.next[cell] = cell + 1 < capacity ? cell + 1 : -1;
    }
    if (this.tail >= 0) this.next[this.tail] = old;
    else this.head = old;
    this.tail = capacity - 1;
  }
}

/** Failure, output and dictionary-suffix links, breadth-first (CACM 1975, algorithm 3). */
function links(placed: Placed): { fail: Int32Array; out: Int32Array; dict: Int32Array } {
  const { base, check, term, bfs, codeIn, parent } = placed;
  const size = check.length;
  const fail = new Int32Array(size);
  const out = new Int32Array(size).fill(-1);
  const dict = new Int32Array(size).fill(-1);
  for (let k = 1; k < placed.states; k++) {
    const s = bfs[k]!;
    const c = codeIn[k]!;
    let f = parent[k]!;
    let target = 0;
    while (f !== 0) {
      f = fail[f]!;
      const t = base[f]! + c;
      if (check[t] === f) {
        target = t;
        break;
      }
    }
    fail[s] = target;
    dict[s] = term[target]! >= 0 ? target : dict[target]!;
    out[s] = term[s]! >= 0 ? s : dict[s]!;
  }
  return { fail, out, dict };
}

/**
 * Runs the automaton over `text` and appends (entry, start, end) for every occurrence, in the
 * order their ends are reached. `text` is the normalized text; positions are into it.
 */
export function scanTrie(trie: Trie, text: string, hits: number[]): void {
  const { codeOf, cells, dict, term, patternLength, patternStart, entries } = trie;
  let state = 0;
  for (let i = 0; i < text.length; i++) {
    const c = codeOf[text.charCodeAt(i)]!;
    if (c === 0) {
      state = 0;
      continue;
    }
    for (;;) {
      const t = cells[4 * state]! + c;
      if (cells[4 * t + 1] === state) {
        state = t;
        break;
      }
      if (state === 0) break;
      state = cells[4 * state + 2]!;
    }
    for (let u = cells[4 * state + 3]!; u >= 0; u = dict[u]!) {
      const p = term[u]!;
      const start = i + 1 - patternLength[p]!;
      for (let e = patternStart[p]!, end = patternStart[p + 1]!; e < end; e++) hits.push(entries[e]!, start, i + 1);
    }
  }
}

export function trieBytes(trie: Trie): number {
  return [trie.codeOf, trie.cells, trie.dict, trie.term, trie.patternLength, trie.patternStart, trie.entries].reduce((n, a) => n + a.byteLength, 0);
}
