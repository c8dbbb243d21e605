/*
 * Internal to src/indicators: what normalization does with a cluster that stands on its own,
 * looked up instead of computed. Each entry is the rule of keyword-clusters.ts applied once to
 * that cluster, so a table can only repeat the rule, never differ from it.
 *
 * A cluster is *settled* when its normalized form is empty, or begins with a code point that
 * does not extend a cluster and is left unchanged by a further pass. A settled cluster's output
 * cannot join its neighbours' in a later pass, so it can be emitted as is; any other cluster
 * goes through the general path (see keyword-normalization.ts).
 *
 * Single code points live in pages of 256 entries, filled the first time a code point of the
 * page is seen (about a millisecond each; the CJK block is 82 pages), so the tables hold only
 * the scripts a deployment sees. Clusters of several code points (a base and its marks: Thai,
 * Devanagari, emoji with a variation selector) go through a bounded cache.
 */
import { extendsCluster, normalizeCluster, normalizePass } from './keyword-clusters.js';

/** Entry bit 0: the code point extends the cluster before it. */
export const EXTENDS = 1;
/** Entry bits 1–2: what the code point becomes when it is a cluster on its own; bits 3+: the payload. */
export const KIND_MASK = 6;
/** Not settled (or extends): take the general path. */
export const COMPLEX = 0;
/** Normalizes to nothing. */
export const DROPPED = 2;
/** Normalizes to one UTF-16 code unit, the payload. */
export const UNIT = 4;
/** Normalizes to the string `expansions[payload]` (an astral character, ß → ss, ㎏ → kg). */
export const EXPANSION = 6;
export const PAYLOAD_SHIFT = 3;

const PAGE_BITS = 8;
const PAGE_SIZE = 1 << PAGE_BITS;
const pages: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(0x110000 >>> PAGE_BITS).fill(undefined);
export const expansions: string[] = [];
const expansionIndex = new Map<string, number>();

/** The table entry of a code point (0–0x10FFFF, lone surrogates included). */
export function codePointEntry(cp: number): number {
  const page = pages[cp >>> PAGE_BITS] ?? fillPage(cp >>> PAGE_BITS);
  return page[cp & (PAGE_SIZE - 1)]!;
}

function fillPage(index: number): Int32Array {
  const page = new Int32Array(PAGE_SIZE);
  for (let k = 0; k < PAGE_SIZE; k += 1) {
    const cp = (index << PAGE_BITS) | k;
    const char = cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    page[k] = extendsCluster(char) ? EXTENDS | COMPLEX : encode(settledForm(char));
  }
  pages[index] = page;
  return page;
}

function encode(form: string | null): number {
  if (form === null) return COMPLEX;
  if (form.length === 0) return DROPPED;
  if (form.length === 1) return UNIT | (form.charCodeAt(0) << PAYLOAD_SHIFT);
  let at = expansionIndex.get(form);
  if (at === undefined) {
    at = expansions.push(form) - 1;
    expansionIndex.set(form, at);
  }
  return EXPANSION | (at << PAYLOAD_SHIFT);
}

/** The normalized form of `cluster` when it is settled, else null. */
function settledForm(cluster: string): string | null {
  const form = normalizeCluster(cluster);
  if (form.length === 0) return form;
  if (extendsCluster(String.fromCodePoint(form.codePointAt(0)!))) return null;
  return normalizePass(form).normalized === form ? form : null;
}

/** Enough for the clusters of a few scripts at once; a text of more distinct ones only recomputes some. */
const MAX_CACHED_CLUSTERS = 16_384;
const clusterForms = new Map<string, string | null>();

/** As `settledForm`, for a cluster of several code points, cached. */
export function clusterForm(cluster: string): string | null {
  let form = clusterForms.get(cluster);
  if (form === undefined) {
    form = settledForm(cluster);
    if (clusterForms.size >= MAX_CACHED_CLUSTERS) clusterForms.clear();
    clusterForms.set(cluster, form);
  }
  return form;
}
