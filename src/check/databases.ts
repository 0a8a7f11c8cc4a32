import os from 'node:os';
import path from 'node:path';
import { BUNDLED_DATABASE_ROOT, BUNDLED_INDEX_FILE } from '../advisories/bundled.js';
import { resolveDataHome } from '../advisories/data-home.js';
import { readAdvisoryIndex } from '../advisories/index-file.js';
import { loadAdvisoryDatabase } from '../advisories/load.js';
import type { DatabaseSummary, LoadedDatabase } from '../advisories/types.js';
import type { RunWarning } from '../audit/types.js';
import type { GemleakConfig } from '../config/types.js';
import { GemleakError, isGemleakError } from '../errors.js';
import { checkCustomDatabase, loadSyncedCopy, syncedCandidate } from './synced-copy.js';

/** What decides which advisory databases a check uses. */
export interface DatabaseRequest {
  /** `--database DIR`: exactly this database, nothing merged (else `GEMLEAK_DB`). */
  database?: string | undefined;
  /** The config in force: its `[[database]]` sources are added (unless one database is named). */
  config: GemleakConfig | null;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The gems whose advisories to read; every gem when undefined (`--strict`, `db status`). */
  gems?: ReadonlySet<string> | undefined;
  strict?: boolean | undefined;
  /** A configured `url` without a synced copy is an error instead of a warning. */
  failOnStale?: boolean | undefined;
}

export interface DatabaseChoice {
  /** In merge order: bundled, the default synced copy, then the config's sources in file order. */
  loaded: LoadedDatabase[];
  /** Sources left out and why (a synced copy needing a newer gemleak, a URL never synced). */
  notes: RunWarning[];
}

/**
 * The one answer to "which databases does gemleak check against", used by `check`, `--version` and
 * `db status`, so they never disagree: `--database`, else `GEMLEAK_DB`, else the bundled database,
 * the synced copy (`gemleak update`), and every `[[database]]` of the config. A source that cannot
 * be used is left out with a note; the bundled database always checks.
 */
export async function resolveDatabases(request: DatabaseRequest): Promise<DatabaseChoice> {
  const notes: RunWarning[] = [];
  const strict = request.strict ?? false;
  const custom = request.database ?? (request.env.GEMLEAK_DB || undefined);
  if (custom !== undefined) {
    const root = path.resolve(request.cwd, custom);
    await checkCustomDatabase(root, custom);
    // A folder of YAML has no index saying which files are broken: read it whole, so the count of
    // usable advisories is the same here as in --version and db status.
    return { loaded: [await plainDatabase('custom', root, undefined, strict)], notes };
  }
  const home = resolveDataHome(request.env, os.homedir(), request.cwd);
  const loaded: LoadedDatabase[] = [await plainDatabase('bundled', BUNDLED_DATABASE_ROOT, request.gems, strict)];
  const synced = syncedCandidate(home);
  if (synced !== null) {
    const copy = await loadSyncedCopy(synced, request.gems, strict, notes);
    if (copy !== null) loaded.push(copy);
  }
  if (request.config !== null) loaded.push(...(await configDatabases(request.config, loaded, { ...request, strict, home }, notes)));
  return { loaded, notes };
}

async function plainDatabase(kind: 'bundled' | 'custom', root: string, gems: ReadonlySet<string> | undefined, strict: boolean): Promise<LoadedDatabase> {
  const indexed = kind === 'bundled' ? await readAdvisoryIndex(BUNDLED_INDEX_FILE, root, gems) : null;
  const database = indexed ?? (await loadAdvisoryDatabase(root, { strict, ...(gems === undefined ? {} : { gems }) }));
  return { summary: summaryOf(kind, database.root, database.keys.length), database };
}

function summaryOf(kind: DatabaseSummary['kind'], root: string, advisories: number, name: string | null = null): DatabaseSummary {
  return { kind, ...(name === null ? {} : { name }), path: root, advisories, url: null, commit: null, commitDate: null, syncedAt: null };
}

/**
 * The config's `[[database]]` sources, in file order: a `path` folder is loaded like `--database`
 * (its manifest obeyed); a `url` is the copy `gemleak update` synced for it, or the default synced
 * copy when that came from it (the entry's name then labels it). A `url` not synced yet is said in
 * a note (an error under --fail-on-stale), never passed over in silence.
 */
async function configDatabases(config: GemleakConfig, before: LoadedDatabase[], request: DatabaseRequest & { strict: boolean; home: string }, notes: RunWarning[]): Promise<LoadedDatabase[]> {
  const defaultCopy = before.find(({ summary }) => summary.kind === 'synced');
  const extra: LoadedDatabase[] = [];
  for (const entry of config.databases) {
    if (entry.kind === 'url') {
      const { loadConfiguredUrl } = await import('./configured-copies.js');
      const copy = await loadConfiguredUrl(
        entry,
        { configFile: config.file, home: request.home, gems: request.gems, strict: request.strict, failOnStale: request.failOnStale, defaultCopy, loaded: extra },
        notes,
      );
      if (copy !== null) extra.push(copy);
      continue;
    }
    try {
      await checkCustomDatabase(entry.path, entry.path);
      const database = await loadAdvisoryDatabase(entry.path, { strict: request.strict });
      extra.push({ summary: summaryOf('local', database.root, database.keys.length, entry.name), database });
    } catch (error) {
      if (!isGemleakError(error) || error.code === 'ADVISORY_INVALID') throw error;
      throw new GemleakError('CONFIG_INVALID', `[[database]] path ${entry.path}: ${error.describe()}`, { file: config.file, line: entry.line });
    }
  }
  return extra;
}
