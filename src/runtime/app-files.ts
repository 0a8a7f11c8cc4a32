import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Reading an app's own files when the app may have been written by an attacker: a symlink that
 * leads out of the app folder is not followed, anything but a regular file (a FIFO would hang the
 * read, a device would never end) is refused, and no file is read past a size cap. What is refused
 * is said, never silently skipped: callers turn a `skipped` answer into a warning.
 */

/** Deployment files are small; a 1 MiB Dockerfile is not one. */
const MAX_APP_FILE_BYTES = 1024 * 1024;
/** Lockfiles of large monoliths run to a few hundred KiB. */
export const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;

export type AppFileRead = { kind: 'text'; text: string; file: string } | { kind: 'absent'; file: string } | { kind: 'skipped'; file: string; reason: string };

/** The app folder, resolved once so every check compares real paths. */
export interface AppRoot {
  /** As the user gave it: messages name files relative to the working directory through it. */
  display: string;
  real: string;
}

/** `dir` as given (messages show it), resolved against `cwd` (default: the process's). */
export function appRoot(dir: string, cwd = process.cwd()): AppRoot {
  return { display: dir, real: realpathSync(path.resolve(cwd, dir)) };
}

/** `relative` (forward slashes, inside the app) as messages show it: `app/Dockerfile`. */
export function displayPath(root: AppRoot, relative: string): string {
  return root.display === '.' || root.display === '' ? relative : path.join(root.display, relative);
}

/** Reads `relative` inside the app folder as UTF-8 text, within the rules above. */
export function readAppFile(root: AppRoot, relative: string, maxBytes = MAX_APP_FILE_BYTES): AppFileRead {
  const file = displayPath(root, relative);
  const full = path.join(root.real, relative);
  let real: string;
  try {
    real = realpathSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent', file };
    return { kind: 'skipped', file, reason: `cannot be read (${code ?? 'unknown error'})` };
  }
  if (!isInside(root.real, real)) {
    const reason = isInside(root.real, path.resolve(full)) ? 'is a symlink that leads out of the app folder; not followed' : 'is outside the app folder; not read';
    return { kind: 'skipped', file, reason };
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: 'skipped', file, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { kind: 'skipped', file, reason: 'is not a regular file (a FIFO, device or folder); refused' };
    if (stats.size > maxBytes) return { kind: 'skipped', file, reason: `is ${stats.size} bytes, over the ${maxBytes}-byte limit for this kind of file; not read` };
    const buffer = Buffer.alloc(stats.size);
    let offset = 0;
    while (offset < buffer.length) {
      const read = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return { kind: 'text', text: buffer.subarray(0, offset).toString('utf8'), file };
  } finally {
    closeSync(fd);
  }
}

export interface WalkOptions {
  /** Folders below the root to descend into at most (0: the root only). */
  maxDepth: number;
  /** At most this many entries are looked at in all, so a huge tree cannot stall the scan. */
  maxEntries: number;
  /** Folder names never entered. */
  skip: ReadonlySet<string>;
}

/**
 * Relative paths (forward slashes) of the files below the app folder whose name `wanted` accepts.
 * Symlinked folders are not entered (a link can lead anywhere, or loop); every other entry with a
 * wanted name (symlinks, FIFOs) is returned and checked by `readAppFile` when read.
 */
export function walkAppFiles(root: AppRoot, wanted: (relative: string, name: string) => boolean, options: WalkOptions): string[] {
  const found: string[] = [];
  let seen = 0;
  const visit = (relativeDir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(path.join(root.real, relativeDir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++seen > options.maxEntries) return;
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth < options.maxDepth && !options.skip.has(entry.name)) visit(relative, depth + 1);
      } else if (wanted(relative, entry.name)) {
        // FIFOs and devices are listed too, so that reading them is refused out loud.
        found.push(relative);
      }
    }
  };
  visit('', 0);
  return found;
}

function isInside(rootReal: string, candidate: string): boolean {
  const relative = path.relative(rootReal, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
