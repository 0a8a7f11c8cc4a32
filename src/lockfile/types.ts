/** Where a locked spec comes from, as the lockfile's source section says. */
export type SpecSource =
  | { type: 'gem'; remotes: string[] }
  | { type: 'git'; remote: string; revision: string; ref?: string; branch?: string; tag?: string; glob?: string; submodules?: boolean }
  | { type: 'path'; path: string; glob?: string }
  | { type: 'plugin'; remote: string; plugin?: string; options: Record<string, string> };

/** One `    name (version[-platform])` line of a source section. */
export interface LockedSpec {
  name: string;
  /** The version exactly as written, without the platform suffix. */
  version: string;
  /** The platform suffix (`x86_64-linux`, `java`), or null for the pure-Ruby build. */
  platform: string | null;
  source: SpecSource;
  /** 1-based line number of the spec line in the lockfile. */
  line: number;
  /** The 6-space dependency lines below the spec: `name` and the requirement as written (may be empty). */
  dependencies: { name: string; requirement: string }[];
}

export interface LockfileDependency {
  name: string;
  requirement: string;
  /** The `!` marker: the gem is pinned to a non-default source. */
  pinned: boolean;
  line: number;
}

/**
 * Things gemleak read past but a user should know about:
 * - `UNKNOWN_SECTION`: a section header gemleak does not know; its lines were skipped.
 * - `BYTE_ORDER_MARK`: the file starts with a UTF-8 BOM, which Bundler does not strip (it then drops the first section).
 * - `DUPLICATE_SPEC`: the same `name (version[-platform])` is locked twice; only the first is kept, as Bundler keeps one.
 */
export type LockfileWarningCode = 'UNKNOWN_SECTION' | 'BYTE_ORDER_MARK' | 'DUPLICATE_SPEC';

export interface LockfileWarning {
  code: LockfileWarningCode;
  message: string;
  line: number;
}

/**
 * The `code` of every GemleakError the lockfile module throws (all exit code 2, all with `file`, and
 * with `line` whenever the problem is on a line).
 */
export type LockfileErrorCode =
  | 'LOCKFILE_NOT_FOUND'
  | 'LOCKFILE_NOT_A_FILE'
  | 'LOCKFILE_TOO_BIG'
  | 'LOCKFILE_LINE_TOO_LONG'
  | 'LOCKFILE_EMPTY'
  | 'LOCKFILE_NOT_A_LOCKFILE'
  | 'LOCKFILE_BAD_ENCODING'
  | 'LOCKFILE_CONFLICT'
  | 'LOCKFILE_TRUNCATED'
  | 'LOCKFILE_BAD_INDENT'
  | 'LOCKFILE_BAD_SPEC'
  | 'LOCKFILE_BAD_DEPENDENCY'
  | 'LOCKFILE_BAD_SECTION'
  | 'LOCKFILE_BAD_LINE';

export interface Lockfile {
  /** The file name used in messages (as given by the caller). */
  file: string;
  specs: LockedSpec[];
  platforms: string[];
  dependencies: LockfileDependency[];
  /** CHECKSUMS entries keyed by `name (version[-platform])`; value is the checksum list as written. */
  checksums: Record<string, string>;
  rubyVersion: string | null;
  /** The line of the `RUBY VERSION` value; absent when there is none. */
  rubyVersionLine?: number;
  bundledWith: string | null;
  warnings: LockfileWarning[];
}
