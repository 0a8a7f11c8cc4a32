/** One advisory file, validated: the ruby-mem-advisory-db schema with camel-cased keys. */
export interface Advisory {
  /** The file name without `.yml` (`670`), stable: users put `<gem>-<id>` in ignore lists. */
  id: string;
  gem: string;
  url: string;
  title: string;
  /** `YYYY-MM-DD`. */
  date: string;
  description: string;
  /** Requirement strings as written (`"> 0.16.0, < 0.17.2"`); a version is leaky if it meets one. */
  leakyVersions: string[];
  patchedVersions: string[];
  unaffectedVersions: string[];
  /** `ruby` (C-extension builds only), `jruby`/`java` (-java builds only), or null for all. */
  platform: string | null;
  framework: string | null;
  /** Evidence links (`related.url`, `related_links`). */
  related: string[];
  /** Path of the file relative to the database root, with forward slashes (`gems/redis/612.yml`). */
  file: string;
}

/** A file that could not be used, with the reason. Reported, then skipped (or fatal under --strict). */
export interface AdvisoryProblem {
  file: string;
  line?: number;
  message: string;
}

export interface AdvisoryDatabase {
  /** Absolute path of the database folder (the one holding `gems/`). */
  root: string;
  advisories: Advisory[];
  problems: AdvisoryProblem[];
  /** `<gem>-<id>` of every advisory file in the database, parsed or not (for counts and merging). */
  keys: string[];
}

/** The identifier users write in ignore lists, as bundler-leak spells it: `celluloid-670`. */
export function ignoreKey(advisory: Pick<Advisory, 'gem' | 'id'>): string {
  return `${advisory.gem}-${advisory.id}`;
}

/** Which database a check used, for the summary line and the JSON `database` object. */
export interface DatabaseSummary {
  /**
   * `bundled`: shipped with gemleak; `synced`: `gemleak update`'s copy; `custom`: `--database`/`GEMLEAK_DB`;
   * `local`: a folder listed as `[[database]] path` in `.gemleak.toml` (src/config/).
   */
  kind: 'bundled' | 'synced' | 'custom' | 'local';
  /** The `name` a `.gemleak.toml` `[[database]]` entry gives it, when it has one. */
  name?: string | null;
  path: string;
  /** Advisory files in this database. */
  advisories: number;
  /** Git source it was synced from, when synced. */
  url: string | null;
  /** Last commit of the synced copy (short hash) and its date, when known. */
  commit: string | null;
  commitDate: string | null;
  /** ISO time of the last successful sync, when synced. */
  syncedAt: string | null;
}

/** A database that was loaded for a check, with what to say about it. */
export interface LoadedDatabase {
  summary: DatabaseSummary;
  database: AdvisoryDatabase;
}
