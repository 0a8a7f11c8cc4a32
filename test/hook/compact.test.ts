import { describe, expect, it } from 'vitest';
import { runnableFrom } from '../../src/report/compact.js';

describe('runnableFrom: the fix command, pasteable where the report is read', () => {
  it.each([
    ['Gemfile.lock', 'bundle update redis --conservative'],
    ['gems.locked', 'bundle update redis --conservative'],
    ['apps/api/Gemfile.lock', 'cd apps/api && bundle update redis --conservative'],
    ['Gemfile.next.lock', 'BUNDLE_GEMFILE=Gemfile.next bundle update redis --conservative'],
    ['Gemfile_next.lock', 'BUNDLE_GEMFILE=Gemfile_next bundle update redis --conservative'],
    ['apps/web/Gemfile.next.lock', 'cd apps/web && BUNDLE_GEMFILE=Gemfile.next bundle update redis --conservative'],
    ['../Gemfile.lock', 'cd .. && bundle update redis --conservative'],
    ["it's here/Gemfile.lock", "cd 'it'\\''s here' && bundle update redis --conservative"],
  ])('%s → %s', (lockfile, expected) => {
    expect(runnableFrom(lockfile, 'bundle update redis --conservative')).toBe(expected);
  });

  it('leaves a command that is not bundler\'s alone', () => {
    expect(runnableFrom('apps/api/Gemfile.lock', 'replace the gem')).toBe('replace the gem');
  });
});
