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

export interface LockfileWarning {
  code: string;
  message: string;
  line: number;
}

export interface Lockfile {
  /** The file name used in messages (as given by the caller). */
  file: string;
  specs: LockedSpec[];
  platforms: string[];
  dependencies: LockfileDependency[];
  /** CHECKSUMS entries keyed by `name (version[-platform])`; value is the checksum list as written. */
  checksums: Record<string, string>;
  rubyVersion: string | null;
  bundledWith: string | null;
  warnings: LockfileWarning[];
}
