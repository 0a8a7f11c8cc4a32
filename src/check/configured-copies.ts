import { sameSource, sourceHome } from '../advisories/source-home.js';
import { redactUrl } from '../advisories/source-url.js';
import { readSyncState } from '../advisories/sync-state.js';
import type { LoadedDatabase } from '../advisories/types.js';
import type { RunWarning } from '../audit/types.js';
import type { ConfigDatabase } from '../config/types.js';
import { GemleakError } from '../errors.js';
import { loadSyncedCopy } from './synced-copy.js';

/**
 * The check's side of a `.gemleak.toml` `[[database]] url`: the copy `gemleak update` synced for it
 * (src/advisories/source-home.ts), read through its record and JSON index like the default copy:
 * no git, no YAML on the check's path.
 */
export interface ConfiguredUrlContext {
  /** The config file as the user would type it, for messages. */
  configFile: string;
  /** gemleak's data folder (GEMLEAK_HOME or the XDG default). */
  home: string;
  gems: ReadonlySet<string> | undefined;
  strict: boolean;
  failOnStale?: boolean | undefined;
  /** The default synced copy, when one was loaded: a `url` naming its source labels it instead. */
  defaultCopy: LoadedDatabase | undefined;
  /** The configured databases loaded so far: a source listed twice is loaded once. */
  loaded: readonly LoadedDatabase[];
}

/**
 * Loads the synced copy of a configured `url`. Null when there is nothing to add: the URL is the
 * default source (whose copy is already loaded and now carries the entry's name), it was listed
 * before, or its copy cannot be used (a note says why). With no copy yet, a warning names the
 * command that makes one; under --fail-on-stale that is an error (DB_STALE) at the entry's line.
 */
export async function loadConfiguredUrl(entry: Extract<ConfigDatabase, { kind: 'url' }>, context: ConfiguredUrlContext, notes: RunWarning[]): Promise<LoadedDatabase | null> {
  const { home } = context;
  const main = readSyncState(home);
  if (main.kind === 'ok' && sameSource(main.state.url, entry.url)) {
    if (context.defaultCopy !== undefined && entry.name !== null) context.defaultCopy.summary.name = entry.name;
    return null;
  }
  const read = readSyncState(sourceHome(home, entry.url));
  if (read.kind === 'none') {
    const message = `[[database]] url ${redactUrl(entry.url)} has no synced copy yet, so its advisories were not checked: run gemleak update (it syncs every [[database]] url of ${context.configFile})`;
    if (context.failOnStale) throw new GemleakError('DB_STALE', `${message} (--fail-on-stale)`, { file: context.configFile, line: entry.line });
    notes.push({ message, file: context.configFile, line: entry.line });
    return null;
  }
  if (read.kind === 'ok' && context.loaded.some(({ database }) => database.root === read.root)) return null;
  const copy = await loadSyncedCopy({ kind: 'synced', root: read.kind === 'ok' ? read.root : home, synced: read }, context.gems, context.strict, notes);
  if (copy !== null) copy.summary.name = entry.name;
  return copy;
}
