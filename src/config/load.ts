import { readFileSync, statSync } from 'node:fs';
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
    if (isFile(candidate)) return candidate;
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
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GemleakError('CONFIG_NOT_FOUND', 'config file not found', { file: name });
    if (code === 'EISDIR') throw new GemleakError('CONFIG_NOT_FOUND', `is a folder; --config takes the config file itself (${CONFIG_FILE_NAME})`, { file: name });
    throw new GemleakError('CONFIG_INVALID', `cannot read the config file (${code ?? String(error)})`, { file: name });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new GemleakError('CONFIG_INVALID', 'not UTF-8 text (TOML files are UTF-8)', { file: name });
  }
  const { parseConfig } = await import('./parse.js');
  return parseConfig(text, name, path.dirname(absolute));
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
