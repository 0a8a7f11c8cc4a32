import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * Where each git source's synced copy lives. The default source (the public database, or the one
 * `--url`/`GEMLEAK_DB_URL` chose and `gemleak update` remembers) keeps the data home's own layout
 * (`synced.json`, `synced/`, `update.lock`), so copies made before several sources existed keep
 * working. Every other source a `.gemleak.toml` lists (`[[database]] url`) gets a folder of its own
 * with the same layout inside:
 *
 *   sources/<key>/synced.json      its record (source URL, branch, commit, sync time)
 *   sources/<key>/synced/<copy>/   its copy, and `<copy>.index.json` beside it
 *   sources/<key>/update.lock      held while that source is synced
 *
 * `<key>` is a hash of the normalised URL: the same source always lands in the same folder, and a
 * URL (which may carry a token) never becomes a file name.
 */
export const SOURCES_DIR = 'sources';

/**
 * The form of a source URL that decides whether two spellings are the same source: scheme and host
 * lower-cased, trailing slashes dropped, `file://` URLs and local paths compared as paths. Only used
 * to compare and to key folders; git is always given the URL as written.
 */
function normalizeSourceUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '') || url;
  const file = /^file:\/\/(?:localhost)?(\/.*)$/i.exec(trimmed);
  if (file?.[1] !== undefined) return path.posix.normalize(safeDecode(file[1]));
  if (path.isAbsolute(trimmed)) return path.normalize(trimmed);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/]*)(.*)$/.exec(trimmed);
  if (scheme) {
    const [, prefix = '', authority = '', rest = ''] = scheme;
    const at = authority.lastIndexOf('@');
    const host = at === -1 ? authority.toLowerCase() : `${authority.slice(0, at + 1)}${authority.slice(at + 1).toLowerCase()}`;
    return `${prefix.toLowerCase()}${host}${rest}`;
  }
  return trimmed;
}

export function sameSource(a: string, b: string): boolean {
  return normalizeSourceUrl(a) === normalizeSourceUrl(b);
}

/** The folder name of a source under `sources/`: 16 hex digits of the SHA-256 of its normalised URL. */
function sourceKey(url: string): string {
  return createHash('sha256').update(normalizeSourceUrl(url)).digest('hex').slice(0, 16);
}

/** The data home of a configured source: a folder with the data home's layout, inside `home`. */
export function sourceHome(home: string, url: string): string {
  return path.join(home, SOURCES_DIR, sourceKey(url));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
