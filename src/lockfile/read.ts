import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { parseLockfileBytes } from './from-bytes.js';
import type { Lockfile } from './types.js';

/** Bundler names the lockfile after the Gemfile: `Gemfile` → `Gemfile.lock`, `gems.rb` → `gems.locked`. */
const LOCKFILE_NAMES = ['Gemfile.lock', 'gems.locked'] as const;

/**
 * Reads (in one read), decodes and parses a lockfile. `displayName` is how messages and the result
 * name it (the path as the user would type it); it defaults to `lockfilePath`.
 */
export async function readLockfile(lockfilePath: string, displayName = lockfilePath): Promise<Lockfile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(lockfilePath);
  } catch (error) {
    throw unreadable(displayName, error);
  }
  return parseLockfileBytes(bytes, displayName);
}

/** A file path is returned as it is; a folder gives its Gemfile.lock, else its gems.locked. */
export async function resolveLockfilePath(pathOrDir: string): Promise<string> {
  const stats = await stat(pathOrDir).catch((error: unknown) => {
    throw unreadable(pathOrDir, error);
  });
  if (!stats.isDirectory()) return pathOrDir;
  for (const name of LOCKFILE_NAMES) {
    const candidate = path.join(pathOrDir, name);
    if (await isFile(candidate)) return candidate;
  }
  throw new GemleakError('LOCKFILE_NOT_FOUND', `neither ${LOCKFILE_NAMES.join(' nor ')} exists in this folder; expected the lockfile Bundler writes next to the Gemfile (run \`bundle lock\` to create it)`, {
    file: pathOrDir,
  });
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isFile();
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
