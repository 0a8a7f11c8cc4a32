/**
 * The verdict on memory over time. Pure: series in, judgement out.
 *
 * The method (see docs/trend.md): split the series into lives where the process restarted; in each
 * life find where warm-up ends by regression on a window growing backward from the newest sample
 * (the window stops growing where the older samples leave the line by more than the noise: a
 * change point); fit the steady part (Theil–Sen slope, least-squares R²); then judge by shape, not
 * by an absolute rate: a leak rises beyond the noise and by a real share of the level, roughly
 * linearly, and is still rising at the end; a plateau grew during warm-up and then levelled off.
 */
import { SuffixFits, endSlopes, leastSquares, median, medianOf, residualRms, residualScale, theilSen } from './stats.js';
import type { GcEvidence, GrowthSource, LifeAnalysis, Line, Series, SeriesAnalysis, TrendOptions, Verdict } from './types.js';
import { VERDICTS } from './types.js';

/** Fewer samples than this say nothing about a trend (Ruby core's 10-line `ps` loops are enough). */
const MIN_SAMPLES = 8;

/** The tuning of the method, in one place; each number's reason is beside it. */
const METHOD = {
  /** The backward window starts with this share of the newest samples (at least MIN_TAIL). */
  tailShare: 0.34,
  minTail: 4,
  /** The noise is measured on this share of the newest samples. */
  noiseShare: 0.5,
  /** The window grows by this share of the life per step. */
  stepShare: 0.04,
  /** Older samples further than this many σ from the window's line end the window (a change point). */
  changeZ: 3,
  /** A leak's steady rise must exceed this many σ of the noise… */
  riseZ: 4,
  /** …and this share of the level (noise-free series otherwise call a 0.1 % wobble a leak). */
  minRiseShare: 0.02,
  /** A line must explain this much of the steady part's variance. */
  minR2: 0.5,
  /** A leak still rises at the end: the end slope of a parabola fit keeps this share of the mean slope. */
  minEndSlopeShare: 0.4,
  /** A small creep after a big warm-up is a plateau settling, not a leak. */
  creepShare: 0.1,
  creepOfWarmup: 0.25,
  /** Logarithmic when a fit on log(age) leaves less than this share of a line's squared residuals. */
  logFitShare: 0.5,
  /** Growth from boot to the steady level that makes a PLATEAU rather than NO_GROWTH. */
  plateauShare: 0.1,
  /** A restart: the process had grown by this share of its boot level… */
  restartGrowthShare: 0.1,
  /** …and fell, within two samples, by half of that growth, to within 35 % of it above boot. */
  restartDropShare: 0.5,
  restartNearBoot: 0.35,
  /** Ruby objects "rise" with a leak when they grew by this share over the steady part… */
  objectGrowthShare: 0.05,
  /** …and by at least this fraction of RSS's relative growth. */
  objectGrowthOfRss: 0.25,
};

function verdictRank(verdict: Verdict): number {
  return VERDICTS.indexOf(verdict);
}

/** Judges every series and picks the worst. */
export function analyzeAll(series: Series[], options: TrendOptions): { verdict: Verdict; worst: SeriesAnalysis; series: SeriesAnalysis[] } {
  const analyses = series.map((one) => analyzeSeries(one, options));
  let worst = analyses[0]!;
  for (const analysis of analyses) if (verdictRank(analysis.verdict) < verdictRank(worst.verdict)) worst = analysis;
  return { verdict: worst.verdict, worst, series: analyses };
}

export function analyzeSeries(series: Series, options: TrendOptions): SeriesAnalysis {
  const n = series.mib.length;
  const lives = n < MIN_SAMPLES ? [[0, n] as const] : splitLives(series);
  // Only the newest life runs on: the time to the limit of the ones that ended means nothing.
  const analyses = lives.map(([from, to], i) => {
    const life = analyzeLife(series, from, to, options);
    return i === lives.length - 1 ? life : { ...life, toLimit: null };
  });
  if (analyses.length === 1) return { ...analyses[0]!, series, lives: [] };
  // The numbers shown for the whole series are those of its newest life: the process running now.
  const latest = analyses[analyses.length - 1]!;
  const kinds = analyses.map((life) => life.verdict);
  const restarts = analyses.length - 1;
  return {
    ...latest,
    verdict: 'RESTARTS',
    startIndex: 0,
    endIndex: n - 1,
    samples: n,
    series,
    lives: analyses,
    reason: `the process restarted ${restarts === 1 ? 'once' : `${restarts} times`} (memory fell back to the boot level${series.identityBreaks.length > 0 ? ' or its identity changed' : ''}); the lives: ${kinds.join(', ')}`,
  };
}

/**
 * Where the process restarted: its identity changed, or memory fell back to the boot level within
 * two samples after growing. A gap in the samples without a drop is not a restart.
 */
export function splitLives(series: Series): Array<readonly [number, number]> {
  const v = series.mib;
  const n = v.length;
  const breaks = new Set(series.identityBreaks);
  const lives: Array<readonly [number, number]> = [];
  let start = 0;
  let boot = v[0]!;
  let peak = v[0]!;
  for (let i = 1; i < n; i++) {
    const grown = peak - boot;
    const before = Math.max(v[i - 1]!, i >= 2 && i - 2 >= start ? v[i - 2]! : v[i - 1]!);
    const fellBack = grown > METHOD.restartGrowthShare * Math.abs(boot) && before - v[i]! >= METHOD.restartDropShare * grown && v[i]! <= boot + METHOD.restartNearBoot * grown;
    if ((breaks.has(i) || fellBack) && i - start >= 1) {
      lives.push([start, i]);
      start = i;
      boot = v[i]!;
      peak = v[i]!;
      continue;
    }
    peak = Math.max(peak, v[i]!);
  }
  lives.push([start, n]);
  return lives;
}

function analyzeLife(series: Series, from: number, to: number, options: TrendOptions): LifeAnalysis {
  const samples = to - from;
  const base = { startIndex: from, endIndex: to - 1, samples, growthSource: null, gcEvidence: null };
  if (samples < MIN_SAMPLES) {
    return {
      ...base,
      verdict: 'TOO_SHORT',
      neededSamples: MIN_SAMPLES,
      warmupEndIndex: null,
      fit: null,
      slopeMibPerHour: null,
      slopeMibPerSample: null,
      slopeMibPer1000Requests: null,
      r2: null,
      warmupRiseMib: null,
      steadyRiseMib: null,
      toLimit: null,
      reason: `${samples} ${samples === 1 ? 'sample' : 'samples'} cannot show a trend: it takes at least ${MIN_SAMPLES}${moreTime(series, from, to)}`,
    };
  }
  const { x, mib: v } = series;
  const floor = noiseFloor(v, from, to);
  const warm = findWarmupEnd(x, v, from, to, floor);
  const robust = theilSen(x, v, warm, to);
  const ols = leastSquares(x, v, warm, to);
  const sigma = Math.max(residualScale(x, v, robust, warm, to), floor);
  const span = x[to - 1]! - x[warm]!;
  const rise = robust.slope * span;
  const level = medianOf(v, warm, to);
  const boot = Math.min(v[from]!, v[from + 1]!);
  const warmupRise = valueAt(robust, x[warm]!) - boot;
  const ends = endSlopes(x, v, warm, to);
  const perHour = series.timeUnit === 'seconds' ? robust.slope * 3600 : null;
  const perSample = perSampleSlope(series, robust.slope, from, to);
  const numbers = {
    ...base,
    neededSamples: null,
    warmupEndIndex: warm,
    fit: robust,
    slopeMibPerHour: perHour,
    slopeMibPerSample: perSample,
    slopeMibPer1000Requests: per1000Requests(series, robust.slope, warm, to, options),
    r2: ols.r2,
    warmupRiseMib: warmupRise,
    steadyRiseMib: rise,
  };
  const steadySamples = to - warm;
  const significant = steadySamples >= METHOD.minTail && rise > METHOD.riseZ * sigma && rise > METHOD.minRiseShare * Math.abs(level);
  const linear = ols.r2 >= METHOD.minR2;
  const stillRising = ends.end >= METHOD.minEndSlopeShare * robust.slope;
  const settlingCreep = rise < METHOD.creepShare * Math.abs(level) && rise < METHOD.creepOfWarmup * warmupRise;
  const slowing = significant && logarithmic(x, v, from, warm, to);
  if (significant && linear && stillRising && !settlingCreep && !slowing) {
    const gcEvidence = gcGrowth(series, warm, to, rise / Math.abs(level));
    const source = growthSourceOf(gcEvidence);
    const toLimit = timeToLimit(series, robust, to, options.limitMib ?? series.quotaMiB);
    const pct = ((rise / Math.abs(level)) * 100).toFixed(0);
    if (source === 'below_gc') {
      return {
        ...numbers,
        verdict: 'BELOW_GC_GROWTH',
        growthSource: source,
        gcEvidence,
        toLimit,
        reason: `RSS rose ${pct}% over the steady part, linearly (R² ${ols.r2.toFixed(2)}), while Ruby's live objects stayed flat`,
      };
    }
    const why = source === 'ruby_objects' ? ', and Ruby objects rose with it' : '';
    return { ...numbers, verdict: 'LEAK', growthSource: source, gcEvidence, toLimit, reason: `still rising at the end: +${pct}% over the steady part, linearly (R² ${ols.r2.toFixed(2)})${why}` };
  }
  // Growth to the level at the end (not the steady part's median, which a late step would split).
  const grown = medianOf(v, to - Math.max(3, Math.ceil(samples * 0.1)), to) - boot;
  if (grown >= METHOD.plateauShare * Math.abs(boot)) {
    const share = ((grown / Math.abs(boot)) * 100).toFixed(0);
    const settled = warm > from ? `after warm-up (${warm - from} samples)` : 'after one step';
    const reason =
      slowing && stillRising
        ? `grew ${share}% from boot and is levelling off: the growth slows like a warm-up (logarithmically), where a leak keeps its pace`
        : `grew ${share}% from boot, then levelled off ${settled}`;
    return { ...numbers, verdict: 'PLATEAU', growthSource: null, gcEvidence: null, toLimit: null, reason };
  }
  return {
    ...numbers,
    verdict: 'NO_GROWTH',
    growthSource: null,
    gcEvidence: null,
    toLimit: null,
    reason: `flat: within ${((Math.max(grown, 0) / Math.abs(boot)) * 100).toFixed(0)}% of the boot level, no rise beyond the noise`,
  };
}

/** `(4 more, about 20 s at this pace)`: what TOO_SHORT still needs. */
function moreTime(series: Series, from: number, to: number): string {
  const missing = MIN_SAMPLES - (to - from);
  const spacing = to - from >= 2 ? (series.x[to - 1]! - series.x[from]!) / (to - from - 1) : 0;
  if (series.timeUnit !== 'seconds' || !(spacing > 0)) return ` (${missing} more)`;
  const seconds = missing * spacing;
  const pace = seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
  return ` (${missing} more, about ${pace} more at this pace)`;
}

/**
 * The backward window (linear backward regression with a change point): start with the newest
 * samples, add older ones a step at a time while they stay on the window's line within the noise.
 * Returns the first index of the steady part.
 */
function findWarmupEnd(x: Float64Array, v: Float64Array, from: number, to: number, floor: number): number {
  const samples = to - from;
  let k = to - Math.max(METHOD.minTail, Math.ceil(samples * METHOD.tailShare));
  if (k <= from) return from;
  // The noise is measured once, around a line through the newest half: measured on the growing
  // window it would grow with any curvature the window swallows, and the window would never stop;
  // measured on fewer samples it would miss the staircase in which Ruby's heap grows (pages are
  // added in ever bigger batches), and one flat tread would pass for the steady state.
  const half = Math.max(from, to - Math.max(METHOD.minTail, Math.ceil(samples * METHOD.noiseShare)));
  const sigma = Math.max(residualScale(x, v, leastSquares(x, v, half, to), half, to), floor);
  const step = Math.max(2, Math.round(samples * METHOD.stepShare));
  const limit = METHOD.changeZ * sigma;
  const fits = new SuffixFits(x, v, from, to);
  while (k > from) {
    const j = Math.max(from, k - step);
    const line = fits.line(k);
    let sum = 0;
    for (let i = j; i < k; i++) sum += v[i]! - valueAt(line, x[i]!);
    if (Math.abs(sum / (k - j)) <= limit) {
      k = j;
      continue;
    }
    // The change point is inside this step: walk back one sample at a time.
    while (k > j && Math.abs(v[k - 1]! - valueAt(line, x[k - 1]!)) <= limit) k--;
    break;
  }
  return k;
}

/**
 * Whether the steady part follows the logarithm of the process's age better than its age: Ruby's
 * warm-up growth is logarithmic (each doubling of uptime adds the same), a leak is linear.
 */
function logarithmic(x: Float64Array, v: Float64Array, from: number, warm: number, to: number): boolean {
  const spacing = (x[to - 1]! - x[from]!) / Math.max(1, to - from - 1);
  if (!(spacing > 0)) return false;
  // Evenly spaced samples are enough to compare two fits' shapes (a million logarithms are not).
  const stride = Math.max(1, Math.ceil((to - warm) / 20_000));
  const count = Math.ceil((to - warm) / stride);
  const age = new Float64Array(count);
  const logAge = new Float64Array(count);
  const values = new Float64Array(count);
  for (let k = 0, i = warm; i < to; i += stride, k++) {
    age[k] = x[i]! - x[from]! + spacing;
    logAge[k] = Math.log(age[k]!);
    values[k] = v[i]!;
  }
  const linear = leastSquares(age, values);
  const log = leastSquares(logAge, values);
  const sse = (fit: Line, xs: Float64Array) => residualRms(xs, values, fit, 0, xs.length) ** 2;
  return sse(log, logAge) < METHOD.logFitShare * sse(linear, age);
}

/** The least σ to assume: quantisation of the values (ps prints whole KiB) or 0.05 % of the level. */
function noiseFloor(v: Float64Array, from: number, to: number): number {
  let quantum = Infinity;
  const stride = Math.max(1, Math.floor((to - from) / 2000));
  for (let i = from + stride; i < to; i += stride) {
    const step = Math.abs(v[i]! - v[i - stride]!);
    if (step > 0 && step < quantum) quantum = step;
  }
  const level = Math.abs(medianOf(v, from, Math.min(to, from + 2000)));
  return Math.max(Number.isFinite(quantum) ? quantum / 2 : 0, level * 0.0005, 1e-9);
}

function valueAt(line: Line, x: number): number {
  return line.intercept + line.slope * x;
}

/** MiB per sample: the slope times the mean spacing (or the slope itself without times). */
function perSampleSlope(series: Series, slope: number, from: number, to: number): number {
  if (series.timeUnit === 'samples') return slope;
  const spacing = (series.x[to - 1]! - series.x[from]!) / Math.max(1, to - from - 1);
  return slope * spacing;
}

/**
 * MiB per 1,000 requests: from a request counter in the input, else from `--requests N` spread
 * evenly over the samples (each sample stands for N / samples requests).
 */
function per1000Requests(series: Series, slope: number, from: number, to: number, options: TrendOptions): number | null {
  const counter = series.requests;
  if (counter !== null) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = from; i < to; i++) {
      if (Number.isFinite(counter[i]!)) {
        xs.push(counter[i]!);
        ys.push(series.mib[i]!);
      }
    }
    if (xs.length >= 2 && xs[xs.length - 1]! > xs[0]!) return theilSen(xs, ys).slope * 1000;
  }
  if (options.requests === null || options.requests <= 0) return null;
  const n = series.mib.length;
  const spacing = series.timeUnit === 'samples' ? 1 : (series.x[n - 1]! - series.x[0]!) / Math.max(1, n - 1);
  const requestsPerX = options.requests / n / spacing;
  return (slope / requestsPerX) * 1000;
}

/** Hours (samples, without times) until the fitted line reaches the limit; 0 when it already has. */
function timeToLimit(series: Series, line: Line, to: number, limitMib: number | null): number | null {
  if (limitMib === null || !(line.slope > 0)) return null;
  const now = valueAt(line, series.x[to - 1]!);
  if (now >= limitMib) return 0;
  const xUnits = (limitMib - now) / line.slope;
  return series.timeUnit === 'seconds' ? xUnits / 3600 : xUnits;
}

/** How much old objects and the post-GC floor of live slots grew over the steady part. */
function gcGrowth(series: Series, from: number, to: number, rssShare: number): GcEvidence | null {
  const gc = series.gc;
  if (gc === null) return null;
  const old = gc.oldObjects === null ? null : relativeGrowth(series.x, gc.oldObjects, from, to, 1);
  const floor = gc.heapLiveSlots === null ? null : relativeGrowth(series.x, gc.heapLiveSlots, from, to, Math.max(3, Math.floor((to - from) / 10)));
  if (old === null && floor === null) return null;
  return { oldObjectsGrowthPct: old === null ? null : old * 100, heapLiveFloorGrowthPct: floor === null ? null : floor * 100, rssGrowthPct: rssShare * 100 };
}

function growthSourceOf(evidence: GcEvidence | null): GrowthSource {
  if (evidence === null) return 'rss_only';
  const threshold = Math.max(METHOD.objectGrowthShare * 100, METHOD.objectGrowthOfRss * evidence.rssGrowthPct);
  const grew = [evidence.oldObjectsGrowthPct, evidence.heapLiveFloorGrowthPct].some((pct) => pct !== null && pct >= threshold);
  return grew ? 'ruby_objects' : 'below_gc';
}

/**
 * Growth of a column over [from, to) relative to its median. With `window` > 1 the column is first
 * reduced to the minimum of each window: the floor under the sawtooth of garbage between GCs,
 * which is what live objects are.
 */
function relativeGrowth(x: Float64Array, column: Float64Array, from: number, to: number, window: number): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let start = from; start < to; start += window) {
    let best = -1;
    for (let i = start; i < Math.min(to, start + window); i++) {
      if (Number.isFinite(column[i]!) && (best < 0 || column[i]! < column[best]!)) best = i;
    }
    if (best >= 0) {
      xs.push(x[best]!);
      ys.push(column[best]!);
    }
  }
  if (xs.length < 3) return null;
  const level = median([...ys]);
  if (!(level > 0)) return null;
  const line = theilSen(xs, ys);
  return (line.slope * (xs[xs.length - 1]! - xs[0]!)) / level;
}
