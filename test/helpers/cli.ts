import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const gemleakBin = path.join(repoRoot, 'bin', 'gemleak.js');

/**
 * Every git a test runs, directly or through gemleak, reads no git config but the repository's own:
 * a developer's `commit.gpgsign = true` or `core.hooksPath` must not change a test. vitest.config.ts
 * sets these for the test processes too.
 */
export const ISOLATED_GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } as const;

/**
 * The environment of a CLI child process: minimal and explicit, so a developer's own GEMLEAK_*,
 * colour or git settings never leak into a test. `extra` wins (a test may give its own git config).
 */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    GEMLEAK_HOME: path.join(repoRoot, 'node_modules', '.cache', 'gemleak-test-home-unused'),
    NO_COLOR: '1',
    ...ISOLATED_GIT_ENV,
    ...extra,
  };
}

/** Runs the real CLI as a child process, in the environment of `cliEnv`. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliRun {
  const result = spawnSync(process.execPath, [gemleakBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Permission errors cannot be tested as root (root reads every file), and CI runs as root. So a
 * test of one runs the CLI as `nobody` through setpriv (util-linux) when the tests run as root, as
 * the current user otherwise; `skip` is the reason when neither is possible.
 */
export const unprivileged: { prefix: string[]; skip: null } | { prefix: null; skip: string } = findUnprivileged();

function findUnprivileged(): typeof unprivileged {
  if (process.platform === 'win32') return { prefix: null, skip: '(skipped: no file permissions to test on Windows)' };
  if (process.getuid?.() !== 0) return { prefix: [], skip: null };
  const prefix = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  const probe = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, gemleakBin, '--help'], { encoding: 'utf8', env: cliEnv(), timeout: 30_000 });
  if (probe.status === 0) return { prefix, skip: null };
  return { prefix: null, skip: `(skipped: running as root and cannot become nobody with setpriv: ${probe.error?.message ?? probe.stderr.trim()})` };
}

/** Runs the real CLI as an unprivileged user (see `unprivileged`); `cwd` and every file it uses must be readable by others. */
export function runCliUnprivileged(args: string[], options: { cwd: string; env?: Record<string, string> }): CliRun {
  if (unprivileged.prefix === null) throw new Error(`runCliUnprivileged: ${unprivileged.skip}`);
  const [command, ...rest] = [...unprivileged.prefix, process.execPath, gemleakBin, ...args];
  const result = spawnSync(command!, rest, { cwd: options.cwd, env: cliEnv(options.env), encoding: 'utf8', input: '', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
