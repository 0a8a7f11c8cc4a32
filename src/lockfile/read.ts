import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { parseLockfileBytes } from './from-bytes.js';
import type { Lockfile } from './types.js';

/** Bundler names the lockfile after the Gemfile: `Gemfile` → `Gemfile.lock`, `gems.rb` → `gems.locked`. */
const LOCKFILE_NAMES = ['Gemfile.lock', 'gems.locked'] as const;

// Synchronous file calls on purpose: a one-shot CLI has nothing to overlap them with, and each
// promise round trip through the thread pool costs more than the small read itself.

/**
 * Reads (in one read), decodes and parses a lockfile. `displayName` is how messages and the result
 * name it (the path as the user would type it); it defaults to `lockfilePath`.
 */
export async function readLockfile(lockfilePath: string, displayName = lockfilePath): Promise<Lockfile> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(lockfilePath);
  } catch (error) {
    throw unreadable(displayName, error);
  }
  return parseLockfileBytes(bytes, displayName);
}

/** A file path is returned as it is; a folder gives its Gemfile.lock, else its gems.locked. */
export async function resolveLockfilePath(pathOrDir: string, displayName = pathOrDir): Promise<string> {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(pathOrDir).isDirectory();
  } catch (error) {
    throw unreadable(displayName, error);
  }
  if (!isDirectory) return pathOrDir;
  for (const name of LOCKFILE_NAMES) {
    const candidate = path.join(pathOrDir, name);
    if (isFile(candidate)) return candidate;
  }
  throw new GemleakError('LOCKFILE_NOT_FOUND', `neither ${LOCKFILE_NAMES.join(' nor ')} exists in this folder; expected the lockfile Bundler writes next to the Gemfile (run \`bundle lock\` to create it)`, {
    file: displayName,
  });
}

function isFile(candidate: string): boolean {
  try {
    // No error object is built for a missing file: throwIfNoEntry.
    return statSync(candidate, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function unreadable(target: string, error: unknown): GemleakError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'no such file or folder'
    : code === 'EISDIR' ? 'this is a folder, not a file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : `cannot be read (${code ?? String(error)})`;
  return new GemleakError('LOCKFILE_NOT_FOUND', `${reason}; expected a readable Gemfile.lock or gems.locked`, { file: target, cause: error });
}
