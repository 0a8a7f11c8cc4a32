import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { findRepositoryRoot } from './project.js';
import { CONFIG_FILE_NAME, type GemleakConfig } from './types.js';

export interface ConfigChoice {
  cwd: string;
  /** `--config FILE` (must exist), `false` for `--no-config`, undefined to look for `.gemleak.toml`. */
  explicit?: string | false | undefined;
}

/**
 * Finds `.gemleak.toml`: in `cwd`, then in each parent folder up to and including the top of the
 * git repository `cwd` is in. Outside a repository only `cwd` itself is looked at, so a stray file
 * in a home folder never applies to unrelated projects. Null when there is none.
 */
export async function findConfigFile(cwd: string): Promise<string | null> {
  const start = path.resolve(cwd);
  const root = await findRepositoryRoot(start);
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) {
      refuseLinkLeaving(candidate, root ?? start, path.relative(cwd, candidate) || CONFIG_FILE_NAME);
      return candidate;
    }
    if (root === null || dir === root || path.dirname(dir) === dir) return null;
  }
}

/**
 * The config in force: `--config FILE`, else the `.gemleak.toml` found from `cwd`, else null.
 * The TOML parser is loaded only when there is a file to parse.
 * Throws GemleakError CONFIG_NOT_FOUND (an explicit file is missing) or CONFIG_INVALID (file:line).
 */
export async function loadConfig(choice: ConfigChoice): Promise<GemleakConfig | null> {
  if (choice.explicit === false) return null;
  const absolute = choice.explicit === undefined ? await findConfigFile(choice.cwd) : path.resolve(choice.cwd, choice.explicit);
  if (absolute === null) return null;
  const name = path.relative(choice.cwd, absolute) || path.basename(absolute);
  const bytes = readConfigBytes(absolute, name);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new GemleakError('CONFIG_INVALID', 'not UTF-8 text (TOML files are UTF-8)', { file: name });
  }
  const { parseConfig } = await import('./parse.js');
  return parseConfig(text, name, path.dirname(absolute));
}

/** A config file is a few kilobytes; a bigger one is not read into memory. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The bytes of a config file: a regular file of at most MAX_CONFIG_BYTES, opened non-blocking so
 * that a FIFO cannot hang the run.
 */
function readConfigBytes(absolute: string, name: string): Buffer {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GemleakError('CONFIG_NOT_FOUND', 'config file not found', { file: name });
    throw new GemleakError('CONFIG_INVALID', `cannot read the config file (${code ?? String(error)})`, { file: name });
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new GemleakError('CONFIG_NOT_FOUND', `is a folder; --config takes the config file itself (${CONFIG_FILE_NAME})`, { file: name });
    if (!stats.isFile()) throw new GemleakError('CONFIG_INVALID', 'is not a regular file (a FIFO or a device); the config must be a file', { file: name });
    if (stats.size > MAX_CONFIG_BYTES) throw new GemleakError('CONFIG_INVALID', `is ${stats.size} bytes; a config file is at most ${MAX_CONFIG_BYTES}`, { file: name });
    const buffer = Buffer.alloc(stats.size);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof GemleakError) throw error;
    throw new GemleakError('CONFIG_INVALID', `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: name });
  } finally {
    closeSync(fd);
  }
}

/**
 * A `.gemleak.toml` found by walking up may be a symbolic link (a shared config inside the
 * repository), but not to a file outside it: a repository is not trusted to make gemleak read,
 * and quote in errors, a file elsewhere on the machine. `--config FILE` names a file on purpose.
 */
function refuseLinkLeaving(candidate: string, root: string, name: string): void {
  if (!lstatSync(candidate).isSymbolicLink()) return;
  let target: string;
  let realRoot: string;
  try {
    target = realpathSync(candidate);
    realRoot = realpathSync(root);
  } catch {
    target = '';
    realRoot = root;
  }
  const inside = path.relative(realRoot, target);
  if (target === '' || inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new GemleakError('CONFIG_INVALID', 'is a symbolic link to a file outside the repository; gemleak does not follow it (pass --config FILE to use a file elsewhere on purpose)', { file: name });
  }
}

/**
 * Synchronous, and with no error object built for the usual answer (no such file): this runs on
 * every check, where a one-shot CLI has nothing to overlap a file call with.
 */
function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
