/**
 * `gemleak trend FILE...` as a library function: read every file, judge every series, pick the worst.
 */
import { analyzeAll } from './analyze.js';
import { readSeriesFile, type ReadOptions } from './read.js';
import type { Series, TrendOptions, TrendResult, TrendWarning } from './types.js';

export interface TrendInput {
  path: string;
  label: string;
}

export async function trendFiles(inputs: TrendInput[], read: ReadOptions, options: TrendOptions): Promise<TrendResult> {
  const series: Series[] = [];
  const warnings: TrendWarning[] = [];
  for (const input of inputs) {
    const result = await readSeriesFile(input.path, input.label, read);
    series.push(...result.series);
    warnings.push(...result.warnings);
  }
  return trendSeries(series, options, warnings);
}

/** Judges series already in memory (the live sampler uses this too). */
export function trendSeries(series: Series[], options: TrendOptions, warnings: TrendWarning[] = []): TrendResult {
  const { verdict, worst, series: analyses } = analyzeAll(series, options);
  return { verdict, worst, series: analyses, options, warnings };
}
