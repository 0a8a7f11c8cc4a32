/**
 * The terminal chart of `gemleak trend`: the samples, the line fitted to the steady part, and where
 * warm-up ends (and where the process restarted). Unicode where the terminal can show it, ASCII
 * otherwise; colours only when asked. Pure: numbers in, lines of text out.
 */
import type { SeriesAnalysis } from '../trend/types.js';
import { formatDuration } from '../trend/units.js';
import { createStyle } from './style.js';
import { sampleRange } from './trend-format.js';

export interface ChartOptions {
  width: number;
  height: number;
  unicode: boolean;
  color: boolean;
}

const GLYPHS = {
  unicode: { point: '•', fit: '─', warmup: '┆', restart: '│', axisY: '┤', axisLine: '│', axisCorner: '└', axisX: '─', tick: '┬' },
  ascii: { point: '*', fit: '-', warmup: ':', restart: '|', axisY: '+', axisLine: '|', axisCorner: '+', axisX: '-', tick: '+' },
};

type Cell = 'empty' | 'point' | 'fit' | 'warmup' | 'restart';

/** Draws one series; `width` and `height` are the plot area, without the axis labels. */
export function renderTrendChart(analysis: SeriesAnalysis, options: ChartOptions): string[] {
  const { series } = analysis;
  const { x, mib } = series;
  const n = mib.length;
  const width = Math.max(10, options.width);
  const height = Math.max(4, options.height);
  const glyph = options.unicode ? GLYPHS.unicode : GLYPHS.ascii;
  const style = createStyle(options.color);
  if (n === 0) return [];
  const x0 = x[0]!;
  const x1 = x[n - 1]!;
  const span = x1 - x0 || 1;
  const column = (value: number) => Math.min(width - 1, Math.max(0, Math.floor(((value - x0) / span) * (width - 1) + 0.5)));
  // The y range covers the samples (the fitted lines are drawn only inside it).
  let { low, high } = sampleRange(mib, n);
  const pad = (high - low) * 0.05;
  low -= pad;
  high += pad;
  const row = (value: number) => Math.round(((high - value) / (high - low)) * (height - 1));
  const grid: Cell[][] = Array.from({ length: height }, () => Array<Cell>(width).fill('empty'));
  const put = (r: number, c: number, cell: Cell) => {
    if (r < 0 || r >= height || c < 0 || c >= width) return;
    const current = grid[r]![c]!;
    // Samples win over the fitted line, which wins over the markers.
    const rank: Record<Cell, number> = { empty: 0, warmup: 1, restart: 2, fit: 3, point: 4 };
    if (rank[cell] > rank[current]) grid[r]![c] = cell;
  };
  const lives = analysis.lives.length > 0 ? analysis.lives : [analysis];
  for (const life of lives) {
    if (life !== analysis && life.startIndex > 0) {
      const c = column(x[life.startIndex]!);
      for (let r = 0; r < height; r++) put(r, c, 'restart');
    }
    if (life.warmupEndIndex !== null && life.warmupEndIndex > life.startIndex) {
      const c = column(x[life.warmupEndIndex]!);
      for (let r = 0; r < height; r++) put(r, c, 'warmup');
    }
    if (life.fit !== null && life.warmupEndIndex !== null) {
      const from = column(x[life.warmupEndIndex]!);
      const to = column(x[life.endIndex]!);
      for (let c = from; c <= to; c++) {
        const at = x0 + (c / (width - 1)) * span;
        const value = life.fit.intercept + life.fit.slope * at;
        if (value >= low && value <= high) put(row(value), c, 'fit');
      }
    }
  }
  // Each column shows the range of the samples that fall in it (a million samples, `width` columns).
  const lowest = new Float64Array(width).fill(Infinity);
  const highest = new Float64Array(width).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const c = column(x[i]!);
    lowest[c] = Math.min(lowest[c]!, mib[i]!);
    highest[c] = Math.max(highest[c]!, mib[i]!);
  }
  for (let c = 0; c < width; c++) {
    if (!Number.isFinite(lowest[c]!)) continue;
    for (let r = row(highest[c]!); r <= row(lowest[c]!); r++) put(r, c, 'point');
  }
  const paint: Record<Cell, (s: string) => string> = {
    empty: (s) => s,
    point: style.cyan,
    fit: style.yellow,
    warmup: style.dim,
    restart: style.red,
  };
  const char: Record<Cell, string> = { empty: ' ', point: glyph.point, fit: glyph.fit, warmup: glyph.warmup, restart: glyph.restart };
  const labelWidth = 9;
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const value = high - (r / (height - 1)) * (high - low);
    const label = r === 0 || r === height - 1 || r === Math.floor((height - 1) / 2) ? formatMib(value) : '';
    let text = '';
    let run: Cell | null = null;
    let chunk = '';
    for (const cell of grid[r]!) {
      if (cell !== run && run !== null) {
        text += paint[run](chunk);
        chunk = '';
      }
      run = cell;
      chunk += char[cell];
    }
    if (run !== null) text += paint[run](chunk);
    lines.push(`${label.padStart(labelWidth)} ${label === '' ? glyph.axisLine : glyph.axisY}${text.replace(/\s+$/, '')}`);
  }
  lines.push(`${' '.repeat(labelWidth)} ${glyph.axisCorner}${glyph.axisX.repeat(width)}`);
  const startLabel = series.timeUnit === 'seconds' ? '0' : 'sample 1';
  const endLabel = series.timeUnit === 'seconds' ? formatDuration(span) : `sample ${n}`;
  lines.push(`${' '.repeat(labelWidth + 2)}${startLabel}${endLabel.padStart(Math.max(1, width - startLabel.length))}`);
  const legend = [`${style.cyan(glyph.point)} MiB`, `${style.yellow(glyph.fit)} fitted (steady part)`];
  if (lives.some((life) => life.warmupEndIndex !== null && life.warmupEndIndex > life.startIndex)) legend.push(`${style.dim(glyph.warmup)} warm-up ends`);
  if (analysis.lives.length > 0) legend.push(`${style.red(glyph.restart)} restart`);
  lines.push(`${' '.repeat(labelWidth + 2)}${legend.join('   ')}`);
  return lines;
}

function formatMib(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1024).toFixed(1)} GiB`;
  return `${value.toFixed(abs >= 100 ? 0 : 1)} MiB`;
}
