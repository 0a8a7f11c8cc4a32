/**
 * `gemleak trend --format json`: the verdict and the numbers of every series, stable and documented
 * in schemas/trend-result.schema.json. Keys are snake_case; absent numbers are null. Pure.
 */
import { nextSteps } from '../trend/advice.js';
import type { LifeAnalysis, SeriesAnalysis, TrendResult } from '../trend/types.js';

/** Bumped only on breaking changes to the JSON shape; additions keep it. */
const TREND_JSON_SCHEMA_VERSION = 1;

export function renderTrendJson(result: TrendResult, gemleakVersion: string): string {
  const document = {
    schema_version: TREND_JSON_SCHEMA_VERSION,
    gemleak_version: gemleakVersion,
    verdict: result.verdict,
    worst_series: result.worst.series.name,
    limit_mib: result.options.limitMib,
    requests: result.options.requests,
    series: result.series.map(seriesJson),
    next_steps: nextSteps(result.worst),
    warnings: result.warnings.map((warning) => ({ file: warning.file, line: warning.line, message: warning.message })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function seriesJson(analysis: SeriesAnalysis) {
  const { series } = analysis;
  const n = series.mib.length;
  return {
    name: series.name,
    file: series.file,
    key: series.key,
    format: series.format,
    time_unit: series.timeUnit,
    start_time: series.startEpoch === null ? null : new Date(series.startEpoch * 1000).toISOString(),
    duration_s: series.timeUnit === 'seconds' && n > 0 ? round(series.x[n - 1]! - series.x[0]!) : null,
    first_mib: n > 0 ? round(series.mib[0]!) : null,
    last_mib: n > 0 ? round(series.mib[n - 1]!) : null,
    max_mib: n > 0 ? round(Math.max(...maxima(series.mib))) : null,
    quota_mib: series.quotaMiB === null ? null : round(series.quotaMiB),
    out_of_order: series.outOfOrder,
    ...lifeJson(analysis, series.timeUnit),
    verdict: analysis.verdict,
    next_steps: nextSteps(analysis),
    lives: analysis.lives.map((life) => lifeJson(life, series.timeUnit)),
  };
}

function lifeJson(life: LifeAnalysis | SeriesAnalysis, timeUnit: 'seconds' | 'samples') {
  return {
    verdict: life.verdict,
    reason: life.reason,
    growth_source: life.growthSource,
    start_index: life.startIndex,
    end_index: life.endIndex,
    samples: life.samples,
    needed_samples: life.neededSamples,
    warmup_end_index: life.warmupEndIndex,
    slope_mib_per_hour: roundOrNull(life.slopeMibPerHour),
    slope_mib_per_sample: roundOrNull(life.slopeMibPerSample),
    slope_mib_per_1000_requests: roundOrNull(life.slopeMibPer1000Requests),
    r2: roundOrNull(life.r2),
    warmup_rise_mib: roundOrNull(life.warmupRiseMib),
    steady_rise_mib: roundOrNull(life.steadyRiseMib),
    time_to_limit_hours: timeUnit === 'seconds' ? roundOrNull(life.toLimit) : null,
    samples_to_limit: timeUnit === 'samples' && life.toLimit !== null ? Math.ceil(life.toLimit) : null,
    fit: life.fit === null ? null : { slope_mib_per_x: life.fit.slope, intercept_mib: life.fit.intercept },
    gc:
      life.gcEvidence === null
        ? null
        : {
            old_objects_growth_pct: roundOrNull(life.gcEvidence.oldObjectsGrowthPct),
            heap_live_floor_growth_pct: roundOrNull(life.gcEvidence.heapLiveFloorGrowthPct),
            rss_growth_pct: roundOrNull(life.gcEvidence.rssGrowthPct),
          },
  };
}

/** Math.max over a typed array without spreading a million arguments. */
function maxima(values: Float64Array): number[] {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return [max];
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function roundOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : round(value);
}
