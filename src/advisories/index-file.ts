import { readFileSync } from 'node:fs';
import { GemleakError } from '../errors.js';
import { brokenFiles } from './load.js';
import { type Advisory, type AdvisoryDatabase, type AdvisoryProblem, type InterpreterAdvisory, ignoreKeyOfFile } from './types.js';

/** Bumped when the shape of Advisory or of the index changes: an index from another gemleak version is not trusted. */
const INDEX_FORMAT = 2;

interface AdvisoryIndex {
  format: number;
  /** The commit of the synced copy it stands for; null for the bundled database. */
  commit: string | null;
  /** Every advisory file, relative to the root (the keys are derived from them). */
  files: string[];
  advisories: Advisory[];
  interpreterAdvisories: InterpreterAdvisory[];
  problems: AdvisoryProblem[];
}

/**
 * An index is a database that gemleak itself validated and wrote out as JSON (the bundled one at
 * build time, a synced copy at `gemleak update`): reading it costs one JSON.parse instead of the YAML
 * parser and a file per advisory, so `check` never loads YAML for the databases gemleak manages.
 */
export function serializeAdvisoryIndex(database: AdvisoryDatabase, commit: string | null = null): string {
  const index: AdvisoryIndex = {
    format: INDEX_FORMAT,
    commit,
    files: database.files,
    advisories: database.advisories,
    interpreterAdvisories: database.interpreterAdvisories,
    problems: database.problems,
  };
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
  const { files, advisories, interpreterAdvisories, problems } = index;
  if (!Array.isArray(files) || !Array.isArray(advisories) || !Array.isArray(interpreterAdvisories) || !Array.isArray(problems)) return null;
  // Interpreter advisories (and their problems) are kept whole, as the loader reads them whole.
  const wanted = (gem: string | undefined) => gems === undefined || gem === undefined || gems.has(gem);
  return {
    root,
    advisories: advisories.filter((advisory) => wanted(advisory.gem)),
    interpreterAdvisories,
    problems: problems.filter((problem) => wanted(/^gems\/([^/]+)\/[^/]+$/.exec(problem.file)?.[1])),
    files,
    keys: files.map(ignoreKeyOfFile),
    // From every problem, not only those of the gems asked for: the count of usable advisories is exact.
    broken: brokenFiles(files, problems),
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
