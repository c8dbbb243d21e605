/**
 * `promtool check metrics`, reimplemented for tests (promtool is not installable here): a parser
 * of the Prometheus text exposition format 0.0.4 and the lint rules of prometheus/client_golang's
 * testutil/promlint, which promtool runs. Each problem is reported as promtool words it.
 */

export interface MetricFamily {
  readonly name: string;
  help?: string;
  type?: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;

/** The families of an exposition, in order; a sample belongs to the family it extends (`_bucket`, `_sum`, `_count`, `_total`). */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') f.help = meta[3] ?? '';
      else f.type = (meta[3] ?? 'untyped') as MetricFamily['type'];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const name = m[1]!;
    const owner = [...families.keys()].reverse().find((f) => name === f || (name.startsWith(f) && /^_(bucket|sum|count|total|created)$/.test(name.slice(f.length)))) ?? name;
    family(owner).samples.push({ name, labels, value: Number(m[3]) });
  }
  return families;
}

/** promlint's units (validations/units.go): each to its base unit, with the SI and binary prefixes it recognises. */
const UNITS: Readonly<Record<string, string>> = {
  amperes: 'amperes', bytes: 'bytes', celsius: 'celsius', grams: 'grams', joules: 'joules', kelvin: 'kelvin', meters: 'meters', metres: 'metres', seconds: 'seconds', volts: 'volts',
  minutes: 'seconds', hours: 'seconds', days: 'seconds', weeks: 'seconds', kelvins: 'kelvin', fahrenheit: 'celsius', rankine: 'celsius', inches: 'meters', yards: 'meters', miles: 'meters',
  bits: 'bytes', calories: 'joules', pounds: 'grams', ounces: 'grams',
};
const PREFIXES = ['pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'kibi', 'mega', 'mibi', 'giga', 'gibi', 'tera', 'tebi', 'peta', 'pebi'];
const ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const TYPE_WORDS = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

function unitProblems(name: string): string[] {
  const problems: string[] = [];
  for (const [unit, base] of Object.entries(UNITS)) {
    for (const prefix of PREFIXES) if (name.includes(`_${prefix}${unit}`)) problems.push(`use base unit "${base}" instead of "${prefix}${unit}"`);
    if (unit !== base && name.includes(`_${unit}`)) problems.push(`use base unit "${base}" instead of "${unit}"`);
  }
  for (const a of ABBREVIATIONS) if (name.includes(`_${a}_`) || name.endsWith(`_${a}`)) problems.push('metric names should not contain abbreviated units');
  return problems;
}

/** Every problem promtool's lint would report, as `name: text`. */
export function lintExposition(families: ReadonlyMap<string, MetricFamily>): string[] {
  const problems: string[] = [];
  const report = (name: string, text: string): void => void problems.push(`${name}: ${text}`);
  for (const f of families.values()) {
    const { name, type } = f;
    if (!f.help) report(name, 'no help text');
    if (type === undefined) report(name, 'no type');
    if (type === 'counter' && !name.endsWith('_total')) report(name, 'counter metrics should have "_total" suffix');
    if (type !== 'counter' && name.endsWith('_total')) report(name, 'non-counter metrics should not have "_total" suffix');
    if (type !== 'histogram' && type !== 'summary') {
      for (const suffix of ['_bucket', '_count', '_sum']) if (name.endsWith(suffix)) report(name, `non-histogram and non-summary metrics should not have "${suffix}" suffix`);
    }
    for (const problem of unitProblems(name)) report(name, problem);
    for (const w of name.split('_')) if (TYPE_WORDS.includes(w)) report(name, `metric name should not include type '${w}'`);
    if (name.includes(':')) report(name, "metric names should not contain ':'");
    if (/[A-Z]/.test(name)) report(name, "metric names should be written in 'snake_case' not 'camelCase'");
    for (const s of f.samples) {
      for (const label of Object.keys(s.labels)) if (/[A-Z]/.test(label)) report(name, `label names should be written in 'snake_case' not 'camelCase'`);
      if (type !== 'histogram' && 'le' in s.labels) report(name, 'non-histogram metrics should not have "le" label');
      if (type !== 'summary' && 'quantile' in s.labels) report(name, 'non-summary metrics should not have "quantile" label');
    }
  }
  return [...new Set(problems)];
}
