import { describe, expect, it } from 'vitest';
import type { Advisory } from '../../src/advisories/types.js';
import { fixFor } from '../../src/audit/fix.js';
import { shellWord as shellQuote } from '../../src/shell.js';
import { parseLockfile } from '../../src/lockfile/index.js';

function advisory(fields: Partial<Advisory>): Advisory {
  return {
    id: '1',
    gem: 'json',
    url: 'https://example.com',
    title: 't',
    date: '2020-01-01',
    description: '',
    leakyVersions: [],
    patchedVersions: ['>= 2.7.5'],
    unaffectedVersions: [],
    platform: null,
    framework: null,
    related: [],
    file: 'gems/json/1.yml',
    ...fields,
  } as Advisory;
}

/** A lockfile as Bundler writes it: `json` locked at 1.8.6, required by the Gemfile and by `multi`. */
function lockfile(file: string, gemfileRequirement: string, multiRequirement: string) {
  const text = [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    '    json (1.8.6)',
    '    multi (1.0.0)',
    `      json${multiRequirement === '' ? '' : ` (${multiRequirement})`}`,
    '',
    'PLATFORMS',
    '  ruby',
    '',
    'DEPENDENCIES',
    `  json${gemfileRequirement === '' ? '' : ` (${gemfileRequirement})`}`,
    '  multi',
    '',
    'BUNDLED WITH',
    '   2.5.0',
    '',
  ].join('\n');
  return parseLockfile(text, file);
}

const spec = { name: 'json', version: '1.8.6' };

/** json held by parent (~> 1.8), which framework pins (= 7.0.1), which suite pins; loose and sibling are bystanders. */
function chainLockfile(dependencies: string[]): string {
  return [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    '    framework (7.0.1)',
    '      parent (= 7.0.1)',
    '      sibling (= 7.0.1)',
    '    json (1.8.6)',
    '    loose (1.0.0)',
    '      parent (>= 7.0)',
    '    parent (7.0.1)',
    '      json (~> 1.8)',
    '    sibling (7.0.1)',
    '    suite (1.0.0)',
    '      framework (= 7.0.1)',
    '',
    'PLATFORMS',
    '  ruby',
    '',
    'DEPENDENCIES',
    ...dependencies,
    '',
  ].join('\n');
}

describe('fixFor: a fix that works where the user runs it', () => {
  it.each([
    ['Gemfile.lock', 'bundle update json'],
    ['gems.locked', 'bundle update json'],
    ['apps/api/Gemfile.lock', 'cd -- apps/api && bundle update json'],
    ['Gemfile.next.lock', 'BUNDLE_GEMFILE=Gemfile.next bundle update json'],
    ['Gemfile_next.lock', 'BUNDLE_GEMFILE=Gemfile_next bundle update json'],
    ['apps/web/Gemfile.next.lock', 'cd -- apps/web && BUNDLE_GEMFILE=Gemfile.next bundle update json'],
    ['../Gemfile.lock', 'cd -- .. && bundle update json'],
    ['/srv/app/Gemfile.lock', 'cd -- /srv/app && bundle update json'],
    ["it's here/Gemfile.lock", "cd -- 'it'\\''s here' && bundle update json"],
    ['-rf/Gemfile.lock', "cd -- '-rf' && bundle update json"],
  ])('%s -> %s', (file, expected) => {
    const fix = fixFor(lockfile(file, '', ''), spec, [null], [advisory({})], advisory({}));
    expect(fix.runnable).toBe(expected);
    expect(fix.blockers).toEqual([]);
  });

  it('names the Gemfile requirement that excludes the fix (bundle update alone changes nothing)', () => {
    const fix = fixFor(lockfile('Gemfile.lock', '~> 1.8', ''), spec, [null], [advisory({})], advisory({}));
    expect(fix.minimumSafeVersion).toBe('2.7.5');
    expect(fix.blockers).toEqual([{ kind: 'gemfile', requirement: '~> 1.8', gem: null, line: 12 }]);
  });

  it('names a locked gem that pins it, and moves that gem too', () => {
    const fix = fixFor(lockfile('Gemfile.lock', '', '< 2'), spec, [null], [advisory({})], advisory({}));
    expect(fix.blockers).toEqual([{ kind: 'gem', requirement: '< 2', gem: 'multi 1.0.0', line: 5 }]);
    expect(fix.command).toBe('bundle update json multi');
  });

  it('also moves the gems that pin a parent to its locked version, up the chain (bundle update moves only the gems named and their dependencies)', () => {
    const text = chainLockfile(['  loose', '  suite']);
    const fix = fixFor(parseLockfile(text, 'Gemfile.lock'), spec, [null], [advisory({})], advisory({}));
    expect(fix.blockers).toEqual([{ kind: 'gem', requirement: '~> 1.8', gem: 'parent 7.0.1', line: 10 }]);
    // framework pins parent, suite pins framework; loose admits a newer parent, sibling is not in the chain.
    expect(fix.command).toBe('bundle update json parent framework suite');
  });

  it('names a Gemfile pin on a gem of that chain (gem "rails", "4.2.6"): the Gemfile has to change first', () => {
    const text = chainLockfile(['  loose (~> 1.0)', '  suite (= 1.0.0)']);
    const fix = fixFor(parseLockfile(text, 'Gemfile.lock'), spec, [null], [advisory({})], advisory({}));
    expect(fix.blockers).toEqual([
      { kind: 'gem', requirement: '~> 1.8', gem: 'parent 7.0.1', line: 10 },
      { kind: 'gemfile', requirement: '= 1.0.0', gem: 'suite 1.0.0', line: 21 },
    ]);
    expect(fix.command).toBe('bundle update json parent framework suite');
  });

  it('is not blocked by a requirement the safe version meets', () => {
    const fix = fixFor(lockfile('Gemfile.lock', '>= 1.8', '>= 1.0'), spec, [null], [advisory({})], advisory({}));
    expect(fix.blockers).toEqual([]);
  });
});

describe('shellQuote', () => {
  it.each([
    ['apps/api', 'apps/api'],
    ['a b', "'a b'"],
    ['-rf', "'-rf'"],
    ['$(rm -rf ~)', "'$(rm -rf ~)'"],
    ["o'neil", "'o'\\''neil'"],
  ])('%s -> %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});
