import { BUNDLED_DATABASE_ROOT, BUNDLED_INDEX_FILE } from '../../advisories/bundled.js';
import { readAdvisoryIndex } from '../../advisories/index-file.js';
import { loadAdvisoryDatabase } from '../../advisories/load.js';
import type { DatabaseSummary, LoadedDatabase } from '../../advisories/types.js';
import type { RunWarning } from '../../audit/types.js';
import type { SyncStateRead } from '../../advisories/sync-state.js';
import { checkCustomDatabase, loadSyncedCopy, syncedCandidates } from '../update/synced-copy.js';

export interface DatabaseChoice {
  /** `--database DIR`: exactly this database, nothing merged. */
  database?: string | undefined;
  strict: boolean;
}

interface Candidate {
  kind: DatabaseSummary['kind'];
  root: string;
  /** The synced copy's record (`gemleak update`), read from its `synced.json`. */
  synced?: SyncStateRead;
}

/** `--database`, then `GEMLEAK_DB`, else the bundled database merged with the synced copy (when there is one). */
export function chooseDatabases(choice: DatabaseChoice, env: Record<string, string | undefined>): Candidate[] {
  const custom = choice.database ?? (env.GEMLEAK_DB || undefined);
  if (custom !== undefined) return [{ kind: 'custom', root: custom }];
  return [{ kind: 'bundled', root: BUNDLED_DATABASE_ROOT }, ...syncedCandidates(env)];
}

/**
 * Loads the chosen databases, reading only the advisories of `gems`. A synced copy that cannot be
 * used is left out with a warning pushed to `notes`; the synced copy wins over bundled in the merge
 * because it comes later.
 */
export async function loadDatabases(candidates: Candidate[], gems: ReadonlySet<string>, strict: boolean, notes: RunWarning[] = []): Promise<LoadedDatabase[]> {
  const loaded = await Promise.all(
    candidates.map(async ({ kind, root, synced }) => {
      if (synced !== undefined) return loadSyncedCopy({ kind: 'synced', root, synced }, gems, strict, notes);
      if (kind === 'custom') await checkCustomDatabase(root);
      const database = (kind === 'bundled' ? await readAdvisoryIndex(BUNDLED_INDEX_FILE, root, gems) : null)
        ?? (await loadAdvisoryDatabase(root, { strict, gems }));
      const summary: DatabaseSummary = {
        kind,
        path: database.root,
        advisories: database.keys.length,
        url: null,
        commit: null,
        commitDate: null,
        syncedAt: null,
      };
      return { summary, database };
    }),
  );
  return loaded.filter((entry): entry is LoadedDatabase => entry !== null);
}
