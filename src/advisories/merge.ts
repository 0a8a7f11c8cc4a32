import { type Advisory, type AdvisoryDatabase, ignoreKey } from './types.js';

/**
 * Merges databases in order: an advisory present in several (same gem and id) counts once, and the
 * later database's copy wins. So the synced public database can refresh a bundled advisory but
 * never hide one that only the bundled database has.
 */
export function mergeAdvisories(databases: readonly AdvisoryDatabase[]): { advisories: Advisory[]; total: number } {
  const byKey = new Map<string, Advisory>();
  const keys = new Set<string>();
  for (const database of databases) {
    for (const key of database.keys) keys.add(key);
    for (const advisory of database.advisories) byKey.set(ignoreKey(advisory), advisory);
  }
  return { advisories: [...byKey.values()], total: keys.size };
}
