import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/fixtures.js';
import { skipNoTool, toolVersion } from '../helpers/skip.js';
import { CLEAN, LEAKY, baseEnv, commit, git, lastSubject, makeRepo, run, stage, writeRedisDatabase } from './repo.js';

// gemleak as a hook repository of the pre-commit framework, for real: pre-commit clones this
// checkout (as a git repository with one commit), runs `npm install` there (which builds dist/
// through `prepare`), `npm pack`, and `npm install -g` of the tarball, then runs the hook in
// commits. Slow (a whole npm install): minutes, not seconds. Needs Debian's `pre-commit` package.
// Without pre-commit, spawnSync gives no output at all (stdout null): toolVersion says null.
const preCommitVersion = toolVersion('pre-commit');
const hasPreCommit = preCommitVersion !== null;
const SKIP_NO_PRE_COMMIT = hasPreCommit ? '' : ` ${skipNoTool('the pre-commit framework', 'pre-commit')}`;
const SLOW = 15 * 60_000;

let root: string;
let consumer: string;
let env: Record<string, string>;

/** This checkout's files as a fresh git repository, as a user's clone would be: no node_modules, no dist. */
function hookRepository(target: string): string {
  const skip = new Set(['node_modules', 'dist', '.git', 'coverage']);
  cpSync(repoRoot, target, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(repoRoot, source);
      return !skip.has(relative.split(path.sep)[0] ?? '') && !relative.startsWith(path.join('bench', 'out')) && !relative.endsWith('.tgz');
    },
  });
  makeRepoFromTree(target);
  return git(target, ['rev-parse', 'HEAD']).trim();
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('GEMLEAK_')));
}

function makeRepoFromTree(dir: string): void {
  git(dir, ['-c', 'init.defaultBranch=main', 'init', '-q']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--no-verify', '-m', 'gemleak']);
}

describe.skipIf(!hasPreCommit)(`gemleak in the pre-commit framework (${preCommitVersion ?? 'absent'})${SKIP_NO_PRE_COMMIT}`, () => {
  beforeAll(() => {
    root = tempDir('gemleak-pre-commit-');
    const db = path.join(root, 'db');
    writeRedisDatabase(db);
    const hooks = path.join(root, 'gemleak-repo');
    const rev = hookRepository(hooks);
    // The whole environment this time: npm must reach its registry as it does here (proxy, CA bundle).
    env = baseEnv({
      ...definedEnv(),
      GEMLEAK_DB: db,
      PRE_COMMIT_HOME: path.join(root, 'pre-commit-home'),
      // npm's own cache stays where it is (HOME), so a second run does not download again.
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    });
    consumer = makeRepo(
      path.join(root, 'app'),
      {
        '.pre-commit-config.yaml': `repos:\n  - repo: ${hooks}\n    rev: ${rev}\n    hooks:\n      - id: gemleak\n`,
      },
      env,
    );
    const install = run('pre-commit', ['install'], consumer, env);
    expect(install.status, install.stderr + install.stdout).toBe(0);
    // Clone, npm install (builds dist/ through `prepare`), npm pack, npm install -g: the slow part.
    const setup = run('pre-commit', ['install-hooks'], consumer, env, SLOW);
    expect(setup.status, `pre-commit install-hooks failed:\n${setup.stdout}\n${setup.stderr}`).toBe(0);
  }, SLOW);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  // Each test starts from the last commit, nothing staged, nothing left over.
  beforeEach(() => {
    git(consumer, ['reset', '-q', '--hard', 'HEAD'], env);
    git(consumer, ['clean', '-q', '-f', '-d'], env);
  });

  it(
    'blocks a commit that stages a leaky lockfile',
    () => {
      stage(consumer, { 'Gemfile.lock': LEAKY });
      const result = run('git', ['commit', '-m', 'leaky'], consumer, env, SLOW);
      expect(result.status).not.toBe(0);
      expect(lastSubject(consumer)).toBe('start');
      const output = result.stdout + result.stderr;
      expect(output).toMatch(/gemleak \(gem versions with known memory leaks\)\.+Failed/);
      expect(output).toContain('redis 3.3.0  Gemfile.lock:5  redis-612');
      expect(output).toContain('git commit --no-verify');
    },
    SLOW,
  );

  it(
    'blocks a staged leaky lockfile whose working-tree copy is clean (pre-commit stashes it, gemleak reads the index)',
    () => {
      stage(consumer, { 'Gemfile.lock': LEAKY });
      writeFileSync(path.join(consumer, 'Gemfile.lock'), CLEAN);
      const result = commit(consumer, 'leaky staged', env);
      expect(result.status).not.toBe(0);
      expect(lastSubject(consumer)).toBe('start');
    },
    SLOW,
  );

  it(
    'lets a clean lockfile through, and skips commits without a lockfile',
    () => {
      stage(consumer, { 'apps/api/Gemfile.lock': CLEAN });
      const clean = commit(consumer, 'clean', env);
      expect(clean.status, clean.stdout + clean.stderr).toBe(0);
      expect(clean.stdout + clean.stderr).toMatch(/gemleak \(gem versions with known memory leaks\)\.+Passed/);
      expect(lastSubject(consumer)).toBe('clean');

      stage(consumer, { 'app.rb': 'puts 1\n' });
      const code = commit(consumer, 'code', env);
      expect(code.status).toBe(0);
      expect(code.stdout + code.stderr).toMatch(/gemleak \(gem versions with known memory leaks\)\.+\(no files to check\)Skipped/);
    },
    SLOW,
  );

  it(
    'checks every lockfile with pre-commit run --all-files',
    () => {
      stage(consumer, { 'legacy/gems.locked': LEAKY });
      git(consumer, ['commit', '-q', '--no-verify', '-m', 'leaky, unchecked'], env);
      const all = run('pre-commit', ['run', '--all-files'], consumer, env);
      expect(all.status).toBe(1);
      expect(all.stdout).toContain('redis 3.3.0  legacy/gems.locked:5');
    },
    SLOW,
  );
});
