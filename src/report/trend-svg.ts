/**
 * The trend chart as SVG: the samples, the line fitted to each steady part, where warm-up ends and
 * where the process restarted. `--format svg` writes the chart alone (one panel per series); the
 * HTML page inlines the same panels. Pure; every text from the input is XML-escaped.
 */
import type { SeriesAnalysis, TrendResult } from '../trend/types.js';
import { formatDuration } from '../trend/units.js';
import { formatNumber, sampleRange } from './trend-format.js';

const PANEL = { width: 900, height: 320, left: 72, right: 24, top: 36, bottom: 44 };

export const SVG_COLORS = { series: '#1f6feb', fit: '#d9480f', warmup: '#6e7781', restart: '#cf222e', grid: '#e6e8eb', text: '#24292f' };

export function renderTrendSvg(result: TrendResult): string {
  const panels = result.series.map((analysis, i) => `<g transform="translate(0 ${i * PANEL.height})">${seriesPanel(analysis)}</g>`);
  const height = PANEL.height * result.series.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL.width}" height="${height}" viewBox="0 0 ${PANEL.width} ${height}" font-family="system-ui, sans-serif" font-size="12">\n<title>gemleak trend: ${escapeXml(result.verdict)}</title>\n<rect width="100%" height="100%" fill="#ffffff"/>\n${panels.join('\n')}\n</svg>\n`;
}

/** One series as a standalone `<svg>` element (for the HTML page). */
export function renderSeriesSvg(analysis: SeriesAnalysis): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${PANEL.width}" height="${PANEL.height}" viewBox="0 0 ${PANEL.width} ${PANEL.height}" role="img" aria-label="${escapeXml(`${analysis.series.name}: ${analysis.verdict}`)}" font-family="system-ui, sans-serif" font-size="12"><rect width="100%" height="100%" fill="#ffffff"/>${seriesPanel(analysis)}</svg>`;
}

function seriesPanel(analysis: SeriesAnalysis): string {
  const { series } = analysis;
  const { x, mib } = series;
  const n = mib.length;
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const parts: string[] = [];
  parts.push(
    `<text class="title" x="${PANEL.left}" y="22" fill="${SVG_COLORS.text}" font-size="14" font-weight="600">${escapeXml(shorten(series.name, TITLE_MAX_CHARS))} — ${escapeXml(analysis.verdict)}</text>`,
  );
  if (n === 0) return parts.join('');
  let { low, high } = sampleRange(mib, n);
  const ticks = niceTicks(low, high, 5);
  low = Math.min(low, ticks[0]!);
  high = Math.max(high, ticks[ticks.length - 1]!);
  const x0 = x[0]!;
  const span = x[n - 1]! - x0 || 1;
  const px = (value: number) => PANEL.left + ((value - x0) / span) * plotW;
  const py = (value: number) => PANEL.top + ((high - value) / (high - low)) * plotH;
  for (const tick of ticks) {
    const y = py(tick).toFixed(1);
    parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left + plotW}" y1="${y}" y2="${y}" stroke="${SVG_COLORS.grid}"/>`);
    parts.push(`<text x="${PANEL.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="${SVG_COLORS.text}">${escapeXml(formatNumber(tick))}</text>`);
  }
  parts.push(`<text x="14" y="${PANEL.top + plotH / 2}" transform="rotate(-90 14 ${PANEL.top + plotH / 2})" text-anchor="middle" fill="${SVG_COLORS.text}">MiB</text>`);
  const bottom = PANEL.top + plotH;
  parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left + plotW}" y1="${bottom}" y2="${bottom}" stroke="${SVG_COLORS.text}"/>`);
  parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left}" y1="${PANEL.top}" y2="${bottom}" stroke="${SVG_COLORS.text}"/>`);
  for (let k = 0; k <= 4; k++) {
    const value = x0 + (span * k) / 4;
    const label = series.timeUnit === 'seconds' ? formatDuration(value - x0) : `sample ${Math.round(value - x0) + 1}`;
    parts.push(`<text x="${px(value).toFixed(1)}" y="${bottom + 18}" text-anchor="${k === 0 ? 'start' : k === 4 ? 'end' : 'middle'}" fill="${SVG_COLORS.text}">${escapeXml(label)}</text>`);
  }
  const lives = analysis.lives.length > 0 ? analysis.lives : [analysis];
  for (const life of lives) {
    if (life !== analysis && life.startIndex > 0) {
      const rx = px(x[life.startIndex]!).toFixed(1);
      parts.push(`<line class="restart" x1="${rx}" x2="${rx}" y1="${PANEL.top}" y2="${bottom}" stroke="${SVG_COLORS.restart}" stroke-width="1.5"/>`);
      parts.push(`<text x="${rx}" y="${PANEL.top - 4}" text-anchor="middle" fill="${SVG_COLORS.restart}">restart</text>`);
    }
    if (life.warmupEndIndex !== null && life.warmupEndIndex > life.startIndex) {
      const wx = px(x[life.warmupEndIndex]!).toFixed(1);
      parts.push(`<line class="warmup" x1="${wx}" x2="${wx}" y1="${PANEL.top}" y2="${bottom}" stroke="${SVG_COLORS.warmup}" stroke-dasharray="4 4"/>`);
      parts.push(`<text x="${wx}" y="${bottom + 34}" text-anchor="middle" fill="${SVG_COLORS.warmup}">warm-up ends</text>`);
    }
  }
  parts.push(`<path class="series" d="${seriesPath(analysis, px, py, plotW)}" fill="none" stroke="${SVG_COLORS.series}" stroke-width="1.5" stroke-linejoin="round"/>`);
  for (const life of lives) {
    if (life.fit === null || life.warmupEndIndex === null) continue;
    const a = x[life.warmupEndIndex]!;
    const b = x[life.endIndex]!;
    const ya = life.fit.intercept + life.fit.slope * a;
    const yb = life.fit.intercept + life.fit.slope * b;
    parts.push(
      `<path class="fit" d="M${px(a).toFixed(1)} ${py(ya).toFixed(1)}L${px(b).toFixed(1)} ${py(yb).toFixed(1)}" stroke="${SVG_COLORS.fit}" stroke-width="2" stroke-dasharray="8 4" fill="none"/>`,
    );
  }
  const legendY = 22;
  const legendX = PANEL.width - PANEL.right - 290;
  parts.push(
    `<g class="legend"><line x1="${legendX}" x2="${legendX + 20}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${SVG_COLORS.series}" stroke-width="2"/><text x="${legendX + 26}" y="${legendY}" fill="${SVG_COLORS.text}">memory (MiB)</text><line x1="${legendX + 130}" x2="${legendX + 150}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${SVG_COLORS.fit}" stroke-width="2" stroke-dasharray="8 4"/><text x="${legendX + 156}" y="${legendY}" fill="${SVG_COLORS.text}">fitted (steady part)</text></g>`,
  );
  return parts.join('');
}

/** What fits left of the legend; the HTML page's heading shows the whole name. */
const TITLE_MAX_CHARS = 56;

/** The end of a long name (a file's name and the series key matter more than its folders). */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

/**
 * The series as one path, at most two points per pixel column (its lowest and highest sample), so
 * a million samples draw as a few thousand points without losing a spike.
 */
function seriesPath(analysis: SeriesAnalysis, px: (v: number) => number, py: (v: number) => number, plotW: number): string {
  const { x, mib } = analysis.series;
  const n = mib.length;
  const restarts = new Set(analysis.lives.map((life) => life.startIndex).filter((i) => i > 0));
  const commands: string[] = [];
  if (n <= plotW * 2) {
    for (let i = 0; i < n; i++) commands.push(`${i === 0 || restarts.has(i) ? 'M' : 'L'}${px(x[i]!).toFixed(1)} ${py(mib[i]!).toFixed(1)}`);
    return commands.join('');
  }
  let column = -1;
  let lowest = 0;
  let highest = 0;
  let first = true;
  const flush = () => {
    if (column < 0) return;
    const cx = (PANEL.left + column).toFixed(1);
    commands.push(`${first ? 'M' : 'L'}${cx} ${py(highest).toFixed(1)}L${cx} ${py(lowest).toFixed(1)}`);
    first = false;
  };
  for (let i = 0; i < n; i++) {
    const c = Math.round(px(x[i]!) - PANEL.left);
    if (c !== column) {
      flush();
      column = c;
      lowest = mib[i]!;
      highest = mib[i]!;
    } else {
      lowest = Math.min(lowest, mib[i]!);
      highest = Math.max(highest, mib[i]!);
    }
  }
  flush();
  return commands.join('');
}

/** Round tick values (1, 2, 5 × 10^k) covering [low, high]. */
function niceTicks(low: number, high: number, count: number): number[] {
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.floor(low / step) * step; t <= high + step * 0.5; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
