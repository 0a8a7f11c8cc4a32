import { execFileSync } from 'node:child_process';
import { rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverLockfiles } from '../../src/check/discover.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';

let root: string;
const env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, env, stdio: 'pipe' });
}

/** Found files, relative to `base`, with forward slashes. */
async function found(base: string, options: { env?: Record<string, string> } = {}) {
  const discovery = await discoverLockfiles(base, { env: options.env ?? env });
  return { files: discovery.files.map((file) => path.relative(base, file).split(path.sep).join('/')), warnings: discovery.warnings };
}

beforeAll(() => {
  root = tempDir('gemleak-discover-');
  writeTree(root, {
    'repo/.gitignore': 'tmp/\nlegacy/\n',
    'repo/Gemfile.lock': 'x',
    'repo/apps/api/Gemfile.lock': 'x',
    'repo/apps/api/Gemfile.next.lock': 'x',
    'repo/apps/web/.gitignore': 'Gemfile.lock\n',
    'repo/apps/web/Gemfile.lock': 'x',
    'repo/apps/web/Gemfile_next.lock': 'x',
    'repo/engines/billing/gems.locked': 'x',
    'repo/node_modules/pkg/Gemfile.lock': 'x',
    'repo/vendor/bundle/ruby/3.2.0/gems/foo-1.0/Gemfile.lock': 'x',
    'repo/tmp/Gemfile.lock': 'x',
    'repo/scratch/Gemfile.lock': 'x',
    'repo/legacy/Gemfile.lock': 'x',
    'repo/old/Gemfile.lock': 'x',
    'repo/Gemfile.lock.orig': 'x',
    'repo/MyGemfile.lock': 'x',
    'repo/Gemfile': 'x',
    'repo/apps/api/gems.locked.bak': 'x',
    // Outside git: .gitignore means nothing, the fixed folders are still skipped.
    'plain/.gitignore': 'ignored/\n',
    'plain/Gemfile.lock': 'x',
    'plain/ignored/Gemfile.lock': 'x',
    'plain/node_modules/a/Gemfile.lock': 'x',
    'plain/vendor/bundle/Gemfile.lock': 'x',
    'plain/vendor/cache/Gemfile.lock': 'x',
    // A repository met while walking: its own ignore rules apply.
    'plain/checkout/.gitignore': 'build/\n',
    'plain/checkout/Gemfile.lock': 'x',
    'plain/checkout/build/Gemfile.lock': 'x',
  });
  const repo = path.join(root, 'repo');
  git(repo, 'init', '-q');
  writeTree(repo, { '.git/info/exclude': 'scratch/\n' });
  git(repo, 'add', '.gitignore', 'Gemfile.lock', 'apps/api/Gemfile.lock', 'old/Gemfile.lock');
  git(repo, 'add', '-f', 'legacy/Gemfile.lock');
  git(repo, 'commit', '-q', '-m', 'lockfiles');
  unlinkSync(path.join(repo, 'old/Gemfile.lock'));
  git(path.join(root, 'plain/checkout'), 'init', '-q');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('discoverLockfiles in a git work tree', () => {
  it('lists tracked and untracked lockfiles, honouring every .gitignore, info/exclude and the fixed skips', async () => {
    const { files, warnings } = await found(path.join(root, 'repo'));
    expect(files).toEqual([
      'Gemfile.lock',
      'apps/api/Gemfile.lock',
      'apps/api/Gemfile.next.lock',
      'apps/web/Gemfile_next.lock',
      'engines/billing/gems.locked',
      // Tracked, so part of the repository even though .gitignore matches it.
      'legacy/Gemfile.lock',
    ]);
    expect(warnings).toEqual([]);
  });

  it('searches only below the folder given, from inside the repository', async () => {
    const { files } = await found(path.join(root, 'repo/apps'));
    expect(files).toEqual(['api/Gemfile.lock', 'api/Gemfile.next.lock', 'web/Gemfile_next.lock']);
  });

  it('ignores a hook environment pointing git elsewhere', async () => {
    const { files } = await found(path.join(root, 'repo/apps'), { env: { ...env, GIT_DIR: path.join(root, 'plain/checkout/.git'), GIT_INDEX_FILE: '/nonexistent/index' } });
    expect(files).toEqual(['api/Gemfile.lock', 'api/Gemfile.next.lock', 'web/Gemfile_next.lock']);
  });

  it('without git on PATH, walks everything but the fixed skips and says .gitignore was not applied', async () => {
    const { files, warnings } = await found(path.join(root, 'repo'), { env: { PATH: path.join(root, 'no-bin') } });
    expect(files).toEqual([
      'Gemfile.lock',
      'apps/api/Gemfile.lock',
      'apps/api/Gemfile.next.lock',
      'apps/web/Gemfile.lock',
      'apps/web/Gemfile_next.lock',
      'engines/billing/gems.locked',
      'legacy/Gemfile.lock',
      'scratch/Gemfile.lock',
      'tmp/Gemfile.lock',
    ]);
    expect(warnings).toEqual([{ message: 'git was not found on PATH, so .gitignore rules were not applied to the --recursive search' }]);
  });
});

describe('discoverLockfiles outside git', () => {
  it('walks the folders, skipping node_modules and vendor/bundle, and lets git list a repository met on the way', async () => {
    const { files, warnings } = await found(path.join(root, 'plain'));
    expect(files).toEqual(['Gemfile.lock', 'checkout/Gemfile.lock', 'ignored/Gemfile.lock', 'vendor/cache/Gemfile.lock']);
    expect(warnings).toEqual([]);
  });

  it('returns a file given directly, and fails on a path that does not exist', async () => {
    expect((await found(path.join(root, 'plain/Gemfile.lock'))).files).toEqual(['']);
    await expect(discoverLockfiles(path.join(root, 'nope'), { env })).rejects.toMatchObject({ code: 'LOCKFILE_NOT_FOUND' });
  });
});
