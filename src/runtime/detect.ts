import { type AppRoot, MAX_LOCKFILE_BYTES, appRoot, displayPath, readAppFile } from './app-files.js';
import {
  rubyVersionFromDockerfile,
  rubyVersionFromDotFile,
  rubyVersionFromGemfile,
  rubyVersionFromLockfile,
  rubyVersionFromLockfileValue,
  rubyVersionFromMise,
  rubyVersionFromToolVersions,
} from './parse.js';
import type { RubyVersionDetection, RubyVersionSource } from './types.js';

export interface DetectRubyVersionOptions {
  /** The lockfile to read `RUBY VERSION` from, relative to the app folder (default: Gemfile.lock, else gems.locked). */
  lockfile?: string;
  /** Dockerfiles to read, relative to the app folder (default: `Dockerfile`). */
  dockerfiles?: readonly string[];
  /** The app folder already resolved (doctor resolves it once for all its reads). */
  root?: AppRoot;
  /**
   * The lockfile's `RUBY VERSION` value and line as the lockfile parser read them (null: it has
   * none), so that the lockfile is not read a second time.
   */
  lockfileRubyVersion?: { value: string; line: number } | null;
}

type Reader = (text: string, file: string) => RubyVersionSource | null;

/**
 * The Ruby an app runs, from every place that can say it, most authoritative first: the lockfile's
 * `RUBY VERSION`, `.ruby-version`, `.tool-versions`, `mise.toml`, the Gemfile's `ruby` line, then
 * Dockerfiles (`ARG RUBY_VERSION` / `FROM ruby:X`). `chosen` is the first exact version; each
 * source names its file and line. Synchronous: a handful of small reads.
 */
export function detectRubyVersion(dir: string, options: DetectRubyVersionOptions = {}): RubyVersionDetection {
  const root = options.root ?? appRoot(dir);
  const sources: RubyVersionSource[] = [];
  const warnings: RubyVersionDetection['warnings'] = [];
  const readInto = (relative: string, reader: Reader, read = readAppFile(root, relative)): RubyVersionSource | null => {
    if (read.kind === 'absent') return null;
    if (read.kind === 'skipped') {
      warnings.push({ file: read.file, message: `${read.reason}` });
      return null;
    }
    try {
      const found = reader(read.text, read.file);
      if (found) sources.push(found);
      return found;
    } catch (error) {
      // Only the TOML reader throws, on a file that is not TOML.
      warnings.push({ file: read.file, message: `not valid TOML, Ruby version not read from it (${firstLine(error)})` });
      return null;
    }
  };
  const lockfiles = options.lockfile === undefined ? ['Gemfile.lock', 'gems.locked'] : [options.lockfile];
  const known = options.lockfileRubyVersion;
  if (known !== undefined) {
    const found = known === null ? null : rubyVersionFromLockfileValue(known.value, displayPath(root, lockfiles[0]!), known.line);
    if (found) sources.push(found);
  }
  for (const lockfile of known === undefined ? lockfiles : []) {
    const read = readAppFile(root, lockfile, MAX_LOCKFILE_BYTES);
    if (read.kind === 'absent') continue;
    readInto(lockfile, rubyVersionFromLockfile, read);
    break;
  }
  readInto('.ruby-version', rubyVersionFromDotFile);
  readInto('.tool-versions', rubyVersionFromToolVersions);
  if (readInto('mise.toml', rubyVersionFromMise) === null) readInto('.mise.toml', rubyVersionFromMise);
  const gemfile = readInto('Gemfile', rubyVersionFromGemfile) ?? readInto('gems.rb', rubyVersionFromGemfile);
  // `ruby file: ".tool-versions"` points elsewhere; `.ruby-version` was read above already.
  const pointed = gemfile?.requirement?.startsWith('file: ') ? gemfile.requirement.slice('file: '.length) : null;
  if (pointed !== null && pointed !== '.ruby-version' && pointed !== '.tool-versions') readInto(pointed, rubyVersionFromDotFile);
  for (const dockerfile of options.dockerfiles ?? ['Dockerfile']) readInto(dockerfile, rubyVersionFromDockerfile);
  const chosen = sources.find((found) => found.version !== null || found.engineVersion !== null) ?? null;
  return { chosen, sources, warnings };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
