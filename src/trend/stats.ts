/**
 * The few statistics the verdict needs, over typed arrays and index ranges so a million samples
 * are never copied. Pure functions.
 */
import type { Line } from './types.js';

export interface Fit extends Line {
  /** Coefficient of determination of the fit (1 when the values are constant and the line hits them). */
  r2: number;
}

/** Ordinary least squares of y on x over [from, to). */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = x.length): Fit {
  const n = to - from;
  let sx = 0;
  let sy = 0;
  for (let i = from; i < to; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = from; i < to; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  const r2 = syy > 0 && sxx > 0 ? (sxy * sxy) / (sxx * syy) : syy === 0 ? 1 : 0;
  return { slope, intercept, r2 };
}

/** The most points Theil–Sen looks at: beyond it, evenly spaced ones (the slope barely moves). */
const THEIL_SEN_MAX_POINTS = 400;

/**
 * Theil–Sen slope over [from, to): the median of the slopes between pairs of points. Robust to the
 * GC sawtooth and to outliers, where least squares is pulled by them.
 */
export function theilSen(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = x.length): Line {
  const n = to - from;
  const stride = Math.max(1, Math.ceil(n / THEIL_SEN_MAX_POINTS));
  const idx: number[] = [];
  for (let i = from; i < to; i += stride) idx.push(i);
  const slopes: number[] = [];
  for (let a = 0; a < idx.length; a++) {
    for (let b = a + 1; b < idx.length; b++) {
      const dx = x[idx[b]!]! - x[idx[a]!]!;
      if (dx > 0) slopes.push((y[idx[b]!]! - y[idx[a]!]!) / dx);
    }
  }
  const slope = slopes.length > 0 ? median(slopes) : 0;
  const offsets: number[] = [];
  for (const i of idx) offsets.push(y[i]! - slope * x[i]!);
  return { slope, intercept: median(offsets) };
}

/** The median of a list. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically without a comparator call per step: several times faster.
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Medians over more values than this look at evenly spaced ones: sorting a million residuals
 * several times would cost most of a second, and a median of 20,000 of them is as good a scale.
 */
const MEDIAN_MAX_POINTS = 20_000;

/** The median of y over [from, to). */
export function medianOf(y: ArrayLike<number>, from: number, to: number): number {
  const values: number[] = [];
  const stride = Math.max(1, Math.ceil((to - from) / MEDIAN_MAX_POINTS));
  for (let i = from; i < to; i += stride) values.push(y[i]!);
  return median(values);
}

/** 1.4826 × the median absolute deviation of the residuals from a line: σ for normal noise, robust to spikes. */
export function residualScale(x: ArrayLike<number>, y: ArrayLike<number>, line: Line, from: number, to: number): number {
  const residuals: number[] = [];
  const stride = Math.max(1, Math.ceil((to - from) / MEDIAN_MAX_POINTS));
  for (let i = from; i < to; i += stride) residuals.push(Math.abs(y[i]! - (line.intercept + line.slope * x[i]!)));
  return 1.4826 * median(residuals);
}

/** Root mean square of the residuals from a line over [from, to). */
export function residualRms(x: ArrayLike<number>, y: ArrayLike<number>, line: Line, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const r = y[i]! - (line.intercept + line.slope * x[i]!);
    sum += r * r;
  }
  return Math.sqrt(sum / Math.max(1, to - from));
}

/**
 * Least-squares parabola over [from, to) on x rescaled to [0, 1]; returns the slope (per unit of
 * x) at the start and at the end. A leak keeps its slope; a plateau's creep loses it.
 */
export function endSlopes(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): { start: number; end: number } {
  const x0 = x[from]!;
  const span = x[to - 1]! - x0;
  if (!(span > 0) || to - from < 4) return { start: 0, end: 0 };
  // Normal equations for y = a + b u + c u², u in [0, 1].
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    t0 = 0,
    t1 = 0,
    t2 = 0;
  for (let i = from; i < to; i++) {
    const u = (x[i]! - x0) / span;
    const u2 = u * u;
    const v = y[i]!;
    s0 += 1;
    s1 += u;
    s2 += u2;
    s3 += u2 * u;
    s4 += u2 * u2;
    t0 += v;
    t1 += v * u;
    t2 += v * u2;
  }
  const solved = solve3(
    [
      [s0, s1, s2],
      [s1, s2, s3],
      [s2, s3, s4],
    ],
    [t0, t1, t2],
  );
  if (solved === null) return { start: 0, end: 0 };
  const [, b, c] = solved;
  return { start: b / span, end: (b + 2 * c) / span };
}

function solve3(m: number[][], v: number[]): [number, number, number] | null {
  const a = m.map((row, i) => [...row, v[i]!]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-12) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k < 4; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return [a[0]![3]! / a[0]![0]!, a[1]![3]! / a[1]![1]!, a[2]![3]! / a[2]![2]!];
}

/**
 * Running sums over a range, so that the least-squares line of any window ending at the range's
 * end costs O(1): the backward window tries dozens of windows over up to a million samples.
 */
export class SuffixFits {
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  private readonly sxx: Float64Array;
  private readonly sxy: Float64Array;

  constructor(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    private readonly from: number,
    private readonly to: number,
  ) {
    const n = to - from;
    this.sx = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.sxx = new Float64Array(n + 1);
    this.sxy = new Float64Array(n + 1);
    // Centre x on the range's start so the sums keep their precision.
    const origin = x[from]!;
    for (let i = to - 1; i >= from; i--) {
      const k = i - from;
      const xi = x[i]! - origin;
      this.sx[k] = this.sx[k + 1]! + xi;
      this.sy[k] = this.sy[k + 1]! + y[i]!;
      this.sxx[k] = this.sxx[k + 1]! + xi * xi;
      this.sxy[k] = this.sxy[k + 1]! + xi * y[i]!;
    }
    this.origin = origin;
  }

  private readonly origin: number;

  /** The least-squares line over [start, to), on the original x axis. */
  line(start: number): Line {
    const k = start - this.from;
    const n = this.to - start;
    const sx = this.sx[k]!;
    const sy = this.sy[k]!;
    const denominator = n * this.sxx[k]! - sx * sx;
    const slope = denominator > 0 ? (n * this.sxy[k]! - sx * sy) / denominator : 0;
    const intercept = (sy - slope * sx) / n - slope * this.origin;
    return { slope, intercept };
  }
}
