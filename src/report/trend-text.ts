/**
 * The terminal report of `gemleak trend`: the verdict, each series with its chart and numbers, and
 * the next step. Pure.
 */
import { nextSteps } from '../trend/advice.js';
import type { SeriesAnalysis, TrendResult } from '../trend/types.js';
import { createStyle, plural } from './style.js';
import { renderTrendChart } from './trend-chart.js';
import { GROWTH_SOURCE_WORDS, VERDICT_WORDS, numberFacts, safeText } from './trend-format.js';

export interface TrendTextOptions {
  color: boolean;
  unicode: boolean;
  /** Plot width in columns (the terminal's width less the labels). */
  width: number;
  chart: boolean;
}

/** Beyond this many series only the worst ones get a chart; the rest are listed. */
const MAX_CHARTS = 4;

export function renderTrendText(result: TrendResult, options: TrendTextOptions): string {
  const style = createStyle(options.color);
  const out: string[] = [];
  const many = result.series.length > 1;
  const paintVerdict = (verdict: string) =>
    (verdict === 'LEAK' || verdict === 'BELOW_GC_GROWTH' ? style.red : verdict === 'RESTARTS' || verdict === 'TOO_SHORT' ? style.yellow : style.green)(style.bold(verdict));
  out.push(
    `${style.bold('gemleak trend:')} ${paintVerdict(result.verdict)} (${VERDICT_WORDS[result.verdict]})${many ? `, the worst of ${plural(result.series.length, 'series', 'series')}: ${safeText(result.worst.series.name)}` : ''}`,
  );
  out.push('');
  const charted = new Set(rankForCharts(result.series).slice(0, MAX_CHARTS));
  for (const analysis of result.series) {
    out.push(`${style.bold(safeText(analysis.series.name))}  ${paintVerdict(analysis.verdict)}`);
    out.push(`  ${analysis.reason}`);
    if (analysis.growthSource !== null) out.push(`  growth source: ${GROWTH_SOURCE_WORDS[analysis.growthSource]}`);
    if (options.chart && charted.has(analysis) && analysis.samples >= 2) {
      out.push('');
      for (const line of renderTrendChart(analysis, { width: options.width, height: 12, unicode: options.unicode, color: options.color })) out.push(`  ${line}`);
      out.push('');
    }
    const limit = result.options.limitMib ?? analysis.series.quotaMiB;
    if (analysis.lives.length === 0) {
      out.push(`  ${numberFacts(analysis, analysis.series, limit).join(' · ')}`);
    } else {
      analysis.lives.forEach((life, i) => {
        out.push(`  life ${i + 1} (samples ${life.startIndex + 1}-${life.endIndex + 1}): ${paintVerdict(life.verdict)} ${numberFacts(life, analysis.series, limit).join(' · ')}`);
      });
    }
    out.push('');
  }
  out.push(style.bold('Next steps:'));
  for (const step of nextSteps(result.worst)) out.push(`  - ${step}`);
  return `${out.join('\n')}\n`;
}

/** The series worth a chart first: the worst verdicts. */
function rankForCharts(series: SeriesAnalysis[]): SeriesAnalysis[] {
  const order = ['LEAK', 'BELOW_GC_GROWTH', 'RESTARTS', 'PLATEAU', 'NO_GROWTH', 'TOO_SHORT'];
  return [...series].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));
}
