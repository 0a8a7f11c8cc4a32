import { statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * The repository a folder belongs to, found without running git: the nearest folder at or above
 * `dir` that holds `.git` (a folder, or a file in worktrees and submodules). Null outside any.
 */
export async function findRepositoryRoot(dir: string): Promise<string | null> {
  for (let current = path.resolve(dir); ; ) {
    if (exists(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * Maps each file (absolute, or relative to `cwd`) to its path from the top of its repository, with
 * forward slashes and symbolic links resolved, as GitHub code scanning and annotations want them
 * (results on a symlinked path are not shown). A file outside any repository is given relative to
 * `cwd`; one that cannot be resolved keeps its path as given.
 */
export async function repositoryPaths(files: readonly string[], cwd: string): Promise<Map<string, string>> {
  const roots = new Map<string, Promise<string | null>>();
  const rootOf = (dir: string) => {
    let found = roots.get(dir);
    if (!found) {
      found = findRepositoryRoot(dir).then((root) => (root === null ? null : realpath(root).catch(() => root)));
      roots.set(dir, found);
    }
    return found;
  };
  const realCwd = await realpath(cwd).catch(() => cwd);
  const entries = await Promise.all(
    [...new Set(files)].map(async (file): Promise<[string, string]> => {
      const absolute = path.resolve(cwd, file);
      const real = await realpath(absolute).catch(() => null);
      if (real === null) return [file, toPosix(file)];
      const root = (await rootOf(path.dirname(real))) ?? realCwd;
      const relative = path.relative(root, real);
      return [file, toPosix(relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative)];
    }),
  );
  return new Map(entries);
}

export function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/** Synchronous and with no error object built for a missing file: this walk runs on every check. */
function exists(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
