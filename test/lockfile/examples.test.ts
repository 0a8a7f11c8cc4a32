import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLockfile } from '../../src/lockfile/index.js';
import { repoRoot } from '../helpers/paths.js';

const spec = (name: string, version: string, platform: string | null = null) => ({ name, version, platform });

describe('the example lockfiles the README demo runs on', () => {
  it.each([
    [
      'examples/Gemfile.lock (a neglected Rails 5.2 API app)',
      'examples/Gemfile.lock',
      [spec('redis', '3.3.0'), spec('celluloid', '0.17.0'), spec('oj', '2.12.10'), spec('sidekiq', '3.4.1'), spec('grape', '1.1.0')],
    ],
    [
      'examples/clean/Gemfile.lock (a current Rails 7.1 app)',
      'examples/clean/Gemfile.lock',
      [spec('railties', '7.1.3.2'), spec('puma', '6.4.2'), spec('nokogiri', '1.16.3'), spec('nokogiri', '1.16.3', 'arm64-darwin'), spec('nokogiri', '1.16.3', 'x86_64-linux'), spec('redis', '5.1.0')],
    ],
  ])('%s parses cleanly and locks what the demo expects', async (_name, relative, expected) => {
    const lockfile = await readLockfile(path.join(repoRoot, relative));
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.specs.length).toBeGreaterThanOrEqual(40);
    expect(lockfile.specs.length).toBeLessThanOrEqual(60);
    expect(lockfile.specs.map(({ name, version, platform }) => ({ name, version, platform }))).toEqual(expect.arrayContaining(expected));
    const locked = new Set(lockfile.specs.map((entry) => entry.name));
    const unresolved = lockfile.specs.flatMap((entry) => entry.dependencies.map((dependency) => dependency.name)).filter((name) => !locked.has(name));
    expect(unresolved).toEqual([]);
  });
});
