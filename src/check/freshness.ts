import type { DatabaseSummary } from '../advisories/types.js';
import type { RunWarning } from '../audit/types.js';
import { GemleakError } from '../errors.js';

const DEFAULT_MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface FreshnessOptions {
  /** Days since the last successful sync after which the copy is stale (default 30). */
  maxAge?: number | undefined;
  /** Stale (or never synced) is an error, exit 2, instead of a warning. */
  failOnStale?: boolean | undefined;
}

/**
 * The stale warning of `check`: age counts from the last successful sync, not the last commit
 * (the public database rarely changes, so an old commit says nothing). A database named with
 * --database/GEMLEAK_DB is the user's to keep fresh and is not judged. Every synced copy (the default
 * one and each `[[database]] url` source) is judged on its own.
 * Returns the warnings; throws GemleakError DB_STALE under --fail-on-stale.
 */
export function checkFreshness(databases: readonly DatabaseSummary[], options: FreshnessOptions, now: number = Date.now()): RunWarning[] {
  if (databases.some((database) => database.kind === 'custom')) return [];
  const maxAge = options.maxAge ?? DEFAULT_MAX_AGE_DAYS;
  const synced = databases.filter((database) => database.kind === 'synced' && database.syncedAt !== null);
  if (synced.length === 0) {
    if (!options.failOnStale) return [];
    throw new GemleakError('DB_STALE', 'no synced advisory database, so its age is unknown (--fail-on-stale): run gemleak update, or check with --update');
  }
  const warnings: RunWarning[] = [];
  for (const database of synced) {
    const syncedAt = database.syncedAt ?? '';
    const days = Math.floor((now - Date.parse(syncedAt)) / DAY_MS);
    if (days <= maxAge) continue;
    // With several synced sources (.gemleak.toml [[database]] url), each is judged and named.
    const which = synced.length === 1 ? '' : ` ${database.name ?? database.url ?? database.path}`;
    const message = `the advisory database${which} was last synced ${days} days ago (${syncedAt.slice(0, 10)}), more than --max-age ${maxAge}: run gemleak update, or check with --update`;
    if (options.failOnStale) throw new GemleakError('DB_STALE', `${message} (--fail-on-stale)`);
    warnings.push({ message });
  }
  return warnings;
}
