/**
 * Escaping for where a string is printed. Everything a report shows may come from an attacker: an
 * advisory's title or URL from a synced database, a folder name in a repository, a reason in a
 * config file. Each output gets the escaping of its medium; this module holds the shared ones.
 */

import { terminalLine } from '../terminal.js';

export { terminalLine };

/** As `terminalLine`, but CR and LF are kept (for a format that escapes them its own way). */
export function escapeControlsKeepingLineBreaks(text: string): string {
  return text
    .split(/([\r\n])/)
    .map((part) => (part === '\r' || part === '\n' ? part : terminalLine(part)))
    .join('');
}

/**
 * A multi-line text (an advisory description) for a terminal or CI log: each line has its control
 * characters escaped, and a line that would start with `::` after its indentation (a GitHub Actions
 * workflow command such as `::error::` or `::stop-commands::`) has its first colon escaped.
 */
export function terminalText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => neutraliseWorkflowCommand(terminalLine(line)))
    .join('\n');
}

/** GitHub Actions reads a log line as a command when it starts with `::` after leading spaces. */
function neutraliseWorkflowCommand(line: string): string {
  return line.replace(/^(\s*):/, '$1\\x3a');
}

/**
 * A copy of `value` with every string passed through `escape(text, key)`: reporters escape what
 * they are given once, at their entry, instead of at each of the dozens of places a string is
 * printed. Plain objects and arrays are copied; anything else is kept as it is.
 */
function mapStrings<T>(value: T, escapeText: (text: string, key: string) => string, key = ''): T {
  if (typeof value === 'string') return escapeText(value, key) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, escapeText, key)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) copy[name] = mapStrings(item, escapeText, name);
    return copy as T;
  }
  return value;
}

/** A report's data made safe for a terminal: descriptions keep their lines, every other string is one line. */
export function forTerminal<T>(value: T): T {
  return mapStrings(value, (text, key) => (key === 'description' ? terminalText(text) : terminalLine(text)));
}

/**
 * An http(s) URL percent-encoded so that it is one token in any medium (a Markdown link
 * destination, an XML attribute, a SARIF `uri`): null when it is not an http(s) URL at all
 * (`javascript:` and the like are shown as text, never linked).
 */
export function safeHttpUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  // WHATWG serialisation leaves some characters that are not valid in RFC 3986 or that end a
  // Markdown destination: encode them too.
  return url.href
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
    .replace(/[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]/g, (char) => encodeURIComponent(char))
    .replace(/['()*!]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A relative path as a URI reference (SARIF `artifactLocation.uri`): each segment percent-encoded. */
export function pathToUriReference(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

export { shellWord } from '../shell.js';
