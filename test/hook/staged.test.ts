import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { CLEAN, LEAKY, baseEnv, gemleak, git, makeRepo, run, stage, writeRedisDatabase } from './repo.js';

// `gemleak check --staged` on its own, in real repositories (the hook itself: commit.test.ts).
let root: string;
let db: string;
let count = 0;
const env = (extra: Record<string, string> = {}) => baseEnv({ GEMLEAK_DB: db, ...extra });
const newRepo = (files?: Record<string, string>) => makeRepo(path.join(root, `repo-${++count}`), files);
/** A database path that does not exist: any check that loads the database fails with exit 2. */
const NO_DB = () => env({ GEMLEAK_DB: path.join(root, 'no-such-database') });

beforeAll(() => {
  root = tempDir('gemleak-staged-');
  db = path.join(root, 'db');
  writeRedisDatabase(db);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('gemleak check --staged: nothing to check', () => {
  it('exits 0 at once, silent, without the database, when nothing is staged', () => {
    const repo = newRepo({ 'Gemfile.lock': LEAKY });
    const result = gemleak(repo, ['check', '--staged'], NO_DB());
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('exits 0 without the database when only other files are staged (a leaky lockfile in the tree is not looked at)', () => {
    const repo = newRepo({ 'Gemfile.lock': LEAKY });
    stage(repo, { 'app.rb': 'puts 1\n' });
    writeFileSync(path.join(repo, 'Gemfile.lock'), LEAKY.replace('rack', 'rake'));
    expect(gemleak(repo, ['check', '--staged'], NO_DB())).toEqual({ status: 0, stdout: '', stderr: '' });
    // The control: the same missing database fails as soon as a lockfile is staged.
    stage(repo, { 'Gemfile.lock': CLEAN });
    const loaded = gemleak(repo, ['check', '--staged'], NO_DB());
    expect(loaded.status).toBe(2);
    expect(loaded.stderr).toContain('not an advisory database');
  });

  it('loads no dependency when no lockfile is staged: no YAML, TOML or git library, only git itself', () => {
    const repo = newRepo();
    stage(repo, { 'app.rb': 'puts 1\n' });
    const log = path.join(root, `modules-${count}.json`);
    const preload = path.join(root, 'log-modules.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.GEMLEAK_TEST_MODULE_LOG, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n",
    );
    const result = run(process.execPath, ['--require', preload, path.join(repoRoot, 'bin', 'gemleak.js'), 'check', '--staged'], repo, {
      ...NO_DB(),
      GEMLEAK_TEST_MODULE_LOG: log,
    });
    expect(result.status).toBe(0);
    const loaded = JSON.parse(readFileSync(log, 'utf8')) as { builtins: string[]; files: string[] };
    // The CLI is one bundle (with commander inlined); the dependencies would come from node_modules.
    expect(loaded.files.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
    expect(loaded.builtins).toContain('NativeModule child_process');
    expect(loaded.builtins.filter((name) => /^NativeModule (worker_threads|zlib|crypto)$/.test(name))).toEqual([]);
  });

  it('ignores a lockfile staged for deletion', () => {
    const repo = newRepo({ 'Gemfile.lock': LEAKY, 'api/gems.locked': LEAKY });
    git(repo, ['rm', '-q', 'Gemfile.lock']);
    git(repo, ['rm', '-q', '--cached', 'api/gems.locked']);
    expect(gemleak(repo, ['check', '--staged'], NO_DB())).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it.each([['Gemfile.lock.orig'], ['other.lock'], ['Gemfile'], ['docs/Gemfile.lock.example']])('does not take %s for a lockfile', (name) => {
    const repo = newRepo();
    stage(repo, { [name]: LEAKY });
    expect(gemleak(repo, ['check', '--staged'], NO_DB())).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('skips a symbolic link named Gemfile.lock (its blob is a path, not a lockfile)', () => {
    const repo = newRepo({ 'real.txt': LEAKY });
    symlinkSync('real.txt', path.join(repo, 'Gemfile.lock'));
    git(repo, ['add', 'Gemfile.lock']);
    expect(gemleak(repo, ['check', '--staged'], NO_DB()).status).toBe(0);
  });
});

describe('gemleak check --staged: findings', () => {
  it('blocks (exit 1) with a compact report: gem, version, advisory, fix, how to ignore, --no-verify', () => {
    const repo = newRepo();
    stage(repo, { 'Gemfile.lock': LEAKY });
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      [
        'gemleak: the staged Gemfile.lock locks 1 gem version with a known memory leak:',
        '',
        '  redis 3.3.0  Gemfile.lock:5  redis-612: Memory leak due to Timeout creating threads on each invocation.',
        '    fix: upgrade to 3.3.1 (safe: 3.3.1 and later): bundle update redis',
        '',
        'To accept a finding on purpose, add it to .gemleak.toml at the top of the repository:',
        '  [[ignore]]',
        '  id = "redis-612"',
        '  reason = "why this leak does not matter here"',
        'To commit anyway, just this once: git commit --no-verify',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
  });

  it('passes (exit 0) a clean staged lockfile with one line, and never the heap-diff follow-up', () => {
    const repo = newRepo();
    stage(repo, { 'Gemfile.lock': CLEAN });
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('gemleak: no known memory leaks in the staged Gemfile.lock (2 gems checked)\n');
    expect(gemleak(repo, ['check', '--staged', '--quiet'], env()).stdout).toBe('');
  });

  it('reads the index, not the working tree: staged clean + tree leaky passes, staged leaky + tree clean fails', () => {
    const repo = newRepo();
    stage(repo, { 'Gemfile.lock': CLEAN });
    writeFileSync(path.join(repo, 'Gemfile.lock'), LEAKY);
    expect(gemleak(repo, ['check', '--staged'], env()).status).toBe(0);
    stage(repo, { 'Gemfile.lock': LEAKY });
    writeFileSync(path.join(repo, 'Gemfile.lock'), CLEAN);
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('redis 3.3.0');
    // The working tree still holds the clean file, untouched.
    expect(readFileSync(path.join(repo, 'Gemfile.lock'), 'utf8')).toBe(CLEAN);
  });

  it.each([
    ['Gemfile.lock'],
    ['gems.locked'],
    ['Gemfile.next.lock'],
    ['Gemfile_next.lock'],
    ['Gemfile.rails7.lock'],
    ['apps/api/Gemfile.lock'],
    ['deep/down/below/gems.locked'],
    ['with space/Gemfile.lock'],
  ])('finds a staged %s', (name) => {
    const repo = newRepo();
    stage(repo, { [name]: LEAKY });
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`redis 3.3.0  ${name}:5  redis-612`);
  });

  it('checks every staged lockfile of a monorepo, and names the leaky one', () => {
    const repo = newRepo();
    stage(repo, { 'apps/api/Gemfile.lock': CLEAN, 'apps/web/Gemfile.lock': LEAKY, 'README.md': 'two apps\n' });
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('gemleak: 2 staged lockfiles lock 1 gem version with a known memory leak:');
    expect(result.stdout).toContain('redis 3.3.0  apps/web/Gemfile.lock:5');
    expect(result.stdout).toContain('fix: upgrade to 3.3.1 (safe: 3.3.1 and later): cd -- apps/web && bundle update redis');
    expect(result.stdout).not.toContain('apps/api/Gemfile.lock:');
  });

  it('works from a subdirectory, for the whole repository, naming files from there', () => {
    const repo = newRepo();
    stage(repo, { 'Gemfile.lock': LEAKY, 'lib/deep/x.rb': '1\n' });
    const result = gemleak(path.join(repo, 'lib', 'deep'), ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('redis 3.3.0  ../../Gemfile.lock:5');
    expect(result.stdout).toContain('cd -- ../.. && bundle update redis');
  });

  it('sees the whole repository from a subdirectory even with diff.relative = true', () => {
    const repo = newRepo();
    git(repo, ['config', 'diff.relative', 'true']);
    git(repo, ['config', 'color.ui', 'always']);
    stage(repo, { 'Gemfile.lock': LEAKY, 'lib/x.rb': '1\n' });
    const result = gemleak(path.join(repo, 'lib'), ['check', '--staged'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('redis 3.3.0  ../Gemfile.lock:5');
  });

  it('works before the first commit', () => {
    const repo = path.join(root, `unborn-${++count}`);
    git(root, ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
    stage(repo, { 'Gemfile.lock': LEAKY });
    expect(gemleak(repo, ['check', '--staged'], env()).status).toBe(1);
  });

  it('honours --ignore, --format json and --output', () => {
    const repo = newRepo();
    stage(repo, { 'Gemfile.lock': LEAKY });
    const ignored = gemleak(repo, ['check', '--staged', '--ignore', 'redis-612'], env());
    expect(ignored.status).toBe(0);
    expect(ignored.stdout).toBe('gemleak: no known memory leaks in the staged Gemfile.lock (2 gems checked; 1 ignored: redis-612)\n');
    const json = gemleak(repo, ['check', '--staged', '--format', 'json'], env());
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).findings[0]).toMatchObject({ gem: 'redis', version: '3.3.0', lockfile: 'Gemfile.lock', line: 5 });
    const output = gemleak(repo, ['check', '--staged', '--output', 'report.txt'], env());
    expect(output.status).toBe(1);
    expect(output.stdout).toBe('');
    expect(readFileSync(path.join(repo, 'report.txt'), 'utf8')).toContain('git commit --no-verify');
  });

  it('applies .gemleak.toml ignores, but not its default format (a hook is read by a person)', () => {
    const repo = newRepo({ '.gemleak.toml': 'format = "json"\n\n[[ignore]]\nid = "redis-612"\nreason = "workers restart nightly"\n' });
    stage(repo, { 'Gemfile.lock': LEAKY });
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('gemleak: no known memory leaks in the staged Gemfile.lock (2 gems checked; 1 ignored: redis-612)\n');
  });
});

describe('gemleak check --staged <paths>: the index version of the lockfiles named', () => {
  it('checks a named lockfile as staged even when this commit does not change it (pre-commit run --all-files)', () => {
    const repo = newRepo({ 'api/Gemfile.lock': LEAKY, 'web/Gemfile.lock': CLEAN });
    writeFileSync(path.join(repo, 'api', 'Gemfile.lock'), CLEAN);
    const result = gemleak(repo, ['check', '--staged', 'api/Gemfile.lock', 'web/Gemfile.lock'], env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('redis 3.3.0  api/Gemfile.lock:5');
    expect(gemleak(repo, ['check', '--staged', 'web/Gemfile.lock'], env()).status).toBe(0);
  });

  it('takes folders (every lockfile below) and paths relative to the current folder', () => {
    const repo = newRepo({ 'apps/api/Gemfile.lock': LEAKY, 'apps/api/Gemfile.next.lock': CLEAN, 'other/Gemfile.lock': CLEAN });
    const fromTop = gemleak(repo, ['check', '--staged', 'apps'], env());
    expect(fromTop.status).toBe(1);
    expect(fromTop.stdout).toContain('2 staged lockfiles lock 1 gem version');
    const fromApps = gemleak(path.join(repo, 'apps'), ['check', '--staged', 'api/Gemfile.lock'], env());
    expect(fromApps.stdout).toContain('redis 3.3.0  api/Gemfile.lock:5');
  });

  it('passes a named path that is not in the index (deleted, or never added)', () => {
    const repo = newRepo({ 'Gemfile.lock': LEAKY });
    git(repo, ['rm', '-q', 'Gemfile.lock']);
    expect(gemleak(repo, ['check', '--staged', 'Gemfile.lock', 'not-there/Gemfile.lock'], NO_DB())).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('gemleak check --staged: cannot check (exit 2)', () => {
  it("blocks a lockfile staged with merge-conflict markers, with the parser's message", () => {
    const repo = newRepo();
    const conflicted = LEAKY.replace('    redis (3.3.0)\n', '<<<<<<< HEAD\n    redis (3.3.0)\n=======\n    redis (3.3.1)\n>>>>>>> main\n');
    stage(repo, { 'Gemfile.lock': conflicted });
    writeFileSync(path.join(repo, 'Gemfile.lock'), CLEAN);
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^gemleak: Gemfile\.lock:5: .*merge.conflict/i);
  });

  it('refuses an unmerged lockfile (a merge in progress)', () => {
    const repo = newRepo({ 'Gemfile.lock': CLEAN });
    git(repo, ['checkout', '-q', '-b', 'other']);
    stage(repo, { 'Gemfile.lock': LEAKY });
    git(repo, ['commit', '-q', '--no-verify', '-m', 'other']);
    git(repo, ['checkout', '-q', 'main']);
    stage(repo, { 'Gemfile.lock': CLEAN.replace('rack (2.2.8)', 'rack (2.2.9)') });
    git(repo, ['commit', '-q', '--no-verify', '-m', 'main']);
    expect(run('git', ['merge', '-q', 'other'], repo, baseEnv()).status).not.toBe(0);
    const result = gemleak(repo, ['check', '--staged'], env());
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('gemleak: Gemfile.lock: has an unresolved merge conflict in the git index; resolve it, then `git add` it\n');
  });

  it.each([
    [['--update'], '--staged never touches the network, so it does not take --update'],
    [['--update-optional'], 'does not take --update-optional'],
    [['--recursive'], 'drop --recursive'],
  ])('refuses --staged %j', (flags, message) => {
    const repo = newRepo();
    const result = gemleak(repo, ['check', '--staged', ...flags], NO_DB());
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says so outside a git repository', () => {
    const outside = tempDir('gemleak-not-a-repo-');
    try {
      const result = gemleak(outside, ['check', '--staged'], env({ GIT_CEILING_DIRECTORIES: path.dirname(outside) }));
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`gemleak: ${outside}: not inside a git repository`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('gemleak check --staged in worktrees and submodules', () => {
  it('checks what is staged in a linked worktree', () => {
    const repo = newRepo({ 'Gemfile.lock': CLEAN });
    const worktree = path.join(root, `worktree-${count}`);
    git(repo, ['worktree', 'add', '-q', worktree]);
    stage(worktree, { 'Gemfile.lock': LEAKY });
    const inWorktree = gemleak(worktree, ['check', '--staged'], env());
    expect(inWorktree.status).toBe(1);
    expect(inWorktree.stdout).toContain('redis 3.3.0  Gemfile.lock:5');
    // The main work tree's index is another index: nothing is staged there.
    expect(gemleak(repo, ['check', '--staged'], NO_DB()).status).toBe(0);
  });

  it('checks what is staged in a submodule, and the superproject does not look into it', () => {
    const library = newRepo({ 'Gemfile.lock': CLEAN });
    const app = newRepo();
    git(app, ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'vendor/lib']);
    git(app, ['commit', '-q', '--no-verify', '-m', 'submodule']);
    const submodule = path.join(app, 'vendor', 'lib');
    stage(submodule, { 'Gemfile.lock': LEAKY });
    const inside = gemleak(submodule, ['check', '--staged'], env());
    expect(inside.status).toBe(1);
    expect(inside.stdout).toContain('redis 3.3.0  Gemfile.lock:5');
    expect(gemleak(app, ['check', '--staged'], NO_DB()).status).toBe(0);
    writeTree(app, { 'x.txt': 'x' });
    git(app, ['add', 'x.txt']);
    expect(gemleak(app, ['check', '--staged'], NO_DB())).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
