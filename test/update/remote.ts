import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ISOLATED_GIT_ENV, gemleakBin } from '../helpers/cli.js';
import { advisoryFile, tempDir, writeTree } from '../helpers/fixtures.js';

/**
 * A git remote for `gemleak update` tests: a bare repository in a temp folder (reached by a
 * `file://` URL, so no network) and a working clone that commits and pushes to it. Real git.
 */
export interface TestRemote {
  root: string;
  bare: string;
  url: string;
  work: string;
  /** GEMLEAK_HOME for the test. */
  home: string;
  branch: string;
  commit(files: Record<string, string>, message: string, options?: { remove?: string[] }): string;
  /** Replaces the whole history of `branch` with one new commit holding exactly `files` (a force-push). */
  rewrite(files: Record<string, string>, message: string): string;
  git(args: string[], cwd?: string): string;
  cleanup(): void;
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Gemleak Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Gemleak Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Gem names that the bundled database does not have, so what a check finds comes from the synced copy. */
export const ALPHA = 'gl-sync-alpha';
export const BETA = 'gl-sync-beta';

export function advisory(gem: string, leaky: string[], title = `${gem} keeps every request alive`): string {
  return advisoryFile(gem, { leaky, patched: ['>= 9.0'], title });
}

export const INITIAL_DATABASE: Record<string, string> = {
  [`gems/${ALPHA}/1.yml`]: advisory(ALPHA, ['< 2.0']),
  'README.md': 'A test leak database.\n',
};

export function makeRemote(options: { branch?: string; files?: Record<string, string> } = {}): TestRemote {
  const root = tempDir('gemleak-update-');
  const branch = options.branch ?? 'trunk';
  const bare = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  const git = (args: string[], cwd = work): string => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] });
  git(['-c', `init.defaultBranch=${branch}`, 'init', '-q', '--bare', bare], root);
  git(['-c', `init.defaultBranch=${branch}`, 'init', '-q', work], root);
  git(['remote', 'add', 'origin', bare]);
  const remote: TestRemote = {
    root,
    bare,
    url: `file://${bare}`,
    work,
    home: path.join(root, 'gemleak-home'),
    branch,
    git,
    commit(files, message, commitOptions = {}) {
      writeTree(work, files);
      for (const file of commitOptions.remove ?? []) rmSync(path.join(work, file), { recursive: true, force: true });
      git(['add', '-A']);
      git(['commit', '-q', '--allow-empty', '-m', message]);
      git(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(['rev-parse', 'HEAD']).trim();
    },
    rewrite(files, message) {
      git(['checkout', '-q', '--orphan', `rewrite-${Date.now()}`]);
      git(['rm', '-rq', '--cached', '.']);
      for (const entry of readdirSync(work)) if (entry !== '.git') rmSync(path.join(work, entry), { recursive: true, force: true });
      writeTree(work, files);
      git(['add', '-A']);
      git(['commit', '-q', '-m', message]);
      git(['push', '-q', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(['rev-parse', 'HEAD']).trim();
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  if (options.files !== undefined) remote.commit(options.files, 'initial advisories');
  return remote;
}

/** The record `gemleak update` leaves for `check`. */
export function readState(home: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(home, 'synced.json'), 'utf8')) as Record<string, unknown>;
}

/** Folders in `<home>/synced/` (copies and staging folders), without the copies' `<copy>.index.json` files. */
export function syncedFolders(home: string): string[] {
  const dir = path.join(home, 'synced');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => !name.endsWith('.index.json'))
        .sort()
    : [];
}

/** The `<copy>.index.json` files in `<home>/synced/`. */
export function syncedIndexes(home: string): string[] {
  const dir = path.join(home, 'synced');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.index.json'))
        .sort()
    : [];
}

/**
 * A global git config whose `uploadpack.packObjectsHook` runs `script` (sh) before packing: it
 * makes the remote side of a fetch or clone slow, deterministically, while the update is mid-way
 * (lock held, staging folder made). `$MARKER` is touched when packing starts; `$LOG` gets a line per pack.
 */
export function slowPackConfig(root: string, seconds: number): { env: Record<string, string>; marker: string; log: string } {
  const marker = path.join(root, `packing-${seconds}-${Date.now()}`);
  const log = path.join(root, 'packs.log');
  const hook = path.join(root, `slow-pack-${seconds}.sh`);
  writeFileSync(hook, `#!/bin/sh\necho "pack $$" >> '${log}'\ntouch '${marker}'\nsleep ${seconds}\nexec "$@"\n`);
  chmodSync(hook, 0o755);
  const config = path.join(root, `gitconfig-slow-${seconds}`);
  writeFileSync(config, `[uploadpack]\n\tpackObjectsHook = ${hook}\n`);
  return { env: { GIT_CONFIG_GLOBAL: config }, marker, log };
}

export interface Running {
  child: ChildProcess;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the real CLI without waiting (runCli waits), in its own process group so a test can kill what it started. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = spawn(process.execPath, [gemleakBin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...ISOLATED_GIT_ENV, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Kills whatever is left of a process group the test started (git children of a killed CLI). */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Advisory files in the bundled database (what `check` counts for it). */
export function bundledCount(bundled: string): number {
  // Gem advisories (gems/<gem>/<id>.yml) and interpreter advisories (rubies/<engine>/<id>.yml) both count.
  return ['gems', 'rubies'].reduce((sum, top) => {
    const dir = path.join(bundled, top);
    if (!existsSync(dir)) return sum;
    return sum + readdirSync(dir).reduce((inner, folder) => inner + readdirSync(path.join(dir, folder)).filter((file) => file.endsWith('.yml')).length, 0);
  }, 0);
}
