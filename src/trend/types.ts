/**
 * The data of `gemleak trend`: memory samples over time, grouped into series (one process each),
 * and the verdict on each. Plain data only: the readers fill it, the analysis judges it, the
 * reporters draw it.
 */

/** Every input format `gemleak trend` reads (see docs/trend.md for each one's shape). */
const TREND_FORMATS = ['derailed', 'ps-column', 'csv', 'gcstat-jsonl', 'heroku-log', 'prometheus-json'] as const;
export type TrendFormat = (typeof TREND_FORMATS)[number];

/** Ordered from worst to mildest: a file with several series takes the worst of them. */
export const VERDICTS = ['LEAK', 'BELOW_GC_GROWTH', 'RESTARTS', 'PLATEAU', 'NO_GROWTH', 'TOO_SHORT'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Where a leak's growth comes from: Ruby objects (GC.stat shows them rising), below the GC, or unknown (RSS only). */
export type GrowthSource = 'ruby_objects' | 'below_gc' | 'rss_only';

/** One process's memory over time, as read from a file or sampled live. */
export interface Series {
  /** How reports name it: the file, plus the series key when a file holds several. */
  name: string;
  file: string;
  /** The dyno (`web.1`) or Prometheus label set; null when the file is one series. */
  key: string | null;
  format: TrendFormat;
  /** `seconds` when the input has times (or `--interval` gave them), else `samples` (one per line). */
  timeUnit: 'seconds' | 'samples';
  /** Seconds since the first sample (or the sample index), ascending. */
  x: Float64Array;
  /** Resident memory in MiB. */
  mib: Float64Array;
  /** Epoch seconds of the first sample, when the input says it. */
  startEpoch: number | null;
  /** Cumulative request (or work) counter per sample, when the input has one. */
  requests: Float64Array | null;
  /** GC.stat columns, when the input has them (NaN where a line lacked the key). */
  gc: GcColumns | null;
  /** Indexes where the process identity changed (a new dyno id, GC counters going backwards). */
  identityBreaks: number[];
  /** The memory limit the input itself states (Heroku `memory_quota`), in MiB. */
  quotaMiB: number | null;
  /** Samples that came before an earlier one in the input (they are sorted by time). */
  outOfOrder: number;
}

export interface GcColumns {
  oldObjects: Float64Array | null;
  heapLiveSlots: Float64Array | null;
}

/** A straight line over the series' x axis: value = intercept + slope * x. */
export interface Line {
  slope: number;
  intercept: number;
}

/** The judgement of one life of a process (a whole series when it never restarted). */
export interface LifeAnalysis {
  verdict: Exclude<Verdict, 'RESTARTS'>;
  growthSource: GrowthSource | null;
  startIndex: number;
  endIndex: number;
  samples: number;
  /** Samples a verdict needs, for TOO_SHORT. */
  neededSamples: number | null;
  /** First index of the steady part (after warm-up), absolute in the series. */
  warmupEndIndex: number | null;
  /** The line fitted to the steady part, over the series' x axis. */
  fit: Line | null;
  slopeMibPerHour: number | null;
  slopeMibPerSample: number | null;
  slopeMibPer1000Requests: number | null;
  r2: number | null;
  /** Growth during warm-up and over the steady part, MiB. */
  warmupRiseMib: number | null;
  steadyRiseMib: number | null;
  /** Hours (or samples, without times) until the fitted line reaches the limit; null when it never will. */
  toLimit: number | null;
  gcEvidence: GcEvidence | null;
  /** One sentence: why this verdict. */
  reason: string;
}

export interface GcEvidence {
  /** Relative growth over the steady part, percent (null when the column is missing). */
  oldObjectsGrowthPct: number | null;
  heapLiveFloorGrowthPct: number | null;
  rssGrowthPct: number;
}

export interface SeriesAnalysis extends Omit<LifeAnalysis, 'verdict'> {
  verdict: Verdict;
  series: Series;
  /** Each life when the process restarted (RESTARTS), else empty. */
  lives: LifeAnalysis[];
}

export interface TrendOptions {
  /** `--limit`, MiB: report the time to reach it. */
  limitMib: number | null;
  /** `--requests N`: requests served over the whole series, for MiB per 1,000 requests. */
  requests: number | null;
}

export interface TrendWarning {
  file: string;
  line: number | null;
  message: string;
}

export interface TrendResult {
  verdict: Verdict;
  /** The series that gave the verdict. */
  worst: SeriesAnalysis;
  series: SeriesAnalysis[];
  options: TrendOptions;
  warnings: TrendWarning[];
}
