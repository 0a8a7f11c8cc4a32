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
 * Runs the real CLI as a child process. The environment is minimal and explicit so a developer's
 * own GEMLEAK_* or colour settings never leak into a test.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliRun {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    GEMLEAK_HOME: path.join(repoRoot, 'node_modules', '.cache', 'gemleak-test-home-unused'),
    NO_COLOR: '1',
    ...options.env,
  };
  const result = spawnSync(process.execPath, [gemleakBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
