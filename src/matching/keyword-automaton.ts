/**
 * Aho–Corasick over normalized keywords, so a listing is scanned once for every code word of the
 * federation. The text is normalized first (NFKC, case fold, traditional → simplified, evasive
 * spacing and punctuation removed: `象 牙`, `象-牙`, `象牙手鐲`), and each hit is mapped back to
 * its position in the original text. The trie is kept in flat typed arrays (a goto table per
 * state as sorted edge lists) and rebuilt lazily after changes. Pure: no I/O, no clock.
 */
import { normalizeKeywordWithMap, originalRange } from '../indicators/index.js';

export interface KeywordHit {
  readonly id: string;
  readonly keyword: string;
  /** [start, end) in UTF-16 code units of the original text. */
  readonly start: number;
  readonly end: number;
}

interface Built {
  /** Per state: its edges as a sorted run in `edgeChars`/`edgeTargets`. */
  edgeStart: Uint32Array;
  edgeCount: Uint32Array;
  edgeChars: Uint16Array;
  edgeTargets: Uint32Array;
  fail: Uint32Array;
  /** Per state: keywords ending here (through the output links too). */
  outputs: number[][];
}

export class KeywordAutomaton {
  private readonly keywords = new Map<string, string>(); // id → normalized keyword
  private built: Built | undefined;
  private list: Array<[string, string]> = [];

  get size(): number {
    return this.keywords.size;
  }

  /** `keyword` must already be normalized (as published indicators are). */
  add(id: string, keyword: string): void {
    if (keyword.length === 0) throw new RangeError('an empty keyword matches nothing');
    this.keywords.set(id, keyword);
    this.built = undefined;
  }

  remove(id: string): void {
    if (this.keywords.delete(id)) this.built = undefined;
  }

  /** Every keyword occurrence in `text`, overlapping ones included, ordered by position. */
  match(text: string): KeywordHit[] {
    const automaton = (this.built ??= this.build());
    const map = normalizeKeywordWithMap(text);
    const s = map.normalized;
    const hits: KeywordHit[] = [];
    let state = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let next = step(automaton, state, c);
      while (next < 0 && state !== 0) {
        state = automaton.fail[state]!;
        next = step(automaton, state, c);
      }
      state = next < 0 ? 0 : next;
      for (const k of automaton.outputs[state]!) {
        const [id, keyword] = this.list[k]!;
        const [start, end] = originalRange(map, i + 1 - keyword.length, i + 1);
        hits.push({ id, keyword, start, end });
      }
    }
    return hits.sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
  }

  private build(): Built {
    this.list = [...this.keywords];
    const children: Array<Map<number, number>> = [new Map()];
    const ends: number[][] = [[]];
    this.list.forEach(([, keyword], k) => {
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = keyword.charCodeAt(i);
        let next = children[state]!.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ends.push([]);
          children[state]!.set(c, next);
        }
        state = next;
      }
      ends[state]!.push(k);
    });
    return flatten(children, ends);
  }
}

/** Breadth-first failure links (the classic construction), then flat sorted edge lists. */
function flatten(children: Array<Map<number, number>>, ends: number[][]): Built {
  const n = children.length;
  const fail = new Uint32Array(n);
  const outputs: number[][] = ends.map((e) => [...e]);
  const queue: number[] = [...children[0]!.values()];
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    for (const [c, next] of children[state]!) {
      let f = fail[state]!;
      while (f !== 0 && !children[f]!.has(c)) f = fail[f]!;
      const target = children[f]!.get(c);
      fail[next] = target !== undefined && target !== next ? target : 0;
      outputs[next]!.push(...outputs[fail[next]!]!);
      queue.push(next);
    }
  }
  const edgeStart = new Uint32Array(n);
  const edgeCount = new Uint32Array(n);
  const total = children.reduce((sum, m) => sum + m.size, 0);
  const edgeChars = new Uint16Array(total);
  const edgeTargets = new Uint32Array(total);
  let at = 0;
  children.forEach((m, state) => {
    edgeStart[state] = at;
    edgeCount[state] = m.size;
    for (const [c, target] of [...m].sort((a, b) => a[0] - b[0])) {
      edgeChars[at] = c;
      edgeTargets[at++] = target;
    }
  });
  return { edgeStart, edgeCount, edgeChars, edgeTargets, fail, outputs };
}

/** The goto function: binary search in the state's sorted edges; -1 when there is none. */
function step(a: Built, state: number, c: number): number {
  let lo = a.edgeStart[state]!;
  let hi = lo + a.edgeCount[state]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a.edgeChars[mid]!;
    if (x === c) return a.edgeTargets[mid]!;
    if (x < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
