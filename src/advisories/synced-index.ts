import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { decodeAdvisoryIndex, serializeAdvisoryIndex } from './index-file.js';
import type { AdvisoryDatabase } from './types.js';

/**
 * The synced copy, validated by `gemleak update` and written out as an advisory index beside it
 * (`synced/<copy>.index.json`), so `check` stays as fast with a synced copy as without. The index
 * records the commit it was made from; one that does not match the copy's commit is ignored.
 */
export function syncedIndexFile(copyRoot: string): string {
  return `${copyRoot}.index.json`;
}

/** Writes the index of a validated copy (temp file + rename: never half an index). */
export async function writeSyncedIndex(copyRoot: string, commit: string, database: AdvisoryDatabase): Promise<void> {
  const file = syncedIndexFile(copyRoot);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, serializeAdvisoryIndex(database, commit));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw unwritable(file, error);
  }
}

/** A write failure in the data home (a full disk): one line naming the file, exit 2. */
export function unwritable(file: string, error: unknown): GemleakError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on device' : code === 'EDQUOT' ? 'disk quota exceeded' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
  return new GemleakError('DATA_HOME_UNWRITABLE', `cannot write it (${why}); nothing was changed`, { file, cause: error });
}

/**
 * Reads the index of the copy at `copyRoot`, keeping the advisories (and problems) of `gems` only.
 * Null when there is no index, or it is damaged or from another commit or format: the caller then
 * loads the YAML.
 */
export async function readSyncedIndex(copyRoot: string, commit: string, gems: ReadonlySet<string> | undefined): Promise<AdvisoryDatabase | null> {
  try {
    const [text, gemsFolder] = await Promise.all([readFile(syncedIndexFile(copyRoot), 'utf8'), lstat(path.join(copyRoot, 'gems'))]);
    // The index stands for the copy: with the copy gone (removed by hand), the loader says what is wrong.
    if (!gemsFolder.isDirectory()) return null;
    return decodeAdvisoryIndex(text, copyRoot, gems, commit);
  } catch {
    return null;
  }
}
