import path from 'node:path';
import { GemleakError } from '../errors.js';
import { type GitContext, runGit, splitNul } from './git.js';

/**
 * Lockfile names Bundler writes: `Gemfile.lock`, `gems.locked`, and the lockfiles of other
 * Gemfiles (`Gemfile.next.lock`, `Gemfile_next.lock`, `Gemfile.rails7.lock`: dual boot).
 */
const LOCKFILE_NAME = /^(Gemfile[^/]*\.lock|gems\.locked)$/;

/** The same names as git pathspecs, from the top of the work tree, in every folder. */
const LOCKFILE_PATHSPECS = [':(top,glob)**/Gemfile*.lock', ':(top,glob)**/gems.locked'];

/** Regular files only: a symbolic link's blob is its target's name, a gitlink is a submodule. */
const FILE_MODES = new Set(['100644', '100755']);

/** A lockfile as it sits in the git index. */
export interface StagedLockfile {
  /** Path from the top of the work tree, with forward slashes, as git prints it. */
  path: string;
  /** Object id of the staged content. */
  blob: string;
}

export function isLockfileName(file: string): boolean {
  return LOCKFILE_NAME.test(path.posix.basename(file));
}

/** Lockfiles staged in this commit, as `git diff --raw` with full object ids, whatever the user's diff config. */
const DIFF_STAGED_LOCKFILES = [
  // A user's `diff.relative = true` would limit the diff to the current folder.
  '-c',
  'diff.relative=false',
  'diff',
  '--cached',
  '--raw',
  '-z',
  '--no-color',
  '--no-abbrev',
  '--no-renames',
  '--no-ext-diff',
  '--ignore-submodules=all',
  '--diff-filter=ACMRTU',
  '--',
  ...LOCKFILE_PATHSPECS,
];

/**
 * The lockfiles a commit would change: added, copied, modified, renamed or retyped in the index
 * compared with HEAD (or with nothing, before the first commit), in the whole repository whatever
 * folder `git.cwd` is. One git call, and nothing else, when none is staged: this is the price every
 * commit pays. A lockfile staged for deletion is not listed. An unmerged lockfile is an error.
 */
export async function stagedLockfileChanges(git: GitContext): Promise<StagedLockfile[]> {
  const output = await runGit(git, DIFF_STAGED_LOCKFILES).catch((error: unknown) => diagnose(git, error));
  if (output.length === 0) return [];
  const fields = splitNul(output);
  const staged: StagedLockfile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // `:<old mode> <new mode> <old id> <new id> <status>` then the path.
    const [, newMode, , newId, status] = (fields[i] ?? '').slice(1).split(' ');
    const file = fields[i + 1] ?? '';
    if (status === 'U') throw unmerged(file);
    if (newMode !== undefined && FILE_MODES.has(newMode) && newId !== undefined && isLockfileName(file)) {
      staged.push({ path: file, blob: newId });
    }
  }
  return staged;
}

/**
 * Outside a repository `git diff` turns into `git diff --no-index` and complains about `--cached`;
 * only then, off the hot path, ask git where we are to say what is really wrong.
 */
async function diagnose(git: GitContext, error: unknown): Promise<never> {
  await runGit(git, ['rev-parse', '--git-dir']);
  throw error;
}

/**
 * The index's version of the lockfiles at `paths` (files or folders, relative to `git.cwd`),
 * changed or not: what a hook manager that passes file names (pre-commit, lefthook) asks for,
 * and what `pre-commit run --all-files` means. Paths not in the index are left out: a lockfile
 * staged for deletion is not an error.
 */
export async function indexedLockfiles(git: GitContext, paths: string[]): Promise<StagedLockfile[]> {
  const output = await runGit(git, ['--literal-pathspecs', 'ls-files', '--stage', '-z', '--full-name', '--', ...paths]);
  const entries = new Map<string, StagedLockfile>();
  for (const field of splitNul(output)) {
    // `<mode> <object> <stage>\t<path>`
    const tab = field.indexOf('\t');
    const [mode, blob, stage] = field.slice(0, tab).split(' ');
    const file = field.slice(tab + 1);
    if (!isLockfileName(file)) continue;
    if (stage !== '0') throw unmerged(file);
    if (mode !== undefined && FILE_MODES.has(mode) && blob !== undefined) entries.set(file, { path: file, blob });
  }
  return [...entries.values()];
}

function unmerged(file: string): GemleakError {
  return new GemleakError('LOCKFILE_UNMERGED', 'has an unresolved merge conflict in the git index; resolve it, then `git add` it', { file });
}

/** The top of the work tree, as an absolute path. */
export async function workTreeRoot(git: GitContext): Promise<string> {
  const output = (await runGit(git, ['rev-parse', '--show-toplevel'])).toString('utf8').trim();
  if (output === '') throw new GemleakError('NO_WORK_TREE', 'this git repository has no work tree (a bare repository has nothing staged)');
  return output;
}

/** The sizes in bytes of the staged contents (one `git cat-file --batch-check`), read before the contents. */
export async function stagedBlobSizes(git: GitContext, lockfiles: StagedLockfile[]): Promise<number[]> {
  if (lockfiles.length === 0) return [];
  const output = await runGit(git, ['cat-file', '--batch-check'], lockfiles.map((lockfile) => `${lockfile.blob}\n`).join(''));
  return output
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Number(/^[0-9a-f]+ blob (\d+)$/.exec(line)?.[1] ?? 0));
}

/**
 * Reads the staged contents, all in one `git cat-file --batch`. The bytes are returned as they are:
 * the caller decodes them the way it decodes a lockfile on disk.
 */
export async function readStagedBlobs(git: GitContext, lockfiles: StagedLockfile[]): Promise<Buffer[]> {
  if (lockfiles.length === 0) return [];
  const output = await runGit(git, ['cat-file', '--batch'], lockfiles.map((lockfile) => `${lockfile.blob}\n`).join(''));
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const lockfile of lockfiles) {
    const newline = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, newline < 0 ? undefined : newline).toString('utf8');
    const match = /^([0-9a-f]+) blob (\d+)$/.exec(header);
    if (newline < 0 || match === null) {
      throw new GemleakError('GIT_FAILED', `git cat-file could not read the staged content (${header || 'no answer'})`, { file: lockfile.path });
    }
    const size = Number(match[2]);
    const start = newline + 1;
    blobs.push(output.subarray(start, start + size));
    offset = start + size + 1;
  }
  return blobs;
}
