import { indicatorId, InvalidIndicatorError, isTlp, parseIndicator, type PublishedIndicator, type Tlp } from '../../indicators/index.js';
import { IdentifierInValueError, screenIndicator } from '../../identifiers/index.js';
import { keywordSpecificity } from '../../guards/index.js';
import { CliError } from '../files.js';

export interface PublishGroup {
  tlp: Tlp;
  indicators: PublishedIndicator[];
  retractions: Array<{ indicatorId: string; reason: string }>;
}

const INDICATOR_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Reads FILE.jsonl: each line an indicator in its published form (an optional "tlp" picks the
 * batch group) or `{"retract": "<indicatorId>", "reason": "…"}`. Every line is checked before
 * anything is signed or sent, with the hub's screen for identifiers in text values among the
 * checks; all bad lines are reported at once, by line number.
 */
export function readPublishFile(text: string, defaultTlp: Tlp): PublishGroup[] {
  const groups = new Map<Tlp, PublishGroup>();
  const problems: string[] = [];
  let identifiers = 0;
  const groupFor = (tlp: Tlp): PublishGroup => {
    let group = groups.get(tlp);
    if (group === undefined) groups.set(tlp, (group = { tlp, indicators: [], retractions: [] }));
    return group;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    try {
      readLine(JSON.parse(line) as unknown, i + 1, defaultTlp, groupFor);
    } catch (err) {
      if (err instanceof IdentifierInValueError) identifiers += 1;
      problems.push(`line ${i + 1}: ${err instanceof InvalidIndicatorError ? `${err.field} ${err.reason}` : (err as Error).message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('\n  ');
    // Nothing is signed: an identifier never reaches a signature, let alone the log.
    const code = identifiers === problems.length ? 'IDENTIFIER_IN_VALUE' : 'INVALID_ARGUMENT';
    throw new CliError(code, `${problems.length} invalid line(s), nothing was sent:\n  ${shown}${problems.length > 20 ? '\n  …' : ''}`);
  }
  return [...groups.values()];
}

function readLine(value: unknown, lineNo: number, defaultTlp: Tlp, groupFor: (tlp: Tlp) => PublishGroup): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('each line must be a JSON object');
  const { tlp = defaultTlp, ...rest } = value as Record<string, unknown>;
  if (!isTlp(tlp)) throw new Error(`tlp must be one of CLEAR, GREEN, AMBER, AMBER_STRICT, RED`);
  if ('retract' in rest) {
    const { retract, reason = 'withdrawn', ...extra } = rest;
    if (Object.keys(extra).length > 0) throw new Error(`unknown field ${Object.keys(extra)[0]} in a retraction`);
    if (typeof retract !== 'string' || !INDICATOR_ID.test(retract)) throw new Error('retract must be an indicator id (43 base64url characters)');
    if (typeof reason !== 'string' || reason.length > 1000) throw new Error('reason must be text of at most 1000 characters');
    groupFor(tlp).retractions.push({ indicatorId: retract, reason });
    return;
  }
  const indicator = parseIndicator(withListings(rest), lineNo);
  // The hub refuses it too; refusing here means nothing broad is ever signed.
  const specificity = indicator.type === 'KEYWORD' ? keywordSpecificity(indicator.value) : undefined;
  if (specificity?.broad === true) throw new Error(`KEYWORD_TOO_BROAD (${specificity.rule}): value ${specificity.reason}`);
  const hit = screenIndicator(indicator);
  if (hit !== undefined) throw new IdentifierInValueError(lineNo, hit);
  groupFor(tlp).indicators.push(indicator);
}

/** A line may name one listing as `listing` (a pseudonym, checked as the item's `listings` is). */
function withListings(line: Record<string, unknown>): Record<string, unknown> {
  if (!('listing' in line)) return line;
  const { listing, ...rest } = line;
  if ('listings' in rest) throw new Error('give either listing or listings, not both');
  return { ...rest, listings: [listing] };
}

/**
 * Splits each TLP group into batches of at most `size` items, deterministically (a journal made
 * from the same file and flags is resumed batch by batch). Indicator batches come first and
 * retraction batches after them, never mixed: the hub only lets a member retract what it had
 * already reported before the retracting batch, so the publisher sends retractions once every
 * report of the file is in. A second line with the same indicator starts a new batch, since one
 * batch holds one sighting per indicator.
 */
export function toBatches(groups: readonly PublishGroup[], size: number): PublishGroup[] {
  const reports: PublishGroup[] = [];
  const retractions: PublishGroup[] = [];
  for (const group of groups) {
    let current: PublishGroup | undefined;
    let ids = new Set<string>();
    for (const indicator of group.indicators) {
      const id = indicatorId(indicator.type, indicator.value);
      if (current === undefined || current.indicators.length >= size || ids.has(id)) {
        reports.push((current = { tlp: group.tlp, indicators: [], retractions: [] }));
        ids = new Set();
      }
      current.indicators.push(indicator);
      ids.add(id);
    }
    for (let start = 0; start < group.retractions.length; start += size) {
      retractions.push({ tlp: group.tlp, indicators: [], retractions: group.retractions.slice(start, start + size) });
    }
  }
  return [...reports, ...retractions];
}
