import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdvisoryDatabase, AdvisoryProblem } from './types.js';

/** Bumped when the shape of Advisory changes: an index written by another gemleak version is not trusted. */
const SYNCED_INDEX_FORMAT = 1;

/**
 * The synced copy, validated by `gemleak update` and written out as JSON beside it
 * (`synced/<copy>.index.json`), so a check reads one file instead of loading the YAML parser and a
 * file per advisory: `check` stays as fast with a synced copy as without. It records the commit it
 * was made from; an index that does not match the copy's commit is ignored (the YAML is read).
 */
interface SyncedIndex {
  format: number;
  commit: string;
  keys: string[];
  advisories: AdvisoryDatabase['advisories'];
  problems: AdvisoryProblem[];
}

export function syncedIndexFile(copyRoot: string): string {
  return `${copyRoot}.index.json`;
}

/** Writes the index of a validated copy (temp file + rename: never half an index). */
export async function writeSyncedIndex(copyRoot: string, commit: string, database: AdvisoryDatabase): Promise<void> {
  const file = syncedIndexFile(copyRoot);
  const temp = `${file}.${process.pid}.tmp`;
  const index: SyncedIndex = { format: SYNCED_INDEX_FORMAT, commit, keys: database.keys, advisories: database.advisories, problems: database.problems };
  try {
    await writeFile(temp, `${JSON.stringify(index)}\n`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads the index of the copy at `copyRoot`, keeping the advisories (and problems) of `gems` only,
 * as the loader would. Null when there is no index, or it is damaged or from another commit or
 * format: the caller then loads the YAML.
 */
export async function readSyncedIndex(copyRoot: string, commit: string, gems: ReadonlySet<string> | undefined): Promise<AdvisoryDatabase | null> {
  let index: SyncedIndex;
  try {
    const [text, gemsFolder] = await Promise.all([readFile(syncedIndexFile(copyRoot), 'utf8'), lstat(path.join(copyRoot, 'gems'))]);
    // The index stands for the copy: with the copy gone (removed by hand), the loader says what is wrong.
    if (!gemsFolder.isDirectory()) return null;
    index = JSON.parse(text) as SyncedIndex;
  } catch {
    return null;
  }
  if (index?.format !== SYNCED_INDEX_FORMAT || index.commit !== commit) return null;
  if (!Array.isArray(index.keys) || !Array.isArray(index.advisories) || !Array.isArray(index.problems)) return null;
  const wanted = (gemFolder: string | undefined) => gems === undefined || gemFolder === undefined || gems.has(gemFolder);
  return {
    root: copyRoot,
    advisories: index.advisories.filter((advisory) => wanted(advisory.gem)),
    problems: index.problems.filter((problem) => wanted(/^gems\/([^/]+)\/[^/]+$/.exec(problem.file)?.[1])),
    keys: index.keys,
  };
}
