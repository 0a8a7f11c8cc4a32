import { readFileSync } from 'node:fs';
import { GemleakError } from '../errors.js';
import type { Advisory, AdvisoryDatabase, AdvisoryProblem } from './types.js';

/** Bumped when the shape of Advisory or of the index changes: an index from another gemleak version is not trusted. */
const INDEX_FORMAT = 1;

interface AdvisoryIndex {
  format: number;
  /** The commit of the synced copy it stands for; null for the bundled database. */
  commit: string | null;
  keys: string[];
  advisories: Advisory[];
  problems: AdvisoryProblem[];
}

/**
 * An index is a database that gemleak itself validated and wrote out as JSON (the bundled one at
 * build time, a synced copy at `gemleak update`): reading it costs one JSON.parse instead of the YAML
 * parser and a file per advisory, so `check` never loads YAML for the databases gemleak manages.
 */
export function serializeAdvisoryIndex(database: AdvisoryDatabase, commit: string | null = null): string {
  const index: AdvisoryIndex = { format: INDEX_FORMAT, commit, keys: database.keys, advisories: database.advisories, problems: database.problems };
  return `${JSON.stringify(index)}\n`;
}

/**
 * The database an index's text stands for, keeping the advisories (and problems) of `gems` only, as
 * the loader would. Null when it is of another format or for another commit: the caller then reads
 * the YAML. Throws SyntaxError when the text is not JSON.
 */
export function decodeAdvisoryIndex(text: string, root: string, gems: ReadonlySet<string> | undefined, commit: string | null): AdvisoryDatabase | null {
  const index = JSON.parse(text) as Partial<AdvisoryIndex> | null;
  if (index?.format !== INDEX_FORMAT || (index.commit ?? null) !== commit) return null;
  if (!Array.isArray(index.keys) || !Array.isArray(index.advisories) || !Array.isArray(index.problems)) return null;
  const wanted = (gem: string | undefined) => gems === undefined || gem === undefined || gems.has(gem);
  return {
    root,
    advisories: index.advisories.filter((advisory) => wanted(advisory.gem)),
    problems: index.problems.filter((problem) => wanted(/^gems\/([^/]+)\/[^/]+$/.exec(problem.file)?.[1])),
    keys: index.keys,
  };
}

/** Reads the bundled database's index for `root`; null when there is no usable index. */
export async function readAdvisoryIndex(file: string, root: string, gems: ReadonlySet<string> | undefined): Promise<AdvisoryDatabase | null> {
  try {
    // Synchronous: one small file on the check's path, with nothing to overlap it with.
    return decodeAdvisoryIndex(readFileSync(file, 'utf8'), root, gems, null);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new GemleakError('DB_INDEX_INVALID', `the prebuilt advisory index cannot be read; reinstall gemleak (${(error as Error).message})`, { file });
  }
}
