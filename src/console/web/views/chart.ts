/**
 * Time-series charts with uPlot (loaded with the trends view): small, canvas-drawn, and styled
 * by the console's stylesheet (uPlot's own CSS is bundled into it), so nothing inline.
 */
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: number[];
}

const PALETTE = ['#1f6feb', '#b3261e', '#2da44e', '#8250df', '#d29922', '#0a7d8c', '#bf3989', '#57606a', '#953800', '#116329'];

/** The page's language for what uPlot would write in English: the legend's time label and the dates. */
export interface ChartLocale {
  /** A BCP 47 tag, `en` or `zh-CN`. */
  readonly tag: string;
  /** The legend's label of the time series (uPlot's own is "Time"). */
  readonly timeLabel: string;
}

export function drawChart(container: HTMLElement, xs: readonly number[], series: readonly Series[], locale: ChartLocale): { destroy(): void } {
  const width = Math.max(320, container.clientWidth || 720);
  // Buckets are UTC days: dates in UTC, in the page's language (uPlot's month names are English).
  const tick = new Intl.DateTimeFormat(locale.tag, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const full = new Intl.DateTimeFormat(locale.tag, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
  const plot = new uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: true } },
      axes: [{ values: (_u: uPlot, splits: number[]) => splits.map((x) => tick.format(x * 1000)) }, { size: 48 }],
      series: [{ label: locale.timeLabel, value: (_u: uPlot, x: number | null) => (x === null ? '--' : full.format(x * 1000)) }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length]!, width: 2, points: { show: xs.length <= 60 } }))],
    },
    [xs.map((x) => x / 1000), ...series.map((s) => s.values)],
    container,
  );
  return { destroy: () => plot.destroy() };
}
