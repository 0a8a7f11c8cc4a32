import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunWarning } from '../audit/types.js';
import { findRepositoryRoot } from '../config/project.js';
import { GemleakError, isGemleakError } from '../errors.js';
import { type GitContext, runGit } from '../hook/git.js';
import { isLockfileName } from '../hook/staged.js';

/** Folders never searched: git's own data, JavaScript dependencies, gems installed by `bundle install --path`. */
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/** Git pathspecs for the lockfile names, in every folder below the one git runs in; names are checked again after. */
const PATHSPECS = [':(glob)**/Gemfile*.lock', ':(glob)**/gems.locked'];

/**
 * Variables a git hook sets that would make git read another repository or index than the folder's
 * own: discovery is about the files on disk, so git must find the repository from the folder.
 */
const HOOK_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

export interface DiscoveryOptions {
  /** The environment git runs with (PATH, HOME for its global excludes file). */
  env: Record<string, string | undefined>;
}

export interface Discovery {
  /** Absolute paths, sorted. */
  files: string[];
  warnings: RunWarning[];
}

/**
 * Every lockfile below `root`: `Gemfile.lock`, `gems.locked` and the other Gemfiles' lockfiles
 * (`Gemfile.next.lock`, `Gemfile_next.lock`: any `Gemfile*.lock`), skipping `.git`, `node_modules`
 * and `vendor/bundle` folders.
 *
 * Inside a git work tree, git itself lists the files (`git ls-files --cached --others
 * --exclude-standard`): tracked files and untracked ones that are not ignored, by the same rules as
 * `git status` (every `.gitignore`, `.git/info/exclude`, `core.excludesFile`), and git never walks
 * into an ignored folder. Outside a repository the folders are walked, and a repository met on the
 * way is listed by git in the same way. Lockfiles inside submodules or nested repositories of a
 * repository are not listed (git does not list them either); pass them as paths.
 * Without git on PATH the walk covers everything but the skipped folders, with a warning.
 */
export async function discoverLockfiles(root: string, options: DiscoveryOptions): Promise<Discovery> {
  const absolute = path.resolve(root);
  const info = await stat(absolute).catch(() => null);
  if (info === null) throw new GemleakError('LOCKFILE_NOT_FOUND', 'no such file or folder', { file: root });
  if (!info.isDirectory()) return { files: [absolute], warnings: [] };
  const search = new Search(options.env);
  if ((await findRepositoryRoot(absolute)) !== null) await search.repository(absolute);
  else await search.walk(absolute);
  return { files: [...new Set(search.files)].sort(compareText), warnings: search.warnings };
}

class Search {
  readonly files: string[] = [];
  readonly warnings: RunWarning[] = [];
  readonly #git: Omit<GitContext, 'cwd'>;
  #gitMissing = false;

  constructor(env: Record<string, string | undefined>) {
    const clean = { ...env };
    for (const name of HOOK_VARIABLES) delete clean[name];
    this.#git = { env: clean };
  }

  /** Lists a folder inside a git work tree with git; walks it instead when git cannot. */
  async repository(dir: string): Promise<void> {
    if (!this.#gitMissing) {
      try {
        const output = await runGit({ ...this.#git, cwd: dir }, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...PATHSPECS]);
        const candidates = this.#utf8Only(output, dir).filter((file) => isLockfileName(file) && !inSkippedFolder(file));
        const present = await Promise.all(candidates.map(async (file) => ((await isFile(path.join(dir, file))) ? path.join(dir, file) : null)));
        this.files.push(...present.filter((file): file is string => file !== null));
        return;
      } catch (error) {
        if (!isGemleakError(error)) throw error;
        if (error.code === 'GIT_MISSING') {
          this.#gitMissing = true;
          this.warnings.push({ message: 'git was not found on PATH, so .gitignore rules were not applied to the --recursive search' });
        } else if (error.code !== 'NOT_A_GIT_REPOSITORY') {
          this.warnings.push({ message: `${error.message}; searched without .gitignore rules instead`, file: dir });
        }
      }
    }
    await this.walk(dir, true);
  }

  /**
   * git's NUL-separated paths, as text. A path that is not UTF-8 (a folder named in Latin-1) cannot
   * be named in a JavaScript string, so it is reported rather than dropped in silence.
   */
  #utf8Only(output: Buffer, dir: string): string[] {
    const paths: string[] = [];
    let start = 0;
    for (let end = output.indexOf(0); end !== -1; start = end + 1, end = output.indexOf(0, start)) {
      const bytes = output.subarray(start, end);
      if (isUtf8(bytes)) paths.push(bytes.toString('utf8'));
      else if (isLockfileName(escapeBytes(bytes))) this.warnings.push(notUtf8(escapeBytes(bytes), dir));
    }
    return paths;
  }

  /** Walks a folder outside any repository (or any folder, when git is missing). */
  async walk(dir: string, insideRepository = false): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      this.warnings.push({ message: `cannot read this folder (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`, file: dir });
      return;
    }
    if (!insideRepository && !this.#gitMissing && entries.some((entry) => entry.name === '.git')) {
      await this.repository(dir);
      return;
    }
    if (entries.some((entry) => entry.name.includes('\uFFFD'))) await this.#reportUndecodable(dir);
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.includes('\uFFFD')) return;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (SKIPPED_FOLDERS.has(entry.name) || (entry.name === 'bundle' && path.basename(dir) === 'vendor')) return;
          await this.walk(full, insideRepository);
        } else if (isLockfileName(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full))))) {
          this.files.push(full);
        }
      }),
    );
  }

  /** Names in `dir` that are not UTF-8: a folder may hold lockfiles, a lockfile cannot be read by its name. */
  async #reportUndecodable(dir: string): Promise<void> {
    const raw = await readdir(dir, { encoding: 'buffer' }).catch(() => [] as Buffer[]);
    for (const name of raw) if (!isUtf8(name)) this.warnings.push(notUtf8(escapeBytes(name), dir));
  }
}

/** Every byte that is not printable ASCII as `\xNN`, so the name shows as it is on disk. */
function escapeBytes(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) text += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return text;
}

function notUtf8(name: string, dir: string): RunWarning {
  return { message: `${name} is not UTF-8, so lockfiles at or below it were not checked: rename it, or check its lockfile from inside the folder`, file: dir };
}

/** `node_modules/...`, `a/.git/...` or `vendor/bundle/...` anywhere in a path with forward slashes. */
function inSkippedFolder(file: string): boolean {
  const parts = file.split('/').slice(0, -1);
  return parts.some((part, index) => SKIPPED_FOLDERS.has(part) || (part === 'bundle' && parts[index - 1] === 'vendor'));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
