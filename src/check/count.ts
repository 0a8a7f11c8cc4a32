import type { LoadedDatabase } from '../advisories/types.js';

/**
 * Distinct advisories across the databases used, leaving out those known to be broken in every
 * database that has them (they are skipped, so they check nothing). The count `check`,
 * `--version` and `db status` all print.
 */
export function countUsable(loaded: readonly LoadedDatabase[]): number {
  const usable = new Set<string>();
  for (const { database } of loaded) {
    const broken = new Set(database.problems.map((problem) => keyOfFile(problem.file)));
    for (const key of database.keys) if (!broken.has(key)) usable.add(key);
  }
  return usable.size;
}

/** `gems/redis/612.yml` -> `redis-612`, the key `keys` lists. */
function keyOfFile(file: string): string | null {
  const match = /^gems\/([^/]+)\/([^/]+)\.yml$/.exec(file.replace(/\\/g, '/'));
  return match === null ? null : `${match[1]}-${match[2]}`;
}
