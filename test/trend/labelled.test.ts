import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SKIP_NO_SHARED, hasShared, sharedRoot } from '../helpers/paths.js';

/**
 * The labelled series of ../shared/memseries, read in place (they are not ours to copy): every
 * verdict in its label's `accept`, each series and each life right, never LEAK on a plateau or a
 * flat series, and the slope within 10 % where the truth is known (synthetic LEAK and
 * BELOW_GC_GROWTH). Run through the real CLI with --format json.
 */
const memseries = path.join(sharedRoot, 'memseries');
const hasCases = hasShared && existsSync(path.join(memseries, 'labels.json'));

interface Label {
  id: string;
  file: string;
  format: string;
  source: 'real' | 'synthetic' | 'published';
  expected_verdict: string;
  accept: string[];
  slope_mib_per_hour: number | null;
  slope_kib_per_sample: number | null;
  warmup_end_index: number | null;
  samples: number;
  series?: Record<string, { expected_verdict: string; slope_mib_per_hour?: number }>;
  segments?: Array<{ start_index: number; end_index: number; expected_verdict: string; slope_mib_per_hour?: number }>;
}

interface SeriesJson {
  key: string | null;
  format: string;
  verdict: string;
  slope_mib_per_hour: number | null;
  slope_mib_per_sample: number | null;
  warmup_end_index: number | null;
  samples: number;
  lives: Array<{ verdict: string; start_index: number; end_index: number; slope_mib_per_hour: number | null }>;
}

const labels: Label[] = hasCases ? JSON.parse(readFileSync(path.join(memseries, 'labels.json'), 'utf8')) : [];

function judge(label: Label): { verdict: string; series: SeriesJson[] } {
  const run = runCli(['trend', path.join(memseries, label.file), '--format', 'json']);
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe.skipIf(!hasCases)(`gemleak trend on the labelled series ${hasCases ? '' : SKIP_NO_SHARED}`, () => {
  it('has the visible set', () => {
    expect(labels.length).toBeGreaterThanOrEqual(20);
  });

  it.each(labels.map((label) => [label.id, label] as const))('%s', (_id, label) => {
    const result = judge(label);
    expect(label.accept).toContain(result.verdict);
    // Detected formats match the label's (ours calls a ps column `ps-column` as the label does).
    for (const one of result.series) expect(one.format).toBe(label.format);
    if (label.series !== undefined) {
      const byKey = new Map(result.series.map((one) => [one.key, one]));
      for (const [key, expected] of Object.entries(label.series)) {
        const got = byKey.get(key);
        expect(got, `series ${key}`).toBeDefined();
        expect(got!.verdict, `series ${key}`).toBe(expected.expected_verdict);
        if (['PLATEAU', 'NO_GROWTH'].includes(expected.expected_verdict)) expect(got!.verdict).not.toBe('LEAK');
        if (label.source === 'synthetic' && expected.expected_verdict === 'LEAK' && expected.slope_mib_per_hour !== undefined) {
          expect(Math.abs(got!.slope_mib_per_hour! / expected.slope_mib_per_hour - 1)).toBeLessThan(0.1);
        }
      }
    } else {
      expect(result.series).toHaveLength(1);
    }
    const [only] = result.series;
    if (label.segments !== undefined) {
      expect(only!.lives.map((life) => [life.start_index, life.end_index, life.verdict])).toEqual(label.segments.map((segment) => [segment.start_index, segment.end_index, segment.expected_verdict]));
      if (label.source === 'synthetic') {
        for (const [i, segment] of label.segments.entries()) {
          if (segment.slope_mib_per_hour !== undefined) expect(Math.abs(only!.lives[i]!.slope_mib_per_hour! / segment.slope_mib_per_hour - 1)).toBeLessThan(0.1);
        }
      }
    }
    if (['PLATEAU', 'NO_GROWTH'].includes(label.expected_verdict)) expect(result.verdict).not.toBe('LEAK');
    const steadyTruth = label.source === 'synthetic' && ['LEAK', 'BELOW_GC_GROWTH'].includes(label.expected_verdict) && label.series === undefined;
    if (steadyTruth && label.slope_mib_per_hour !== null) {
      expect(Math.abs(only!.slope_mib_per_hour! / label.slope_mib_per_hour - 1)).toBeLessThan(0.1);
    }
    if (label.slope_kib_per_sample !== null && label.expected_verdict === 'LEAK') {
      expect(Math.abs((only!.slope_mib_per_sample! * 1024) / label.slope_kib_per_sample - 1)).toBeLessThan(0.1);
    }
    // The suggested check of the labels' README: warm-up end within 10 % of the sample count.
    if (label.warmup_end_index !== null && label.series === undefined && only!.warmup_end_index !== null) {
      expect(Math.abs(only!.warmup_end_index - label.warmup_end_index)).toBeLessThanOrEqual(Math.ceil(label.samples * 0.1));
    }
  });
});
