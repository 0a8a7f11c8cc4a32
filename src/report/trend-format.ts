/**
 * Shared wording of the trend reports: numbers with sensible digits, and the one-line summary of a
 * series' numbers. Pure.
 */
import type { LifeAnalysis, SeriesAnalysis, Verdict } from '../trend/types.js';
import { formatDuration } from '../trend/units.js';

/** Three significant digits, no exponent: 894, 61.6, 0.217. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100 || abs === 0) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
}

export const VERDICT_WORDS: Record<Verdict, string> = {
  LEAK: 'a leak',
  BELOW_GC_GROWTH: 'growth below the GC',
  RESTARTS: 'restarts',
  PLATEAU: 'a plateau',
  NO_GROWTH: 'no growth',
  TOO_SHORT: 'too short to tell',
};

export const GROWTH_SOURCE_WORDS = {
  ruby_objects: 'Ruby objects (old_objects / live slots rise with RSS)',
  below_gc: 'below the GC (RSS rises, Ruby objects flat)',
  rss_only: 'RSS only (no GC.stat columns to tell Ruby objects from malloc)',
};

/** Printable on one terminal line: control characters (escape sequences from a hostile file) become '?'. */
export function safeText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** The numbers of one life or series, as short facts: samples, span, warm-up, slope, R², time to the limit. */
export function numberFacts(analysis: LifeAnalysis | SeriesAnalysis, series: SeriesAnalysis['series'], limitMib: number | null): string[] {
  const facts: string[] = [];
  const { x } = series;
  const seconds = series.timeUnit === 'seconds';
  const span = x[analysis.endIndex]! - x[analysis.startIndex]!;
  facts.push(`${analysis.samples} samples${seconds ? ` over ${formatDuration(span)}` : ''}`);
  if (analysis.warmupEndIndex !== null) {
    const warm = analysis.warmupEndIndex - analysis.startIndex;
    facts.push(warm === 0 ? 'no warm-up' : `warm-up ends at sample ${warm + 1}${seconds ? ` (${formatDuration(x[analysis.warmupEndIndex]! - x[analysis.startIndex]!)})` : ''}`);
  }
  if (analysis.slopeMibPerHour !== null) facts.push(`slope ${formatNumber(analysis.slopeMibPerHour)} MiB/hour`);
  else if (analysis.slopeMibPerSample !== null) facts.push(`slope ${formatNumber(analysis.slopeMibPerSample * 1024)} KiB/sample`);
  if (analysis.slopeMibPer1000Requests !== null) facts.push(`${formatNumber(analysis.slopeMibPer1000Requests)} MiB per 1,000 requests`);
  if (analysis.r2 !== null) facts.push(`R² ${analysis.r2.toFixed(2)}`);
  if (limitMib !== null && analysis.toLimit !== null) {
    const when = analysis.toLimit === 0 ? 'already there' : seconds ? `in ${formatDuration(analysis.toLimit * 3600)}` : `in ${Math.ceil(analysis.toLimit)} more samples`;
    facts.push(`reaches ${formatNumber(limitMib)} MiB ${when}`);
  }
  return facts;
}

/** The y range a chart covers: the first `n` samples, widened by 1 MiB each way when they are flat. */
export function sampleRange(mib: ArrayLike<number>, n: number): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < n; i++) {
    low = Math.min(low, mib[i]!);
    high = Math.max(high, mib[i]!);
  }
  return high - low < 1e-9 ? { low: low - 1, high: high + 1 } : { low, high };
}
