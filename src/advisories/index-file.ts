import { readFileSync } from 'node:fs';
import { GemleakError } from '../errors.js';
import type { Advisory, AdvisoryDatabase } from './types.js';

/** Bumped when the shape of Advisory changes, so an index from another gemleak version is not trusted. */
const INDEX_FORMAT = 1;

interface AdvisoryIndex {
  format: number;
  keys: string[];
  advisories: Advisory[];
}

/**
 * An index is a database that gemleak itself validated and wrote out as JSON (the bundled one at
 * build time): reading it costs one JSON.parse instead of the YAML parser and a file per advisory.
 */
export function serializeAdvisoryIndex(database: AdvisoryDatabase): string {
  if (database.problems.length > 0) throw new Error('refusing to index a database with problems');
  const index: AdvisoryIndex = { format: INDEX_FORMAT, keys: database.keys, advisories: database.advisories };
  return `${JSON.stringify(index)}\n`;
}

/** Reads an index for `root`, keeping only the advisories of `gems`; null when there is no usable index. */
export async function readAdvisoryIndex(file: string, root: string, gems: ReadonlySet<string> | undefined): Promise<AdvisoryDatabase | null> {
  let index: AdvisoryIndex;
  try {
    // Synchronous: one small file on the check's path, with nothing to overlap it with.
    index = JSON.parse(readFileSync(file, 'utf8')) as AdvisoryIndex;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new GemleakError('DB_INDEX_INVALID', `the prebuilt advisory index cannot be read; reinstall gemleak (${(error as Error).message})`, { file });
  }
  if (index.format !== INDEX_FORMAT || !Array.isArray(index.advisories) || !Array.isArray(index.keys)) return null;
  const advisories = gems === undefined ? index.advisories : index.advisories.filter((advisory) => gems.has(advisory.gem));
  return { root, advisories, problems: [], keys: index.keys };
}
