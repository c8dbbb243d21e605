/**
 * Not part of the external API: an immutable Aho–Corasick automaton (Aho and Corasick, "Efficient
 * String Matching", CACM 1975) over UTF-16 code units, in a double array (Aoe, "An Efficient
 * Digital Search Algorithm by Using a Double-Array Structure", 1989).
 *
 * Code units are first renumbered 1..A by descending frequency in the keywords (0 = a unit no
 * keyword contains, which sends the automaton back to the root). The goto function is then one
 * addition and one comparison: the child of `s` on code c is t = base(s) + c when check[t] = s.
 *
 * Layout, for the scan's memory traffic (the automaton of 50,000 keywords is megabytes, so most
 * steps miss the cache): base and check of a state sit side by side in `cells` (8 bytes a state),
 * so a successful step reads one cache line, the one of the state it moves to, which also holds
 * the next step's base. The sign bit of a base says whether any keyword ends at the state, so
 * `out` is read only there; failure links, read only on a mismatch, are apart in `fail`.
 * `out[s]` is the longest keyword ending at s (s itself when terminal, else the nearest terminal
 * suffix) and `dict[u]` chains to the next shorter one, so every occurrence is reported,
 * overlapping ones included.
 *
 * Building takes time linear in the keywords' total length (times the log of a state's number of
 * children, to sort them): the trie is built by hashing (state, code) pairs, and each state's
 * children are placed at the first base that fits, searched from a cursor that passes over a free
 * cell once it has been tried a few times (it stays free for a state with one child, which fits
 * anywhere), so no free cell is examined more than a constant number of times.
 *
 * Matching on code units equals matching on code points for well-formed strings: a keyword
 * starts with a high surrogate or a BMP unit, so it never matches from the middle of a pair.
 */

export interface Trie {
  readonly codeOf: Uint16Array;
  /** Per state s: [2s] base, with bit 31 set when a keyword ends at s or at a suffix of it; [2s + 1] check. */
  readonly cells: Int32Array;
  readonly fail: Int32Array;
  readonly out: Int32Array;
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
const HAS_OUTPUT = 1 << 31;
const BASE = ~HAS_OUTPUT;

/** Compiles the automaton for `keywords[i]` (already normalized, non-empty), reporting entry numbers `entryOf[i]`. */
export function compileTrie(keywords: readonly string[], entryOf: readonly number[]): Trie {
  const codeOf = alphabet(keywords);
  const trie = buildTrie(keywords, codeOf);
  const { patternLength, patternStart, entries } = groupEntries(trie, keywords, entryOf);
  const placed = place(trie);
  const { fail, out, dict } = links(trie, placed);
  const cells = new Int32Array(2 * placed.size);
  for (let s = 0; s < placed.size; s++) {
    cells[2 * s] = placed.base[s]! | (out[s]! >= 0 ? HAS_OUTPUT : 0);
    cells[2 * s + 1] = placed.check[s]!;
  }
  return { codeOf, cells, fail, out, dict, term: placed.term, patternLength, patternStart, entries };
}

/** Codes fit 16 bits: a normalized keyword never contains an upper-case letter, so at most 65,535 units occur. */
function alphabet(keywords: readonly string[]): Uint16Array {
  const frequency = new Uint32Array(1 << 16);
  for (const k of keywords) for (let i = 0; i < k.length; i++) frequency[k.charCodeAt(i)]!++;
  const units: number[] = [];
  frequency.forEach((f, unit) => f > 0 && units.push(unit));
  units.sort((a, b) => frequency[b]! - frequency[a]! || a - b);
  if (units.length >= 1 << 16) throw new RangeError('keywords use every UTF-16 code unit: they cannot be normalized');
  const codeOf = new Uint16Array(1 << 16);
  units.forEach((unit, i) => (codeOf[unit] = i + 1));
  return codeOf;
}

/** The trie as linked lists: state 0 is the root; each state's children in `firstChild`/`nextSibling`. */
interface LinkedTrie {
  states: number;
  codeIn: Uint16Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** Keyword index ending at the state (the first of equal keywords), or -1. */
  keywordAt: Int32Array;
  /** Per keyword: its state. */
  stateOf: Int32Array;
}

/** Inserts every keyword, finding a state's child on a code through one hash table of (state, code) pairs. */
function buildTrie(keywords: readonly string[], codeOf: Uint16Array): LinkedTrie {
  const capacity = keywords.reduce((n, k) => n + k.length, 0) + 1;
  const t: LinkedTrie = {
    states: 1,
    codeIn: new Uint16Array(capacity),
    firstChild: new Int32Array(capacity).fill(-1),
    nextSibling: new Int32Array(capacity).fill(-1),
    keywordAt: new Int32Array(capacity).fill(-1),
    stateOf: new Int32Array(keywords.length),
  };
  const mask = (1 << Math.ceil(Math.log2(2 * capacity + 2))) - 1;
  const slotState = new Int32Array(mask + 1).fill(-1);
  const slotCode = new Uint16Array(mask + 1);
  const slotChild = new Int32Array(mask + 1);
  keywords.forEach((keyword, k) => {
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const code = codeOf[keyword.charCodeAt(i)]!;
      let slot = (Math.imul(state, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) & mask;
      while (slotState[slot] !== -1 && (slotState[slot] !== state || slotCode[slot] !== code)) slot = (slot + 1) & mask;
      if (slotState[slot] === -1) {
        const child = t.states++;
        [slotState[slot], slotCode[slot], slotChild[slot]] = [state, code, child];
        t.codeIn[child] = code;
        t.nextSibling[child] = t.firstChild[state]!;
        t.firstChild[state] = child;
      }
      state = slotChild[slot]!;
    }
    if (t.keywordAt[state] === -1) t.keywordAt[state] = k;
    t.stateOf[k] = state;
  });
  return t;
}

/** Distinct keywords become patterns (numbered by their first keyword's order); the entries that share one are listed together, in the given order. */
function groupEntries(t: LinkedTrie, keywords: readonly string[], entryOf: readonly number[]): { patternLength: Int32Array; patternStart: Int32Array; entries: Int32Array } {
  const patternOfKeyword = new Int32Array(keywords.length);
  const counts: number[] = [];
  const lengths: number[] = [];
  keywords.forEach((keyword, k) => {
    const first = t.keywordAt[t.stateOf[k]!]!;
    const p = first === k ? counts.push(0) - 1 : patternOfKeyword[first]!;
    if (first === k) lengths.push(keyword.length);
    patternOfKeyword[k] = p;
    counts[p]!++;
  });
  const patternStart = new Int32Array(counts.length + 1);
  for (let p = 0; p < counts.length; p++) patternStart[p + 1] = patternStart[p]! + counts[p]!;
  const next = patternStart.slice(0, counts.length);
  const entries = new Int32Array(keywords.length);
  keywords.forEach((_, k) => (entries[next[patternOfKeyword[k]!]!++] = entryOf[k]!));
  for (let s = 0; s < t.states; s++) if (t.keywordAt[s]! >= 0) t.keywordAt[s] = patternOfKeyword[t.keywordAt[s]!]!;
  return { patternLength: Int32Array.from(lengths), patternStart, entries };
}

interface Placed {
  size: number;
  base: Int32Array;
  check: Int32Array;
  term: Int32Array;
  cellOf: Int32Array;
}

/**
 * Lays the trie out in the double array, each state's children at the first base that fits:
 * breadth-first, so that the states near the root, where most steps go, are close together,
 * except that a chain of states with one child each (the tail of a keyword that no other keyword
 * shares) is laid out at once, so that matching along a tail reads consecutive cells.
 */
function place(t: LinkedTrie): Placed {
  const cells = new Cells(t.states);
  cells.take(0, ROOT_CHECK);
  const cellOf = new Int32Array(t.states);
  const queue = new Int32Array(t.states);
  let tail = 1;
  let codes = new Int32Array(64);
  const placeChildren = (state: number): void => {
    let k = 0;
    for (let child = t.firstChild[state]!; child >= 0; child = t.nextSibling[child]!) {
      if (k === codes.length) codes = grow(codes);
      codes[k++] = t.codeIn[child]!;
    }
    if (k === 0) return;
    const b = cells.findBase(codes.subarray(0, k).sort());
    cells.base[cellOf[state]!] = b;
    for (let child = t.firstChild[state]!; child >= 0; child = t.nextSibling[child]!) {
      cellOf[child] = b + t.codeIn[child]!;
      cells.take(cellOf[child]!, cellOf[state]!);
    }
  };
  const onlyChild = (state: number): number => (t.firstChild[state]! >= 0 && t.nextSibling[t.firstChild[state]!]! < 0 ? t.firstChild[state]! : -1);
  for (let head = 0; head < tail; head++) {
    placeChildren(queue[head]!);
    for (let child = t.firstChild[queue[head]!]!; child >= 0; child = t.nextSibling[child]!) {
      let end = child;
      for (let next = onlyChild(end); next >= 0; next = onlyChild(end)) {
        placeChildren(end);
        end = next;
      }
      if (t.firstChild[end]! >= 0) queue[tail++] = end;
    }
  }
  for (let s = 0; s < t.states; s++) cells.term[cellOf[s]!] = t.keywordAt[s]!;
  return { size: cells.size(), base: cells.base, check: cells.check, term: cells.term, cellOf };
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

/** How often a free cell may be tried as the first child of a state with several before the search passes over it. */
const TRIES_PER_CELL = 8;

/** The double array while it is being filled. */
class Cells {
  base: Int32Array;
  check: Int32Array;
  term: Int32Array;
  private tries: Uint8Array;
  /** Every cell below `single` is taken; every cell below `multi` is taken or was tried TRIES_PER_CELL times. */
  private single = 0;
  private multi = 0;
  private highest = 0;
  private maxCode = 0;

  constructor(states: number) {
    const capacity = Math.max(1024, states + (states >>> 2));
    this.base = new Int32Array(capacity);
    this.check = new Int32Array(capacity).fill(FREE);
    this.term = new Int32Array(capacity).fill(-1);
    this.tries = new Uint8Array(capacity);
  }

  take(cell: number, owner: number): void {
    this.ensure(cell + 1);
    this.check[cell] = owner;
    this.highest = Math.max(this.highest, cell);
  }

  /** The first base b ≥ 0 (from the cursors) with every b + code free; `codes` ascending. */
  findBase(codes: Int32Array): number {
    const first = codes[0]!;
    this.maxCode = Math.max(this.maxCode, codes[codes.length - 1]!);
    if (codes.length === 1) {
      while (!this.isFree(this.single)) this.single++;
      let cell = Math.max(this.single, first);
      while (!this.isFree(cell)) cell++;
      return cell - first;
    }
    while (!this.isFree(this.multi) || this.tries[this.multi]! >= TRIES_PER_CELL) this.multi++;
    for (let cell = Math.max(this.multi, first); ; cell++) {
      this.ensure(cell - first + this.maxCode + 1);
      if (this.check[cell] !== FREE) continue;
      if (this.tries[cell]! < TRIES_PER_CELL) this.tries[cell]!++;
      const b = cell - first;
      let fits = true;
      for (let i = 1; i < codes.length && fits; i++) fits = this.check[b + codes[i]!] === FREE;
      if (fits) return b;
    }
  }

  private isFree(cell: number): boolean {
    this.ensure(cell + 1);
    return this.check[cell] === FREE;
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
    if (length <= this.check.length) return;
    const capacity = Math.max(length, 2 * this.check.length);
    const grown = (array: Int32Array, fill: number): Int32Array => {
      const next = new Int32Array(capacity).fill(fill);
      next.set(array);
      return next;
    };
    this.base = grown(this.base, 0);
    this.check = grown(this.check, FREE);
    this.term = grown(this.term, -1);
    const tries = new Uint8Array(capacity);
    tries.set(this.tries);
    this.tries = tries;
  }
}

/** Failure, output and dictionary-suffix links, breadth-first (CACM 1975, algorithm 3). */
function links(t: LinkedTrie, placed: Placed): { fail: Int32Array; out: Int32Array; dict: Int32Array } {
  const { size, base, check, term, cellOf } = placed;
  const fail = new Int32Array(size);
  const out = new Int32Array(size).fill(-1);
  const dict = new Int32Array(size).fill(-1);
  const queue = new Int32Array(t.states);
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const parent = cellOf[queue[head]!]!;
    for (let child = t.firstChild[queue[head]!]!; child >= 0; child = t.nextSibling[child]!) {
      queue[tail++] = child;
      const s = cellOf[child]!;
      const c = t.codeIn[child]!;
      let f = parent;
      let target = 0;
      while (f !== 0) {
        f = fail[f]!;
        const next = base[f]! + c;
        if (check[next] === f) {
          target = next;
          break;
        }
      }
      fail[s] = target;
      dict[s] = term[target]! >= 0 ? target : dict[target]!;
      out[s] = term[s]! >= 0 ? s : dict[s]!;
    }
  }
  return { fail, out, dict };
}

/**
 * Runs the automaton over `text` and appends (entry, start, end) for every occurrence, in the
 * order their ends are reached (longest first at each end). `text` is the normalized text;
 * positions are into it.
 */
export function scanTrie(trie: Trie, text: string, hits: number[]): void {
  const { codeOf, cells, fail } = trie;
  const rootWord = cells[0]!;
  let state = 0;
  let word = rootWord;
  for (let i = 0; i < text.length; i++) {
    const c = codeOf[text.charCodeAt(i)]!;
    if (c === 0) {
      state = 0;
      word = rootWord;
      continue;
    }
    for (;;) {
      const t = (word & BASE) + c;
      if (cells[2 * t + 1] === state) {
        state = t;
        word = cells[2 * t]!;
        break;
      }
      if (state === 0) break;
      state = fail[state]!;
      word = cells[2 * state]!;
    }
    if (word < 0) report(trie, state, i + 1, hits);
  }
}

function report(trie: Trie, state: number, end: number, hits: number[]): void {
  const { out, dict, term, patternLength, patternStart, entries } = trie;
  for (let u = out[state]!; u >= 0; u = dict[u]!) {
    const p = term[u]!;
    const start = end - patternLength[p]!;
    for (let e = patternStart[p]!, last = patternStart[p + 1]!; e < last; e++) hits.push(entries[e]!, start, end);
  }
}

export function trieBytes(trie: Trie): number {
  return [trie.codeOf, trie.cells, trie.fail, trie.out, trie.dict, trie.term, trie.patternLength, trie.patternStart, trie.entries].reduce((n, a) => n + a.byteLength, 0);
}
