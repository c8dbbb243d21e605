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

export function drawChart(container: HTMLElement, xs: readonly number[], series: readonly Series[]): { destroy(): void } {
  const width = Math.max(320, container.clientWidth || 720);
  const plot = new uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: true } },
      axes: [{}, { size: 48 }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length]!, width: 2, points: { show: xs.length <= 60 } }))],
    },
    [xs.map((x) => x / 1000), ...series.map((s) => s.values)],
    container,
  );
  return { destroy: () => plot.destroy() };
}
