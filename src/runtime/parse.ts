import { createRequire } from 'node:module';
import type { RubyEngine, RubyVersionSource, RubyVersionSourceKind } from './types.js';

/**
 * Pure readers of the places a Ruby version is written. Each takes a file's text and the name to
 * report it under and returns what it found with its line, or null. None of them throws on odd
 * input: an app's files are not gemleak's to reject.
 */

/** `3.3.0`, `3.3.0p0`, `3.4.0-preview1`, `3.4.0.preview1`: the version and its patch level. */
const VERSION = /^(\d+\.\d+\.\d+)(?:p(\d+)|[-.]((?:preview|rc|dev)\d*))?$/;
const PARTIAL = /^\d+\.\d+$/;

interface Parsed {
  version: string | null;
  requirement: string | null;
  patchlevel: string | null;
}

/** Reads a bare version (`3.3.0p0`), a partial one (`3.3`) or anything else as a requirement. */
function parseRubyVersionText(text: string): Parsed {
  const trimmed = text.trim();
  const match = VERSION.exec(trimmed);
  if (match) {
    const prerelease = match[3] === undefined ? '' : `.${match[3]}`;
    return { version: `${match[1]}${prerelease}`, requirement: null, patchlevel: match[2] === undefined ? null : `p${match[2]}` };
  }
  if (PARTIAL.test(trimmed)) return { version: null, requirement: `~> ${trimmed}.0`, patchlevel: null };
  return { version: null, requirement: trimmed === '' ? null : trimmed, patchlevel: null };
}

function source(kind: RubyVersionSourceKind, file: string, line: number, raw: string, engine: RubyEngine, parsed: Parsed, engineVersion: string | null = null): RubyVersionSource {
  return { kind, file, line, raw, engine, engineVersion, ...parsed };
}

/** `engine-1.2.3` as rbenv/chruby/asdf spell non-MRI rubies: `jruby-9.4.5.0`, `truffleruby-24.1.0`, `ruby-3.3.0`. */
function splitEngine(text: string): { engine: RubyEngine; version: string } {
  const match = /^([a-z][a-z+]*)-(\d.*)$/.exec(text);
  if (!match) return { engine: 'ruby', version: text };
  const engine = match[1] === 'truffleruby+graalvm' ? 'truffleruby' : match[1]!;
  return { engine, version: match[2]! };
}

function engineSource(kind: RubyVersionSourceKind, file: string, line: number, raw: string, text: string): RubyVersionSource {
  const { engine, version } = splitEngine(text);
  if (engine === 'ruby') return source(kind, file, line, raw, 'ruby', parseRubyVersionText(version));
  // A JRuby/TruffleRuby version is not an MRI version: the MRI-compatible one is not written here.
  return source(kind, file, line, raw, engine, { version: null, requirement: null, patchlevel: null }, version);
}

/** Splits text into lines with 1-based numbers, without a trailing empty line. */
function lines(text: string): { line: number; text: string }[] {
  const parts = text.split(/\r?\n/);
  if (parts.at(-1) === '') parts.pop();
  return parts.map((part, index) => ({ line: index + 1, text: part }));
}

/**
 * The lockfile's `RUBY VERSION` section: `   ruby 3.3.0p0`, or for JRuby `   ruby 3.1.4p0 (jruby 9.4.5.0)`
 * (Bundler 4 indents it 2 spaces). Found with one search rather than by splitting the whole file:
 * `gemleak check` reads this on every commit.
 */
export function rubyVersionFromLockfile(text: string, file: string): RubyVersionSource | null {
  const header = /^RUBY VERSION[^\S\n]*$/m.exec(text);
  if (header === null) return null;
  const start = text.indexOf('\n', header.index);
  if (start < 0) return null;
  const end = text.indexOf('\n', start + 1);
  const value = text.slice(start + 1, end < 0 ? text.length : end);
  if (!/^ {2,3}\S/.test(value)) return null;
  return rubyVersionFromLockfileValue(value.trim(), file, lineAt(text, start + 1));
}

/** The `RUBY VERSION` value as the lockfile parser read it (`ruby 3.3.0p0`), on its line. */
export function rubyVersionFromLockfileValue(value: string, file: string, line: number): RubyVersionSource | null {
  const match = /^ruby (\S+)(?: \((\S+) ([^)]+)\))?$/.exec(value);
  if (!match) return null;
  const parsed = parseRubyVersionText(match[1]!);
  const engine = match[2] ?? 'ruby';
  return source('lockfile', file, line, value, engine, parsed, match[3] ?? null);
}

/** The 1-based line of the character at `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** `.ruby-version`: the first line that is not blank or a comment: `3.3.0`, `ruby-3.3.0`, `jruby-9.4.5.0`. */
export function rubyVersionFromDotFile(text: string, file: string): RubyVersionSource | null {
  for (const entry of lines(text)) {
    const value = entry.text.replace(/#.*/, '').trim();
    if (value === '') continue;
    return engineSource('ruby-version', file, entry.line, value, value.split(/\s+/)[0]!);
  }
  return null;
}

/** `.tool-versions` (asdf, mise): `ruby 3.3.0` (the first of several listed versions is the one used). */
export function rubyVersionFromToolVersions(text: string, file: string): RubyVersionSource | null {
  for (const entry of lines(text)) {
    const fields = entry.text.replace(/#.*/, '').trim().split(/\s+/);
    if (fields[0] !== 'ruby' || fields[1] === undefined) continue;
    return engineSource('tool-versions', file, entry.line, entry.text.trim(), fields[1]);
  }
  return null;
}

/**
 * `mise.toml`: `[tools] ruby = "3.3.0"`, `ruby = ["3.3.0", "3.2.2"]` (the first is used) or
 * `ruby = { version = "3.3.0" }`. A file that is not valid TOML gives nothing; the caller warns.
 */
export function rubyVersionFromMise(text: string, file: string): RubyVersionSource | null {
  const document = parseToml(text) as Record<string, unknown>;
  const tools = document.tools;
  if (typeof tools !== 'object' || tools === null) return null;
  const value = (tools as Record<string, unknown>).ruby;
  const version =
    typeof value === 'string'
      ? value
      : Array.isArray(value) && typeof value[0] === 'string'
        ? value[0]
        : typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).version === 'string'
          ? ((value as Record<string, unknown>).version as string)
          : null;
  if (version === null) return null;
  // smol-toml keeps no positions: the line is the first `ruby =` key after the [tools] header.
  const all = lines(text);
  let inTools = false;
  let line = 1;
  for (const entry of all) {
    const trimmed = entry.text.trim();
    if (trimmed.startsWith('[')) inTools = /^\[\s*tools\s*\]/.test(trimmed);
    if ((inTools && /^["']?ruby["']?\s*=/.test(trimmed)) || /^tools\.ruby\s*=/.test(trimmed)) {
      line = entry.line;
      break;
    }
  }
  return engineSource('mise', file, line, `ruby = ${JSON.stringify(version)}`, version);
}

/**
 * The Gemfile's `ruby` line: `ruby "3.3.0"`, `ruby '~> 3.3'`, `ruby "3.1.4", engine: "jruby",
 * engine_version: "9.4.5.0"`. `ruby file: ".ruby-version"` names another file: returned with a null
 * version and `requirement` `file: .ruby-version`, so the caller reads that file instead.
 */
export function rubyVersionFromGemfile(text: string, file: string): RubyVersionSource | null {
  for (const entry of lines(text)) {
    const code = entry.text.replace(/#.*/, '').trim();
    const match = /^ruby[\s(]+(.*?)\)?$/.exec(code);
    if (!match) continue;
    const args = match[1]!;
    const fileArg = /(?:file:|:file\s*=>)\s*["']([^"']+)["']/.exec(args);
    if (fileArg) return source('gemfile', file, entry.line, code, 'ruby', { version: null, requirement: `file: ${fileArg[1]}`, patchlevel: null });
    const strings = [...args.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]!);
    const first = strings[0];
    if (first === undefined) continue;
    const engine = /engine:\s*["']([^"']+)["']/.exec(args)?.[1] ?? 'ruby';
    const engineVersion = /engine_version:\s*["']([^"']+)["']/.exec(args)?.[1] ?? null;
    // Several strings before the options (`ruby ">= 3.2", "< 3.4"`) are one requirement.
    const requirements = strings.filter((value) => value !== engine && value !== engineVersion);
    const parsed = requirements.length === 1 ? parseRubyVersionText(first) : { version: null, requirement: requirements.join(', '), patchlevel: null };
    return source('gemfile', file, entry.line, code, engine, parsed, engineVersion);
  }
  return null;
}

/**
 * A Dockerfile's Ruby: `FROM ruby:3.3.0-slim` (any registry: `docker.io/library/ruby:…`), or
 * `FROM …ruby:$RUBY_VERSION-slim` with `ARG RUBY_VERSION=3.3.0` (the Rails template). The first
 * `FROM` of a Ruby image counts: in multi-stage builds every stage uses the same Ruby.
 */
export function rubyVersionFromDockerfile(text: string, file: string): RubyVersionSource | null {
  const args = new Map<string, { value: string; line: number }>();
  for (const entry of lines(text)) {
    const trimmed = entry.text.trim();
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=["']?([^"'\s]+)["']?/i.exec(trimmed);
    if (arg) args.set(arg[1]!, { value: arg[2]!, line: entry.line });
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(trimmed);
    if (!from) continue;
    const image = from[1]!;
    const match = /(?:^|\/)ruby:([^@\s]+)/.exec(image);
    if (!match) continue;
    let tag = match[1]!;
    let line = entry.line;
    const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(.*)$/.exec(tag);
    if (variable) {
      const value = args.get(variable[1]!);
      if (value === undefined) continue;
      tag = `${value.value}${variable[2]}`;
      line = value.line;
    }
    // `3.3.0-slim-bookworm`, `3.3-alpine`, `3.3.0`: the version is what precedes the first dash.
    const version = tag.split('-')[0]!;
    if (!/^\d/.test(version)) continue;
    const raw = variable ? `ARG ${variable[1]}=${args.get(variable[1]!)!.value}` : `FROM ${image}`;
    return source('dockerfile', file, line, raw, 'ruby', parseRubyVersionText(version));
  }
  return null;
}

/**
 * smol-toml, loaded only when an app has a mise.toml: `gemleak check` reads the Ruby version files on
 * every run (the pre-commit hook included), and most apps have none.
 */
function parseToml(text: string): unknown {
  const { parse } = createRequire(import.meta.url)('smol-toml') as typeof import('smol-toml');
  return parse(text);
}
