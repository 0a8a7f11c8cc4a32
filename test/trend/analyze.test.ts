import { describe, expect, it } from 'vitest';
import { analyzeSeries, splitLives } from '../../src/trend/analyze.js';
import type { Series } from '../../src/trend/types.js';

/** A series from a formula: `f(seconds, index)` in MiB, one sample every `dt` seconds. */
function series(n: number, dt: number, f: (t: number, i: number) => number, extra: Partial<Series> = {}): Series {
  const x = Float64Array.from({ length: n }, (_, i) => i * dt);
  const mib = Float64Array.from(x, (t, i) => f(t, i));
  return { name: 'made', file: 'made', key: null, format: 'csv', timeUnit: 'seconds', x, mib, startEpoch: null, requests: null, gc: null, identityBreaks: [], quotaMiB: null, outOfOrder: 0, ...extra };
}

const options = { limitMib: null, requests: null };
/** Deterministic wobble standing in for noise (the tests must not be flaky). */
const wobble = (i: number, size: number) => size * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

describe('analyzeSeries', () => {
  it.each([
    ['one sample', 1],
    ['seven samples', 7],
  ])('%s is TOO_SHORT and says how many it needs', (_name, n) => {
    const result = analyzeSeries(
      series(n, 5, (t) => 100 + t),
      options,
    );
    expect(result.verdict).toBe('TOO_SHORT');
    expect(result.neededSamples).toBe(8);
    expect(result.reason).toMatch(/at least 8/);
  });

  it('calls a linear rise with a warm-up a LEAK, with its slope and the time to the limit', () => {
    const result = analyzeSeries(
      series(300, 10, (t, i) => 200 + 40 * (1 - Math.exp(-t / 60)) + (90 / 3600) * t + wobble(i, 1)),
      { limitMib: 512, requests: null },
    );
    expect(result.verdict).toBe('LEAK');
    expect(result.growthSource).toBe('rss_only');
    expect(result.slopeMibPerHour!).toBeGreaterThan(81);
    expect(result.slopeMibPerHour!).toBeLessThan(99);
    expect(result.warmupEndIndex!).toBeGreaterThan(3);
    expect(result.warmupEndIndex!).toBeLessThan(60);
    // 200 + 40 + 75 MiB at the end; (512 - 315) / 90 MiB/h ≈ 2.2 h.
    expect(result.toLimit!).toBeGreaterThan(1.9);
    expect(result.toLimit!).toBeLessThan(2.5);
  });

  it.each([
    ['an exponential warm-up that levels off', (t: number, i: number) => 300 + 120 * (1 - Math.exp(-t / 300)) + wobble(i, 2)],
    ['one step up', (_t: number, i: number) => 300 + (i > 100 ? 80 : 0) + wobble(i, 1)],
    ['logarithmic growth that never quite stops', (t: number, i: number) => 150 + 30 * Math.log(1 + t / 40) + wobble(i, 0.3)],
  ])('calls %s a PLATEAU, never a LEAK', (_name, f) => {
    expect(analyzeSeries(series(360, 10, f), options).verdict).toBe('PLATEAU');
  });

  it.each([
    ['flat with noise', (_t: number, i: number) => 250 + wobble(i, 3)],
    ['a GC sawtooth', (t: number) => 250 + 6 * ((t % 300) / 300)],
    ['slowly falling', (t: number) => 250 - t / 1000],
  ])('calls %s NO_GROWTH', (_name, f) => {
    expect(analyzeSeries(series(360, 10, f), options).verdict).toBe('NO_GROWTH');
  });

  it('per 1,000 requests: from --requests spread over the samples', () => {
    // 1 MiB per sample, 1,000 requests per sample.
    const result = analyzeSeries(
      series(20, 1, (_t, i) => 100 + i),
      { limitMib: null, requests: 20_000 },
    );
    expect(result.slopeMibPer1000Requests).toBeCloseTo(1, 6);
  });

  it('tells Ruby objects from growth below the GC', () => {
    const n = 200;
    const rss = (_t: number, i: number) => 100 + i * 0.5 + wobble(i, 0.2);
    const flat = Float64Array.from({ length: n }, (_, i) => 50_000 + (i % 10) * 4000);
    const rising = Float64Array.from({ length: n }, (_, i) => 50_000 + i * 500);
    const below = analyzeSeries(series(n, 5, rss, { gc: { oldObjects: flat.map(() => 30_000), heapLiveSlots: flat } }), options);
    expect(below.verdict).toBe('BELOW_GC_GROWTH');
    expect(below.growthSource).toBe('below_gc');
    const objects = analyzeSeries(series(n, 5, rss, { gc: { oldObjects: rising, heapLiveSlots: rising } }), options);
    expect(objects.verdict).toBe('LEAK');
    expect(objects.growthSource).toBe('ruby_objects');
  });
});

describe('restarts', () => {
  const life = (t: number) => 120 + (400 / 3600) * t;

  it('splits where memory falls back to the boot level and judges each life', () => {
    const s = series(300, 10, (t, i) => (i < 150 ? life(t) : life(t - 1500)) + wobble(i, 0.5));
    expect(splitLives(s)).toEqual([
      [0, 150],
      [150, 300],
    ]);
    const result = analyzeSeries(s, options);
    expect(result.verdict).toBe('RESTARTS');
    expect(result.lives.map((one) => one.verdict)).toEqual(['LEAK', 'LEAK']);
  });

  it('does not call a gap in the samples a restart', () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? i * 10 : i * 10 + 3000));
    const s = series(200, 10, () => 0);
    s.x = x;
    s.mib = Float64Array.from(x, (t) => life(t));
    expect(analyzeSeries(s, options).verdict).toBe('LEAK');
  });

  it('does not call a GC sawtooth a restart', () => {
    expect(splitLives(series(300, 10, (t) => 300 + 20 * ((t % 600) / 600)))).toHaveLength(1);
  });

  it('splits where the process identity changes, even without a drop', () => {
    const s = series(40, 10, () => 200, { identityBreaks: [20] });
    const result = analyzeSeries(s, options);
    expect(result.verdict).toBe('RESTARTS');
    expect(result.lives.map((one) => [one.startIndex, one.endIndex])).toEqual([
      [0, 19],
      [20, 39],
    ]);
  });
});
