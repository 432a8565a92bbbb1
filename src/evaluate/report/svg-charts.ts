import { escapeHtml } from './escape-html.ts';

/** Colours for runs, in run order; chosen to stay distinct when printed in grey. */
export const RUN_COLOURS = ['#1f6feb', '#d9480f', '#2b8a3e', '#862e9c', '#e8590c', '#495057'];

/** One bar: a mean with an optional 95% interval. */
export interface IntervalBar {
  label: string;
  value: number;
  interval: [number, number] | null;
  colour: string;
}

/** One group of bars (a metric), each bar one run. */
export interface BarGroup {
  label: string;
  bars: IntervalBar[];
}

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

function format(value: number): string {
  return Math.abs(value) >= 1000 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
}

/** Horizontal bars on a 0..max axis with interval whiskers, one row per run within each group. */
export function intervalBarChart(groups: readonly BarGroup[], options: { max?: number } = {}): string {
  const width = 640;
  const labelWidth = 170;
  const plotWidth = width - labelWidth - 70;
  const rowHeight = 14;
  const groupGap = 10;
  const max =
    options.max ??
    Math.max(1e-9, ...groups.flatMap((group) => group.bars.map((bar) => bar.interval?.[1] ?? bar.value)));
  const x = (value: number) => labelWidth + (Math.max(0, Math.min(value, max)) / max) * plotWidth;
  const parts: string[] = [];
  let y = 4;
  for (const group of groups) {
    parts.push(`<text x="0" y="${y + 11}" ${FONT}>${escapeHtml(group.label)}</text>`);
    for (const bar of group.bars) {
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${(x(bar.value) - labelWidth).toFixed(1)}" height="${rowHeight - 3}" fill="${bar.colour}" opacity="0.8"><title>${escapeHtml(`${bar.label}: ${format(bar.value)}`)}</title></rect>`,
      );
      if (bar.interval) {
        const [low, high] = bar.interval;
        const middle = y + (rowHeight - 3) / 2;
        parts.push(
          `<path d="M${x(low).toFixed(1)} ${middle}H${x(high).toFixed(1)}M${x(low).toFixed(1)} ${middle - 4}v8M${x(high).toFixed(1)} ${middle - 4}v8" stroke="#111" stroke-width="1.2" fill="none"/>`,
        );
      }
      parts.push(`<text x="${width - 64}" y="${y + 10}" ${FONT}>${format(bar.value)}</text>`);
      y += rowHeight;
    }
    y += groupGap;
  }
  parts.push(
    `<path d="M${labelWidth} 0V${y - groupGap}" stroke="#888"/>`,
    `<text x="${labelWidth}" y="${y + 4}" ${FONT}>0</text>`,
    `<text x="${labelWidth + plotWidth - 20}" y="${y + 4}" ${FONT}>${format(max)}</text>`,
  );
  return svg(width, y + 10, parts);
}

/** Five-number summary of a sample, with quartiles by linear interpolation. */
export function fiveNumberSummary(
  values: readonly number[],
): [number, number, number, number, number] | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const quantile = (q: number) => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    const a = sorted[low] as number;
    const b = sorted[high] as number;
    return a + (b - a) * (position - low);
  };
  return [sorted[0] as number, quantile(0.25), quantile(0.5), quantile(0.75), sorted.at(-1) as number];
}

/** One box of a box plot: a labelled sample. */
export interface BoxSample {
  label: string;
  values: number[];
  colour: string;
}

/** Horizontal box plots (min, quartiles, median, max) on a shared millisecond axis. */
export function boxPlotChart(samples: readonly BoxSample[], unit = 'ms'): string {
  const width = 640;
  const labelWidth = 170;
  const plotWidth = width - labelWidth - 20;
  const rowHeight = 22;
  const max = Math.max(1e-9, ...samples.flatMap((sample) => sample.values));
  const x = (value: number) => labelWidth + (value / max) * plotWidth;
  const parts: string[] = [];
  samples.forEach((sample, index) => {
    const y = 4 + index * rowHeight;
    const middle = y + 8;
    parts.push(`<text x="0" y="${middle + 4}" ${FONT}>${escapeHtml(sample.label)}</text>`);
    const summary = fiveNumberSummary(sample.values);
    if (!summary) {
      parts.push(`<text x="${labelWidth}" y="${middle + 4}" ${FONT}>no data</text>`);
      return;
    }
    const [min, q1, median, q3, maximum] = summary.map(x) as [number, number, number, number, number];
    parts.push(
      `<path d="M${min.toFixed(1)} ${middle}H${q1.toFixed(1)}M${q3.toFixed(1)} ${middle}H${maximum.toFixed(1)}M${min.toFixed(1)} ${middle - 4}v8M${maximum.toFixed(1)} ${middle - 4}v8" stroke="#333" fill="none"/>`,
      `<rect x="${q1.toFixed(1)}" y="${middle - 7}" width="${Math.max(1, q3 - q1).toFixed(1)}" height="14" fill="${sample.colour}" opacity="0.55" stroke="#333"><title>${escapeHtml(`${sample.label}: median ${format(summary[2])} ${unit}, n=${sample.values.length}`)}</title></rect>`,
      `<path d="M${median.toFixed(1)} ${middle - 7}v14" stroke="#111" stroke-width="2"/>`,
    );
  });
  const bottom = 4 + samples.length * rowHeight;
  parts.push(
    `<path d="M${labelWidth} ${bottom}H${labelWidth + plotWidth}" stroke="#888"/>`,
    `<text x="${labelWidth}" y="${bottom + 14}" ${FONT}>0</text>`,
    `<text x="${labelWidth + plotWidth - 60}" y="${bottom + 14}" ${FONT}>${format(max)} ${unit}</text>`,
  );
  return svg(width, bottom + 20, parts);
}

/** A labelled point of a scatter plot. */
export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  colour: string;
  onFrontier: boolean;
}

/** A scatter plot with the frontier points joined by a step line. */
export function scatterChart(points: readonly ScatterPoint[], axes: { x: string; y: string }): string {
  const width = 640;
  const height = 320;
  const left = 60;
  const bottom = height - 40;
  const plotWidth = width - left - 140;
  const plotHeight = bottom - 16;
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const span = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    const pad = high === low ? Math.abs(high) * 0.1 || 1 : (high - low) * 0.1;
    return [low - pad, high + pad] as const;
  };
  const [xLow, xHigh] = span(xs);
  const [yLow, yHigh] = span(ys);
  const px = (value: number) => left + ((value - xLow) / (xHigh - xLow)) * plotWidth;
  const py = (value: number) => bottom - ((value - yLow) / (yHigh - yLow)) * plotHeight;
  const parts = [
    `<path d="M${left} 16V${bottom}H${left + plotWidth}" stroke="#888" fill="none"/>`,
    `<text x="${left}" y="${bottom + 28}" ${FONT}>${escapeHtml(axes.x)} (lower is better) →</text>`,
    `<text x="4" y="12" ${FONT}>↑ ${escapeHtml(axes.y)}</text>`,
    `<text x="${left - 4}" y="${bottom}" text-anchor="end" ${FONT}>${format(yLow)}</text>`,
    `<text x="${left - 4}" y="22" text-anchor="end" ${FONT}>${format(yHigh)}</text>`,
    `<text x="${left}" y="${bottom + 14}" ${FONT}>${format(xLow)}</text>`,
    `<text x="${left + plotWidth}" y="${bottom + 14}" text-anchor="end" ${FONT}>${format(xHigh)}</text>`,
  ];
  const frontier = points.filter((point) => point.onFrontier).sort((a, b) => a.x - b.x);
  if (frontier.length > 1) {
    const path = frontier
      .map((point, index) => {
        const previous = frontier[index - 1];
        return previous
          ? `H${px(point.x).toFixed(1)}V${py(point.y).toFixed(1)}`
          : `M${px(point.x).toFixed(1)} ${py(point.y).toFixed(1)}`;
      })
      .join('');
    parts.push(`<path d="${path}" stroke="#2b8a3e" stroke-dasharray="4 3" fill="none"/>`);
  }
  for (const point of points) {
    const cx = px(point.x).toFixed(1);
    const cy = py(point.y).toFixed(1);
    parts.push(
      `<circle cx="${cx}" cy="${cy}" r="6" fill="${point.colour}" stroke="${point.onFrontier ? '#111' : 'none'}" stroke-width="2"><title>${escapeHtml(`${point.label}: ${format(point.x)}, ${format(point.y)}`)}</title></circle>`,
      `<text x="${Number(cx) + 9}" y="${Number(cy) + 4}" ${FONT}>${escapeHtml(point.label)}${point.onFrontier ? ' ★' : ''}</text>`,
    );
  }
  return svg(width, height, parts);
}

function svg(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}</svg>`;
}
