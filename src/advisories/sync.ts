import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { PACKAGE_ROOT } from '../package-root.js';
import { chmod, cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { GemleakError, isGemleakError } from '../errors.js';
import { dataHomePaths } from './data-home.js';
import { loadAdvisoryDatabase } from './load.js';
import { type LockOwner, type LockTimings, acquireLock } from './lock.js';
import { MANIFEST_FILE, readManifest, requireSupportedVersion } from './manifest.js';
import { redactUrl, redactUrlsIn } from './source-url.js';
import { SYNC_STATE_FORMAT, type SyncState, readSyncState, writeSyncState } from './sync-state.js';
import { readSyncedIndex, syncedIndexFile, writeSyncedIndex } from './synced-index.js';
import type { AdvisoryProblem } from './types.js';

/** git's progress, as simple-git reports it (`clone`, `receiving`, 45 %, 120 of 300 objects). */
export interface SyncProgress {
  method: string;
  stage: string;
  progress: number;
  processed: number;
  total: number;
}

export interface SyncRequest {
  /** The data home (see data-home.ts). */
  home: string;
  /** The source, already checked with `checkSourceUrl`. */
  url: string;
  /** Follow this branch instead of the remote's default branch (already checked with `checkBranchName`). */
  branch?: string | undefined;
  gemleakVersion: string;
  /** The environment git runs with (proxies, ssh settings and credentials come from here). */
  env: Record<string, string | undefined>;
  onProgress?: (event: SyncProgress) => void;
  /** Called once when another update holds the lock and this one waits. */
  onWait?: (owner: LockOwner | null) => void;
  lockTimings?: Partial<LockTimings>;
  /** Kill a git command that printed nothing for this long (default 3 minutes). */
  gitIdleTimeoutMs?: number;
}

export interface SyncResult {
  /** `unchanged`: the remote had nothing new; only the sync time moved. */
  outcome: 'updated' | 'unchanged';
  /** Another update finished while this one waited for the lock; its result is used, nothing was fetched. */
  reused: boolean;
  /** The copy was made by a fresh clone (first sync, a new URL, or an old copy that could not be reused). */
  cloned: boolean;
  state: SyncState;
  /** Absolute path of the synced copy now in use. */
  root: string;
  previous: SyncState | null;
  /** Advisory files of the new copy that could not be read (reported, skipped). */
  problems: AdvisoryProblem[];
}

interface RemoteHead {
  branch: string | null;
  commit: string;
}

interface Current {
  state: SyncState;
  root: string;
}

const STAGING_PREFIX = '.staging-';

/** Modes of what may hold a credential: the data folders, `synced.json`, a copy's `.git/config`. */
const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/** git writes the remote URL (token included) into the copy's `.git/config`: readable by the user only. */
async function makePrivate(copy: string): Promise<void> {
  await chmod(path.join(copy, '.git', 'config'), PRIVATE_FILE).catch(() => undefined);
}

/**
 * Syncs the advisory database from git into the data home, atomically:
 *   1. take the update lock (waiting for a running update; breaking a crashed one's lock);
 *   2. remove what an interrupted update left behind;
 *   3. ask the remote for its branch head (`git ls-remote`); if it is the commit already synced, only
 *      the sync time changes;
 *   4. otherwise build the new copy in a staging folder: fetch into a copy of the current clone when
 *      it is from the same URL, else clone (shallow);
 *   5. validate it with the loader `check` uses (no gems/ folder or no readable advisory: refused;
 *      a manifest asking for a newer gemleak: refused);
 *   6. rename it into place, then replace `synced.json` with a rename: the switch is one atomic step.
 * Any failure before step 6 leaves the previous copy and its record untouched.
 * Throws GemleakError: URL/network failures (UPDATE_FAILED), refused data (UPDATE_REFUSED,
 * DB_NEEDS_NEWER_GEMLEAK), lock problems (LOCK_TIMEOUT, LOCK_FAILED), an unwritable home (DATA_HOME_UNWRITABLE).
 */
export async function syncAdvisoryDatabase(request: SyncRequest): Promise<SyncResult> {
  const paths = dataHomePaths(request.home);
  // Private: a source URL may carry a token, and the copies' .git/config and synced.json hold it.
  await mkdir(paths.syncedDir, { recursive: true, mode: PRIVATE_FOLDER })
    .then(() => chmod(paths.syncedDir, PRIVATE_FOLDER))
    .catch((error: NodeJS.ErrnoException) => {
      throw new GemleakError('DATA_HOME_UNWRITABLE', `cannot create gemleak's data folder (${error.code ?? error.message}); set GEMLEAK_HOME to a writable folder`, { file: request.home });
    });
  const requestedAt = Date.now();
  const lock = await acquireLock(paths.lockFile, {
    ...(request.lockTimings ? { timings: request.lockTimings } : {}),
    ...(request.onWait ? { onWait: request.onWait } : {}),
  });
  let staging: string | null = null;
  try {
    await removeLeftovers(paths.home, paths.syncedDir);
    const read = readSyncState(request.home);
    const current: Current | null = read.kind === 'ok' ? { state: read.state, root: read.root } : null;
    if (current && syncedSince(current.state, request, requestedAt)) {
      return { outcome: 'unchanged', reused: true, cloned: false, state: current.state, root: current.root, previous: current.state, problems: [] };
    }
    const git = await gitFactory(request);
    const remote = await resolveRemote(git(paths.syncedDir), request);
    if (current && current.state.url === request.url && current.state.commit === remote.commit && (await isPristine(git(current.root), remote.commit))) {
      await lock.assertHeld();
      return await refreshUnchanged(current, remote, request);
    }
    staging = path.join(paths.syncedDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    const cloned = await buildCopy(git, staging, remote, current, request);
    await makePrivate(staging);
    const head = await headOf(git(staging), remote);
    const checked = await validateCopy(staging, request, current);
    // Publish only while the lock is still ours (another update may have broken it after a stall).
    await lock.assertHeld();
    const root = path.join(paths.syncedDir, `${new Date().toISOString().replace(/[-:.]/g, '')}-${head.commit.slice(0, 7)}`);
    await rename(staging, root);
    staging = null;
    // Until synced.json names it, the new copy is ours to take back: a failure (a full disk) leaves
    // nothing half-written behind, and the previous copy stays in use.
    let published = false;
    try {
      await writeSyncedIndex(root, head.commit, checked.database);
    } catch (error) {
      await removeCopy(root);
      throw error;
    }
    const state: SyncState = {
      format: SYNC_STATE_FORMAT,
      path: path.relative(request.home, root).split(path.sep).join('/'),
      url: request.url,
      branch: head.branch,
      commit: head.commit,
      commitDate: head.commitDate,
      syncedAt: new Date().toISOString(),
      advisories: checked.advisories,
      problems: checked.problems.length,
      minGemleakVersion: checked.minGemleakVersion,
      syncedBy: request.gemleakVersion,
    };
    // The one step that switches copies: check reads the old record or the new one, never a mix.
    try {
      await writeSyncState(request.home, state);
      published = true;
    } finally {
      if (!published) await removeCopy(root);
    }
    await removeOldCopies(paths.syncedDir, [root, ...(current ? [current.root] : [])]);
    return { outcome: 'updated', reused: false, cloned, state, root, previous: current?.state ?? null, problems: checked.problems };
  } finally {
    if (staging !== null) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
  }
}

/** The remote has nothing new and the copy is untouched: only the sync time moves (and a missing index is rebuilt). */
async function refreshUnchanged(current: Current, remote: RemoteHead, request: SyncRequest): Promise<SyncResult> {
  await makePrivate(current.root);
  await requireSupportedVersion(current.state.minGemleakVersion, request.gemleakVersion, { file: path.join(current.root, MANIFEST_FILE) });
  if ((await readSyncedIndex(current.root, current.state.commit, undefined)) === null) {
    await writeSyncedIndex(current.root, current.state.commit, await loadAdvisoryDatabase(current.root));
  }
  const state: SyncState = { ...current.state, branch: remote.branch, syncedAt: new Date().toISOString(), syncedBy: request.gemleakVersion };
  await writeSyncState(request.home, state);
  // Copies no record names (left by a crash between the switch and the clean-up, or copied in by
  // hand) are removed on every update, not only when a new copy arrives.
  await removeOldCopies(path.dirname(current.root), [current.root]);
  return { outcome: 'unchanged', reused: false, cloned: false, state, root: current.root, previous: current.state, problems: [] };
}

/** True when another update synced the same source while this one waited for the lock. */
function syncedSince(state: SyncState, request: SyncRequest, requestedAt: number): boolean {
  return Date.parse(state.syncedAt) >= requestedAt && state.url === request.url && (request.branch === undefined || state.branch === request.branch);
}

type GitAt = (baseDir: string) => SimpleGit;

/**
 * git, run through bin/git-guard.mjs so that it dies with gemleak: a SIGKILLed update must not leave
 * a `git clone` running. simple-git runs `<binary> <prefix> <git args>`; it takes only plain paths,
 * so a path it would refuse (or Windows, where the guard's signals do not apply) means plain git.
 */
function guardedGit(): string | [string, string] {
  const guard = path.join(PACKAGE_ROOT, 'bin', 'git-guard.mjs');
  const plain = (arg: string) => /^([a-z]:)?([a-z0-9/.\\_~-]+)$/i.test(arg);
  if (process.platform === 'win32' || !plain(process.execPath) || !plain(guard) || !existsSync(guard)) return 'git';
  return [process.execPath, guard];
}

async function gitFactory(request: SyncRequest): Promise<GitAt> {
  const { simpleGit } = await import('simple-git');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.env)) if (value !== undefined) env[key] = value;
  // Never wait for a password on a terminal nobody watches (CI); English messages, so the reason can be quoted.
  Object.assign(env, { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });
  const onProgress = request.onProgress;
  return (baseDir) =>
    simpleGit({
      baseDir,
      binary: guardedGit(),
      maxConcurrentProcesses: 1,
      timeout: { block: request.gitIdleTimeoutMs ?? 180_000 },
      ...(onProgress ? { progress: (event: SyncProgress) => onProgress(event) } : {}),
      // The user's own environment (ssh command, askpass, proxies, config paths) is trusted: it is
      // theirs, not the database's. Arguments stay guarded: no --upload-pack, no protocol overrides.
      unsafe: {
        allowUnsafeAskPass: true,
        allowUnsafeConfigEnvCount: true,
        allowUnsafeConfigPaths: true,
        allowUnsafeDiffExternal: true,
        allowUnsafeEditor: true,
        allowUnsafeGitProxy: true,
        allowUnsafePager: true,
        allowUnsafeSshCommand: true,
        allowUnsafeTemplateDir: true,
      },
    }).env(env);
}

/** The remote's default branch (or the requested one) and its head commit, by `git ls-remote`. */
async function resolveRemote(git: SimpleGit, request: SyncRequest): Promise<RemoteHead> {
  const args = request.branch === undefined ? ['ls-remote', '--symref', request.url, 'HEAD'] : ['ls-remote', request.url, `refs/heads/${request.branch}`];
  const output = await runGit(git, args, request, 'cannot reach');
  let branch: string | null = request.branch ?? null;
  let commit: string | null = null;
  for (const line of output.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\s+HEAD$/.exec(line);
    if (symref) branch = symref[1] ?? null;
    const ref = /^([0-9a-f]{40,64})\s+(\S+)$/.exec(line);
    if (ref && (ref[2] === 'HEAD' || ref[2] === `refs/heads/${request.branch}`)) commit = ref[1] ?? null;
  }
  if (commit === null) {
    const why = request.branch === undefined ? 'the repository is empty (no commits)' : `it has no branch '${request.branch}'`;
    throw new GemleakError('UPDATE_REFUSED', `cannot update from ${redactUrl(request.url)}: ${why}`);
  }
  return { branch, commit };
}

/** The current copy is exactly `commit`, with nothing changed, added or removed by hand. */
async function isPristine(git: SimpleGit, commit: string): Promise<boolean> {
  try {
    const head = (await git.raw(['rev-parse', '--verify', 'HEAD'])).trim();
    if (head !== commit) return false;
    const status = await git.raw(['status', '--porcelain', '--ignored', '--untracked-files=all']);
    return status.trim() === '';
  } catch {
    return false;
  }
}

/**
 * Fills `staging` with a checkout of the remote branch. Returns true when it had to clone.
 * Reuses the current clone's objects when the source is the same (a fetch moves it to the remote
 * branch whatever its local state); anything wrong with the old clone means a fresh clone instead.
 */
async function buildCopy(git: GitAt, staging: string, remote: RemoteHead, current: Current | null, request: SyncRequest): Promise<boolean> {
  if (current && current.state.url === request.url && (await copyRepository(git, current.root, staging, request.url))) {
    await runGit(git(staging), fetchArgs(remote), request, 'cannot fetch from');
    if (await checkoutFetched(git(staging), remote)) return false;
    await rm(staging, { recursive: true, force: true });
  }
  const clone = ['clone', '--depth', '1', '--no-tags', '--single-branch', '--no-local'];
  if (remote.branch !== null) clone.push('--branch', remote.branch);
  // simple-git appends --progress when progress is wanted: it must come before `--`, not after.
  if (request.onProgress) clone.push('--progress');
  await runGit(git(path.dirname(staging)), [...clone, '--', request.url, staging], request, 'cannot clone');
  return true;
}

async function copyRepository(git: GitAt, from: string, staging: string, url: string): Promise<boolean> {
  try {
    await mkdir(staging);
    await cp(path.join(from, '.git'), path.join(staging, '.git'), { recursive: true, verbatimSymlinks: true, errorOnExist: true });
    const copy = git(staging);
    await copy.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    await copy.raw(['remote', 'set-url', 'origin', url]);
    return true;
  } catch {
    await rm(staging, { recursive: true, force: true });
    return false;
  }
}

function fetchArgs(remote: RemoteHead): string[] {
  const ref = remote.branch === null ? 'HEAD' : `+refs/heads/${remote.branch}:refs/remotes/origin/${remote.branch}`;
  return ['fetch', '--depth', '1', '--no-tags', 'origin', ref];
}

/** Checks out what was fetched (force: local state never matters) and drops everything older. */
async function checkoutFetched(git: SimpleGit, remote: RemoteHead): Promise<boolean> {
  try {
    if (remote.branch === null) await git.raw(['checkout', '--force', '--detach', 'FETCH_HEAD']);
    else await git.raw(['checkout', '--force', '-B', remote.branch, `refs/remotes/origin/${remote.branch}`]);
    await git.raw(['clean', '-ffdxq']);
  } catch {
    return false;
  }
  // Old commits would pile up in a copy that is fetched into again and again: keep only the new one.
  const keep = remote.branch === null ? new Set<string>() : new Set([`refs/heads/${remote.branch}`, `refs/remotes/origin/${remote.branch}`]);
  try {
    const refs = (await git.raw(['for-each-ref', '--format=%(refname)'])).split('\n').filter((ref) => ref !== '' && !keep.has(ref));
    for (const ref of refs) await git.raw(['update-ref', '-d', ref]);
    await git.raw(['reflog', 'expire', '--expire=now', '--all']);
    await git.raw(['gc', '--prune=now', '--quiet']);
  } catch {
    // Only housekeeping: the checkout is complete without it.
  }
  return true;
}

async function headOf(git: SimpleGit, remote: RemoteHead): Promise<{ commit: string; commitDate: string; branch: string | null }> {
  const [commit = '', commitDate = ''] = (await git.raw(['log', '-1', '--format=%H%x00%cI'])).trim().split('\0');
  const branch = remote.branch ?? ((await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim() || null);
  return { commit, commitDate, branch };
}

/** The check's own loader decides: a copy `check` could not use is never put in place. */
async function validateCopy(staging: string, request: SyncRequest, current: Current | null) {
  const source = redactUrl(request.url);
  const kept = current ? `; the copy synced ${current.state.syncedAt.slice(0, 10)} stays in use` : '';
  const refuse = (why: string, cause?: unknown): never => {
    throw new GemleakError('UPDATE_REFUSED', `refusing the update from ${source}: ${why}${kept}`, { cause });
  };
  let manifest;
  try {
    manifest = await readManifest(staging);
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    return refuse(`${MANIFEST_FILE}${error.line === undefined ? '' : `:${error.line}`}: ${error.message}`, error);
  }
  await requireSupportedVersion(manifest?.minGemleakVersion ?? null, request.gemleakVersion, { subject: `the database at ${source}`, suffix: kept });
  let database;
  try {
    database = await loadAdvisoryDatabase(staging);
  } catch (error) {
    if (isGemleakError(error) && error.code === 'DB_INVALID') {
      const symlinked = /symbolic link/.test(error.message);
      return refuse(symlinked ? 'its gems/ folder is a symbolic link' : 'it is not an advisory database (no gems/ folder)', error);
    }
    throw error;
  }
  if (database.advisories.length === 0) {
    const first = database.problems[0];
    return refuse(
      first === undefined
        ? 'it holds no advisories (gems/<gem>/<id>.yml)'
        : `none of its ${database.keys.length} advisories can be read (${first.file}${first.line === undefined ? '' : `:${first.line}`}: ${first.message})`,
    );
  }
  return { advisories: database.keys.length, problems: database.problems, minGemleakVersion: manifest?.minGemleakVersion ?? null, database };
}

/** Runs git; a failure becomes one line: what could not be done, where, and git's own reason. */
async function runGit(git: SimpleGit, args: string[], request: SyncRequest, doing: string): Promise<string> {
  try {
    return await git.raw(args);
  } catch (error) {
    throw new GemleakError('UPDATE_FAILED', `${doing} ${redactUrl(request.url)}: ${gitReason(error)}`, { cause: error });
  }
}

/** git's first `fatal:`/`error:` line (or the first line), credentials removed. */
function gitReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/spawn git ENOENT/.test(text)) return 'git is not installed (gemleak update needs the git command on PATH)';
  if (/block timeout reached/.test(text)) return 'git stopped answering (no output for minutes): network down or proxy needed?';
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const fatal = lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? 'git failed';
  return redactUrlsIn(fatal.replace(/^(fatal|error):\s*/, ''));
}

/** What an interrupted update left behind: staging folders and half-written records. Runs under the lock. */
async function removeLeftovers(home: string, syncedDir: string): Promise<void> {
  const [inSynced, inHome] = await Promise.all([readdir(syncedDir).catch(() => []), readdir(home).catch(() => [])]);
  await Promise.all([
    ...inSynced.filter((name) => name.startsWith(STAGING_PREFIX)).map((name) => rm(path.join(syncedDir, name), { recursive: true, force: true })),
    ...inHome.filter((name) => /^synced\.json\..*\.tmp$/.test(name)).map((name) => rm(path.join(home, name), { force: true })),
  ]);
}

/** Removes one copy and its index (best effort: what is left is removed by the next update). */
async function removeCopy(root: string): Promise<void> {
  await Promise.all([rm(root, { recursive: true, force: true }), rm(syncedIndexFile(root), { force: true })]).catch(() => undefined);
}

/** Removes copies (and their indexes) other than the new one and the one before it (a check may still be reading that one). */
async function removeOldCopies(syncedDir: string, keepCopies: string[]): Promise<void> {
  const keep = new Set(keepCopies.flatMap((copy) => [path.basename(copy), path.basename(syncedIndexFile(copy))]));
  const names = await readdir(syncedDir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => !name.startsWith(STAGING_PREFIX) && !keep.has(name)).map((name) => rm(path.join(syncedDir, name), { recursive: true, force: true }).catch(() => undefined)));
}
