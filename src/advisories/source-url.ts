import path from 'node:path';
import { GemleakError } from '../errors.js';

/** The public leak database: the default source of `gemleak update`. */
export const DEFAULT_DATABASE_URL = 'https://github.com/rubymem/ruby-mem-advisory-db.git';

const ALLOWED_SCHEMES = new Set(['https', 'http', 'ssh', 'git', 'file', 'git+ssh', 'ssh+git']);

/**
 * Checks a database source before git sees it, and returns it ready for git (local paths made
 * absolute, since git runs in another folder). The database is untrusted and so is a URL pasted
 * from somewhere: refused are anything git would read as an option (`-oProxyCommand=...`), the
 * `<transport>::<address>` form (`ext::sh -c ...` runs a command, `fd::` reads descriptors; other
 * helpers run programs too) and schemes other than https, http, ssh, git and file.
 * Allowed: those URLs, scp-like `user@host:path`, and local paths.
 * Throws GemleakError URL_REFUSED.
 */
export function checkSourceUrl(url: string, cwd: string): string {
  const refuse = (why: string): never => {
    throw new GemleakError('URL_REFUSED', `refusing database URL '${printable(redactUrl(url))}': ${why}`);
  };
  if (url.trim() === '') refuse('it is empty');
  if (url !== url.trim()) refuse('it has leading or trailing spaces');
  if (/[\u0000-\u001f\u007f]/.test(url)) refuse('it has control characters');
  if (url.startsWith('-')) refuse('it starts with "-", so git would read it as an option');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) refuse('"<transport>::" URLs (such as ext::) make git run programs; use https, ssh, git or file');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!ALLOWED_SCHEMES.has(scheme)) refuse(`the '${scheme}' scheme is not supported; use https, http, ssh, git or file`);
    if (scheme !== 'file') {
      const authority = url.slice(url.indexOf('://') + 3).split('/')[0] ?? '';
      const host = authority.slice(authority.lastIndexOf('@') + 1);
      if (host === '') refuse('it has no host');
      if (host.startsWith('-') || authority.startsWith('-')) refuse('its host or user starts with "-"');
    }
    return url;
  }
  if (isScpLike(url)) {
    const [userHost = ''] = url.split(':', 1);
    const host = userHost.slice(userHost.lastIndexOf('@') + 1);
    if (host === '' || host.startsWith('-') || userHost.startsWith('-')) refuse('its host or user starts with "-" or is empty');
    return url;
  }
  return path.resolve(cwd, url);
}

/** git's own rule: a ':' before the first '/' makes `host:path` an ssh address (except `C:\` drive letters). */
function isScpLike(url: string): boolean {
  const colon = url.indexOf(':');
  if (colon <= 0) return false;
  const slash = url.indexOf('/');
  if (slash !== -1 && slash < colon) return false;
  return !/^[A-Za-z]:[\\/]/.test(url);
}

/**
 * The URL without credentials, for every message and every record shown: the user-info of a
 * `scheme://` URL up to the LAST `@` of its authority (a password may hold `@`: `user:SEC@RET@host`),
 * and the value of every query parameter and the fragment (`?access_token=...`, signed URLs).
 */
export function redactUrl(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(url);
  if (match === null) return url;
  const [, scheme = '', authority = '', rest = '', query, fragment] = match;
  const at = authority.lastIndexOf('@');
  let shown = authority;
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    // Over http(s) a lone user name is often a token (https://<token>@host/...); ssh's `git@` is not.
    const user = colon !== -1 ? `${userinfo.slice(0, colon)}:***` : /^https?:/i.test(scheme) ? '***' : userinfo;
    shown = `${user}@${authority.slice(at + 1)}`;
  }
  const redactedQuery = query === undefined ? '' : query.replace(/([?&][^=&]*)=[^&]*/g, '$1=***');
  return `${scheme}${shown}${rest}${redactedQuery}${fragment === undefined ? '' : '#***'}`;
}

/** Every `scheme://` URL inside a longer text (a git error message), redacted. */
export function redactUrlsIn(text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"]+/g, (url) => redactUrl(url));
}

function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/**
 * Branch names go to git as refspecs: refuse what git would read as an option or that is not a
 * branch name (git check-ref-format's rules, the ones that matter here).
 */
export function checkBranchName(branch: string): string {
  const bad =
    branch === '' ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('@{') ||
    branch.includes('//') ||
    /[\u0000-\u0020\u007f~^:?*[\\]/.test(branch);
  if (bad) throw new GemleakError('BRANCH_REFUSED', `'${printable(branch)}' is not a valid branch name`);
  return branch;
}
