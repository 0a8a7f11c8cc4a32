import type { CheckFormat } from '../formats.js';

/** The name gemleak looks for; see `findConfigFile` for where. */
export const CONFIG_FILE_NAME = '.gemleak.toml';

/** One `[[ignore]]` entry: a deliberate, explained and possibly temporary decision not to act. */
export interface ConfigIgnore {
  /** `<gem>-<advisory id>`, as bundler-leak spells it (`celluloid-670`). */
  id: string;
  reason: string;
  /** `YYYY-MM-DD`: the last day the ignore applies, or null for no end. */
  until: string | null;
  /** Line of the entry (its `[[ignore]]` header, or the `{` of an inline table) in the config file. */
  line: number;
}

/** One `[[database]]` entry: an advisory source checked in addition to (or instead of) the public one. */
export type ConfigDatabase =
  | { kind: 'url' /** As git takes it: a local path made absolute from the config's folder. */; url: string; name: string | null; line: number }
  | { kind: 'path' /** Absolute: a relative `path` is taken from the config file's folder. */; path: string; name: string | null; line: number };

/** `.gemleak.toml`, validated. Every key is optional. */
export interface GemleakConfig {
  /** The file it came from, as the user would type it (relative to the working directory when inside it). */
  file: string;
  format: CheckFormat | null;
  /** Days: the advisory database may not be older than this (`max_age`). */
  maxAge: number | null;
  ignores: ConfigIgnore[];
  databases: ConfigDatabase[];
}
