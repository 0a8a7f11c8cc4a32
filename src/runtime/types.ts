/** Where an app says which Ruby it runs, most authoritative first (the order detection prefers). */
const RUBY_VERSION_SOURCE_KINDS = ['lockfile', 'ruby-version', 'tool-versions', 'mise', 'gemfile', 'dockerfile'] as const;
export type RubyVersionSourceKind = (typeof RUBY_VERSION_SOURCE_KINDS)[number];

/** The Ruby implementation: `ruby` is MRI/CRuby; the others as their version files spell them. */
export type RubyEngine = 'ruby' | 'jruby' | 'truffleruby' | 'mruby' | 'rbx' | (string & {});

/** One place that names the app's Ruby. */
export interface RubyVersionSource {
  kind: RubyVersionSourceKind;
  /** The file as messages show it, and the 1-based line the version is written on. */
  file: string;
  line: number;
  /** The text as written: `ruby 3.3.0p0`, `3.3.0`, `~> 3.3.0`, `ruby:3.3-slim`. */
  raw: string;
  engine: RubyEngine;
  /**
   * The MRI language version as a Gem::Version string (`3.3.0`, `3.4.0.preview1`), without the
   * patch level; null when only a requirement or a partial version (`3.3`) is written.
   */
  version: string | null;
  /** For JRuby and TruffleRuby: the engine's own version (`9.4.5.0`); else null. */
  engineVersion: string | null;
  /** A requirement or partial version (`~> 3.3.0`, `3.3`) when that is all the source says. */
  requirement: string | null;
  /** The patch level when written (`p0` in `3.3.0p0`). */
  patchlevel: string | null;
}

export interface RubyVersionDetection {
  /** The most authoritative exact version found, or null when none is known. */
  chosen: RubyVersionSource | null;
  /** Every source found, most authoritative first. */
  sources: RubyVersionSource[];
  /** Files that could not be read (symlink out of the app, FIFO, too large) or did not parse. */
  warnings: { file: string; line?: number; message: string }[];
}
