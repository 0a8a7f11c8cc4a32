import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { gemleakBin } from '../helpers/cli.js';
import { lockfileWith, writeTree } from '../helpers/fixtures.js';

/** A lockfile locking redis 3.3.0, leaky under advisory redis-612 (`= 3.3.0`). */
export const LEAKY = lockfileWith(['rack (2.2.8)', 'redis (3.3.0)']);
/** The same gems with redis 3.3.1, the first patched version. */
export const CLEAN = lockfileWith(['rack (2.2.8)', 'redis (3.3.1)']);

/** The advisory of the public database, in its schema, as the only advisory of a database. */
export function writeRedisDatabase(root: string): void {
  writeTree(root, {
    'gems/redis/612.yml': [
      '---',
      'gem: redis',
      'url: https://github.com/redis/redis-rb/issues/612',
      'title: Memory leak due to Timeout creating threads on each invocation.',
      'date: 2016-04-25',
      'description: |',
      ' write_timeout results in lots of short-lived threads created.',
      'leaky_versions:',
      '  - "= 3.2.2"',
      '  - "= 3.3.0"',
      'patched_versions:',
      '  - ">= 3.3.1"',
      '',
    ].join('\n'),
  });
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Git and gemleak run with this environment only: no global or system git config (a developer's
 * core.hooksPath or commit template must not change a test), a fixed identity, no colour.
 */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    NO_COLOR: '1',
    ...extra,
  };
}

export function run(command: string, args: string[], cwd: string, env: Record<string, string>, timeout = 60_000): Run {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', input: '', timeout, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs git and fails the test with git's own words when it fails. */
export function git(cwd: string, args: string[], env: Record<string, string> = baseEnv()): string {
  const result = run('git', args, cwd, env);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** Runs this checkout's gemleak (bin/gemleak.js) as a child process. */
export function gemleak(cwd: string, args: string[], env: Record<string, string>): Run {
  return run(process.execPath, [gemleakBin, ...args], cwd, env);
}

/** A new repository at `dir` with one commit holding `files`. */
export function makeRepo(dir: string, files: Record<string, string> = { 'README.md': 'hello\n' }, env = baseEnv()): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['-c', 'init.defaultBranch=main', 'init', '-q'], env);
  writeTree(dir, files);
  git(dir, ['add', '.'], env);
  git(dir, ['commit', '-q', '--no-verify', '-m', 'start'], env);
  return dir;
}

/** Writes files below `repo` and stages them. */
export function stage(repo: string, files: Record<string, string>, env = baseEnv()): void {
  writeTree(repo, files);
  git(repo, ['add', '--', ...Object.keys(files)], env);
}

/** A real `git commit` (hooks run), from `cwd`. */
export function commit(cwd: string, message: string, env: Record<string, string>): Run {
  return run('git', ['commit', '-m', message], cwd, env);
}

/** The subject of the last commit. */
export function lastSubject(repo: string): string {
  return git(repo, ['log', '-1', '--format=%s']).trim();
}
