import { describe, expect, it } from 'vitest';
import { rangeProblems } from '../../src/advisories/ranges.js';

const advisory = (leaky: string[], patched: string[], unaffected: string[] = []) => ({
  leakyVersions: leaky,
  patchedVersions: patched,
  unaffectedVersions: unaffected,
});

describe('rangeProblems (db lint)', () => {
  it.each([
    ['a leaky range closed by its fix', advisory(['>= 1.5.7, < 1.8.4'], ['>= 1.8.4'], ['< 1.5.7'])],
    ['exact leaky versions', advisory(['= 3.2.2', '= 3.3.0'], ['>= 3.3.1'])],
    ['no start known', advisory([], ['>= 2.7.2'])],
    ['a backport', advisory(['< 1.2.5', '>= 1.3.0, < 1.3.1'], ['~> 1.2.5', '>= 1.3.1'])],
    ['prerelease bounds', advisory(['>= 2.0.0.b2, < 2.9.1'], ['>= 2.9.1'], ['< 2.0.0.b2'])],
    ['no fix known', advisory([], [])],
  ])('accepts %s', (_name, input) => {
    expect(rangeProblems(input)).toEqual([]);
  });

  it.each([
    ['leaky overlaps patched', advisory(['< 2.0'], ['>= 1.9']), ['1.9 is both leaky and patched']],
    // A backport is written as the leaky stretches themselves, not as one range with a patched hole.
    ['a backport written as a hole', advisory(['< 1.3.1'], ['~> 1.2.5', '>= 1.3.1']), ['1.2.5 is both leaky and patched']],
    ['leaky overlaps unaffected', advisory(['>= 1.0, < 2.0'], ['>= 2.0'], ['< 1.5']), ['1.0 is both leaky and unaffected']],
    ['leaky entirely patched', advisory(['= 1.2'], ['>= 1.0']), ['1.2 is both leaky and patched', 'no version is affected: every version the advisory calls leaky is also patched or unaffected']],
    ['an empty leaky range', advisory(['> 2.0, < 1.0'], ['>= 2.1']), ['no version is affected: every version the advisory calls leaky is also patched or unaffected']],
    ['everything patched or unaffected', advisory([], ['>= 1.0'], ['< 1.0']), ['no version is affected: every version the advisory calls leaky is also patched or unaffected']],
  ])('reports %s', (_name, input, messages) => {
    expect(rangeProblems(input).map((p) => p.message)).toEqual(messages);
  });
});
