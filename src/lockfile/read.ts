import { type Stats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { MAX_LOCKFILE_BYTES, parseLockfileBytes, tooBig } from './from-bytes.js';
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
  return parseLockfileBytes(readRegularFile(lockfilePath, displayName), displayName);
}

/**
 * The bytes of a regular file of at most MAX_LOCKFILE_BYTES. Opened non-blocking, so that a FIFO
 * with no writer cannot hang the open, then refused by what the open descriptor is (no window
 * between a check and the read): a FIFO, a device such as /dev/zero, a socket.
 */
function readRegularFile(file: string, displayName: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(displayName, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notAFile(displayName, stats);
    if (stats.size > MAX_LOCKFILE_BYTES) throw tooBig(displayName, stats.size);
    // One byte more than the size: a file that grew since fstat is caught by the cap, not cut.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size + 1, MAX_LOCKFILE_BYTES + 1));
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        if (length > MAX_LOCKFILE_BYTES) throw tooBig(displayName, length);
        break;
      }
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof GemleakError) throw error;
    throw unreadable(displayName, error);
  } finally {
    closeSync(fd);
  }
}

function notAFile(target: string, stats: Stats): GemleakError {
  if (stats.isDirectory()) return unreadable(target, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  const kind = stats.isFIFO()
    ? 'a pipe or FIFO (to read standard input, redirect a file to it: < Gemfile.lock)'
    : stats.isCharacterDevice()
      ? 'a character device'
      : stats.isBlockDevice()
        ? 'a block device'
        : stats.isSocket()
          ? 'a socket'
          : 'not a regular file';
  return new GemleakError('LOCKFILE_NOT_A_FILE', `is ${kind}; gemleak reads a lockfile from a regular file only`, { file: target });
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
  throw new GemleakError(
    'LOCKFILE_NOT_FOUND',
    `neither ${LOCKFILE_NAMES.join(' nor ')} exists in this folder; expected the lockfile Bundler writes next to the Gemfile (run \`bundle lock\` to create it)`,
    {
      file: displayName,
    },
  );
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
    code === 'ENOENT'
      ? 'no such file or folder'
      : code === 'EISDIR'
        ? 'this is a folder, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENXIO'
            ? 'is a socket or a device, not a regular file (to read standard input, redirect a file to it: < Gemfile.lock)'
            : `cannot be read (${code ?? String(error)})`;
  return new GemleakError('LOCKFILE_NOT_FOUND', `${reason}; expected a readable Gemfile.lock or gems.locked`, { file: target, cause: error });
}
