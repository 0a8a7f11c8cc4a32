import { loadAdvisoryDatabase } from '../advisories/load.js';
import { MANIFEST_FILE, checkDatabaseManifest, requireSupportedVersion } from '../advisories/manifest.js';
import { redactUrl } from '../advisories/source-url.js';
import { type SyncStateRead, readSyncState } from '../advisories/sync-state.js';
import { readSyncedIndex } from '../advisories/synced-index.js';
import type { DatabaseSummary, LoadedDatabase } from '../advisories/types.js';
import type { RunWarning } from '../audit/types.js';
import { isGemleakError } from '../errors.js';
import { GEMLEAK_VERSION } from '../version.js';

/**
 * The check's side of `gemleak update`: find the synced copy through `synced.json` (one small
 * readFile, no git) and load it like any database. Everything here is on the check's hot path.
 */
export interface SyncedCandidate {
  kind: 'synced';
  root: string;
  synced: SyncStateRead;
}

/** The synced copy of a data home as a database candidate, when `gemleak update` ever ran there. */
export function syncedCandidate(home: string): SyncedCandidate | null {
  const read = readSyncState(home);
  if (read.kind === 'none') return null;
  return { kind: 'synced', root: read.kind === 'ok' ? read.root : home, synced: read };
}

/**
 * Loads the synced copy, reading only the advisories of `gems`. A copy that cannot be used (record
 * damaged, folder removed by hand, needs a newer gemleak) is left out with a warning in `notes`:
 * the bundled database still checks, and syncing never leaves the user with nothing.
 */
export async function loadSyncedCopy(candidate: SyncedCandidate, gems: ReadonlySet<string> | undefined, strict: boolean, notes: RunWarning[]): Promise<LoadedDatabase | null> {
  const { synced } = candidate;
  const skip = (reason: string): null => {
    notes.push({ message: `synced advisory database not used: ${reason}; run gemleak update to repair it (gemleak db status shows it)` });
    return null;
  };
  if (synced.kind === 'unusable') return skip(synced.reason);
  if (synced.kind !== 'ok') return null;
  const { state } = synced;
  try {
    await requireSupportedVersion(state.minGemleakVersion, GEMLEAK_VERSION, { file: `${synced.root}/${MANIFEST_FILE}` });
    // The index `gemleak update` wrote (no YAML parser on the check's path); the YAML if it is missing.
    const indexed = await readSyncedIndex(synced.root, state.commit, gems);
    const database = indexed !== null && !(strict && indexed.problems.length > 0) ? indexed : await loadAdvisoryDatabase(synced.root, { strict, gems });
    const summary: DatabaseSummary = {
      kind: 'synced',
      path: database.root,
      advisories: database.keys.length,
      url: redactUrl(state.url),
      commit: state.commit.slice(0, 7),
      commitDate: state.commitDate.slice(0, 10),
      syncedAt: state.syncedAt,
    };
    return { summary, database };
  } catch (error) {
    if (!isGemleakError(error) || error.code === 'ADVISORY_INVALID') throw error;
    return skip(error.describe());
  }
}

/**
 * A database named by `--database`, `GEMLEAK_DB` or a `[[database]] path` is used exactly as named,
 * but a manifest asking for a newer gemleak is obeyed (exit 2). `asTyped` names it in messages.
 */
export async function checkCustomDatabase(root: string, _asTyped: string): Promise<void> {
  await checkDatabaseManifest(root, GEMLEAK_VERSION);
}
