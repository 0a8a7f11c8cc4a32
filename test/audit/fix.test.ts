import { describe, expect, it } from 'vitest';
import type { Advisory } from '../../src/advisories/types.js';
import { fixFor } from '../../src/audit/fix.js';
import { shellWord as shellQuote } from '../../src/shell.js';
import { parseLockfile } from '../../src/lockfile/index.js';

function advisory(fields: Partial<Advisory>): Advisory {
  return {
    id: '1', gem: 'json', url: 'https://example.com', title: 't', date: '2020-01-01', description: '',
    leakyVersions: [], patchedVersions: ['>= 2.7.5'], unaffectedVersions: [], platform: null, framework: null, related: [],
    file: 'gems/json/1.yml', ...fields,
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

describe('fixFor: a fix that works where the user runs it', () => {
  it.each([
    ['Gemfile.lock', 'bundle update json --conservative'],
    ['gems.locked', 'bundle update json --conservative'],
    ['apps/api/Gemfile.lock', 'cd -- apps/api && bundle update json --conservative'],
    ['Gemfile.next.lock', 'BUNDLE_GEMFILE=Gemfile.next bundle update json --conservative'],
    ['Gemfile_next.lock', 'BUNDLE_GEMFILE=Gemfile_next bundle update json --conservative'],
    ['apps/web/Gemfile.next.lock', 'cd -- apps/web && BUNDLE_GEMFILE=Gemfile.next bundle update json --conservative'],
    ['../Gemfile.lock', 'cd -- .. && bundle update json --conservative'],
    ['/srv/app/Gemfile.lock', 'cd -- /srv/app && bundle update json --conservative'],
    ["it's here/Gemfile.lock", "cd -- 'it'\\''s here' && bundle update json --conservative"],
    ['-rf/Gemfile.lock', "cd -- '-rf' && bundle update json --conservative"],
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
    expect(fix.command).toBe('bundle update json multi --conservative');
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
