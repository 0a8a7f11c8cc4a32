import path from 'node:path';

/**
 * Where gemleak keeps what it downloads. Layout of the data home:
 *
 *   synced.json              the synced copy's record: which folder is current, source URL, commit, sync time
 *   synced/<time>-<commit>/  the synced copy itself (a shallow git clone); older folders are removed
 *   synced/.staging-<pid>-*  an update in progress (removed by the next update when left behind)
 *   update.lock              held by the running `gemleak update`
 *   sources/<key>/           the same layout again for each `.gemleak.toml` `[[database]] url` other
 *                            than the default source (see source-home.ts)
 *
 * `gemleak check` reads only `synced.json` (and a configured source's) and the index of the copy it
 * names: small JSON files, no git.
 */
export interface DataHomePaths {
  home: string;
  /** The record `check` reads (one readFile). */
  stateFile: string;
  /** Parent of the synced copies and of the staging folders (one filesystem, so renames are atomic). */
  syncedDir: string;
  lockFile: string;
}

/**
 * `GEMLEAK_HOME` if set, else `$XDG_DATA_HOME/gemleak` (absolute values only, as the XDG spec says),
 * else `~/.local/share/gemleak`. A relative `GEMLEAK_HOME` is taken from `cwd`.
 */
export function resolveDataHome(env: Record<string, string | undefined>, homedir: string, cwd: string): string {
  const own = env.GEMLEAK_HOME;
  if (own) return path.resolve(cwd, own);
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'gemleak');
  return path.join(homedir, '.local', 'share', 'gemleak');
}

export function dataHomePaths(home: string): DataHomePaths {
  return {
    home,
    stateFile: path.join(home, 'synced.json'),
    syncedDir: path.join(home, 'synced'),
    lockFile: path.join(home, 'update.lock'),
  };
}
