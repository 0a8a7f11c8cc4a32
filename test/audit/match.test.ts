import { describe, expect, it } from 'vitest';
import type { Advisory } from '../../src/advisories/types.js';
import { isAffected, platformApplies } from '../../src/audit/match.js';
import { safeVersionsAbove } from '../../src/audit/safe-versions.js';
import { GemVersion } from '../../src/versions/index.js';

function advisory(fields: Partial<Advisory>): Advisory {
  return {
    id: '1',
    gem: 'g',
    url: 'https://example.com',
    title: 't',
    date: '2020-01-01',
    description: '',
    leakyVersions: [],
    patchedVersions: [],
    unaffectedVersions: [],
    platform: null,
    framework: null,
    related: [],
    file: 'gems/g/1.yml',
    ...fields,
  };
}

const redis = advisory({ leakyVersions: ['= 3.2.2', '= 3.3.0'], patchedVersions: ['>= 3.3.1'] });
const celluloid = advisory({ leakyVersions: ['> 0.16.0, < 0.17.2'], patchedVersions: ['>= 0.17.3'] });
const noStart = advisory({ patchedVersions: ['>= 2.7.2'] });
const backported = advisory({ patchedVersions: ['~> 1.2.5', '>= 1.3.1'], unaffectedVersions: ['< 1.0'] });
const unfixed = advisory({});

describe('isAffected: leaky, and neither patched nor unaffected', () => {
  it.each([
    // bundler-leak flags redis 3.2.1 (not patched); gemleak does not, since it is not leaky.
    [redis, '3.2.1', false],
    [redis, '3.2.2', true],
    [redis, '3.2.3', false],
    [redis, '3.3.0', true],
    [redis, '3.3.1', false],
    [celluloid, '0.16.0', false],
    [celluloid, '0.16.0.1', true],
    [celluloid, '0.17.1', true],
    [celluloid, '0.17.2', false],
    [celluloid, '0.17.2.rc1', true],
    [noStart, '0.1', true],
    [noStart, '2.7.1', true],
    [noStart, '2.7.2.rc1', true],
    [noStart, '2.7.2', false],
    [noStart, '2.7.10', false],
    [backported, '0.9', false],
    [backported, '1.0', true],
    [backported, '1.2.4', true],
    [backported, '1.2.5', false],
    [backported, '1.2.9', false],
    [backported, '1.3.0', true],
    [backported, '1.3.1', false],
    [unfixed, '99.0', true],
  ])('%#: %j at %s -> %s', (adv, version, expected) => {
    expect(isAffected(adv, version, null)).toBe(expected);
  });
});

describe('platforms', () => {
  it.each([
    [null, null, true],
    [null, 'java', true],
    ['ruby', null, true],
    ['ruby', 'x86_64-linux', true],
    ['ruby', 'arm64-darwin', true],
    ['ruby', 'java', false],
    ['ruby', 'universal-java-11', false],
    ['mri', 'x86_64-linux-gnu', true],
    ['jruby', 'java', true],
    ['jruby', null, false],
    ['java', 'universal-java-17', true],
    ['x86_64-linux', 'x86_64-linux-gnu', true],
    ['x86_64-linux', 'x86_64-linux', true],
    ['x86_64-linux', 'aarch64-linux', false],
    ['x86_64-linux', null, false],
  ])('advisory platform %s, spec platform %s -> %s', (advisoryPlatform, specPlatform, expected) => {
    expect(platformApplies(advisoryPlatform, specPlatform)).toBe(expected);
  });

  it('an MRI-only advisory does not flag the -java build of a leaky version', () => {
    const mriOnly = advisory({ leakyVersions: ['< 1.8.4'], patchedVersions: ['>= 1.8.4'], platform: 'ruby' });
    expect(isAffected(mriOnly, '1.8.3', 'java')).toBe(false);
    expect(isAffected(mriOnly, '1.8.3', 'x86_64-linux')).toBe(true);
  });
});

describe('safeVersionsAbove: the versions no advisory of the gem flags', () => {
  const only = (patched: string[], leaky: string[] = []) => [advisory({ patchedVersions: patched, leakyVersions: leaky })];
  it.each([
    ['patched >= 0.17.3', only(['>= 0.17.3']), '0.17.0', '0.17.3', ['>= 0.17.3']],
    ['two release lines, below both', only(['~> 1.2.5', '>= 1.3.1']), '1.2.4', '1.2.5', ['>= 1.2.5, < 1.3', '>= 1.3.1']],
    ['two release lines, on the second', only(['~> 1.2.5', '>= 1.3.1']), '1.3.0', '1.3.1', ['>= 1.3.1']],
    ['a conjunction', only(['~> 1.2.5, >= 1.2.5.1']), '1.2.4', '1.2.5.1', ['>= 1.2.5.1, < 1.3']],
    ['no nameable smallest', only(['> 2.0']), '1.0', null, ['> 2.0']],
    ['no fix at all', only([]), '1.0', null, []],
    // The hostile-input case: "3.3.1 or later" would send users to the leaky 3.3.2-3.8.x.
    ['= 3.3.1 inside a leaky >= 3.0, < 3.9', only(['= 3.3.1'], ['>= 3.0, < 3.9']), '3.2.0', '3.3.1', ['= 3.3.1', '>= 3.9']],
    ['~> 1.8.7 inside a leaky < 2.0', only(['~> 1.8.7'], ['< 2.0']), '1.8.0', '1.8.7', ['>= 1.8.7, < 1.9', '>= 2.0']],
    // An upgrade never walks into another known leak of the same gem.
    [
      'the fix of one leak is leaky under another',
      [advisory({ id: 'a', patchedVersions: ['>= 2.0'] }), advisory({ id: 'b', leakyVersions: ['>= 2.0, < 2.2'], patchedVersions: ['>= 2.2'] })],
      '1.5',
      '2.2',
      ['>= 2.2'],
    ],
  ] as const)('%s: locked %s', (_what, advisories, locked, minimum, ranges) => {
    const safe = safeVersionsAbove(advisories, GemVersion.parse(locked), [null]);
    expect(safe.minimum).toBe(minimum);
    expect(safe.ranges).toEqual(ranges);
  });

  it('judges every locked build: a leak only in the C extension still blocks a version for a native build', () => {
    const advisories = [advisory({ id: 'a', patchedVersions: ['>= 2.0'] }), advisory({ id: 'b', platform: 'ruby', leakyVersions: ['= 2.0'], patchedVersions: ['>= 2.1'] })];
    expect(safeVersionsAbove(advisories, GemVersion.parse('1.0'), ['java']).minimum).toBe('2.0');
    expect(safeVersionsAbove(advisories, GemVersion.parse('1.0'), ['java', null]).minimum).toBe('2.1');
  });
});
