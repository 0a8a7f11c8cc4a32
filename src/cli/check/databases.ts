import { BUNDLED_DATABASE_ROOT } from '../../advisories/bundled.js';
import { loadAdvisoryDatabase } from '../../advisories/load.js';
import type { DatabaseSummary, LoadedDatabase } from '../../advisories/types.js';

export interface DatabaseChoice {
  /** `--database DIR`: exactly this database, nothing merged. */
  database?: string | undefined;
  strict: boolean;
}

interface Candidate {
  kind: DatabaseSummary['kind'];
  root: string;
}

/** `--database`, then `GEMLEAK_DB`, else the bundled database. */
export function chooseDatabases(choice: DatabaseChoice, env: Record<string, string | undefined>): Candidate[] {
  const custom = choice.database ?? (env.GEMLEAK_DB || undefined);
  if (custom !== undefined) return [{ kind: 'custom', root: custom }];
  return [{ kind: 'bundled', root: BUNDLED_DATABASE_ROOT }];
}

/** Loads the chosen databases, reading only the advisories of `gems`. */
export async function loadDatabases(candidates: Candidate[], gems: ReadonlySet<string>, strict: boolean): Promise<LoadedDatabase[]> {
  return Promise.all(
    candidates.map(async ({ kind, root }) => {
      const database = await loadAdvisoryDatabase(root, { strict, gems });
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
}
