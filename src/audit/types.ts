import type { Advisory, DatabaseSummary, Severity } from '../advisories/types.js';
import type { CheckFormat } from '../formats.js';

/** What to do about a finding. */
export interface Fix {
  /** The advisory's `patched_versions`, as written. Empty: no fixed version is known. */
  patchedVersions: string[];
  /**
   * The smallest version above the locked one that no advisory of the gem flags (for the builds
   * locked), when one can be named: the upgrade that clears every known leak of the gem at once.
   */
  minimumSafeVersion: string | null;
  /** Every safe stretch above the locked version, as RubyGems requirements (`= 3.3.1`, `>= 3.9`). */
  safeVersions: string[];
  /** What holds the gem below `minimumSafeVersion`: the Gemfile's requirement, or a locked gem's. */
  blockers: FixBlocker[];
  /** The Bundler command, to run in the lockfile's folder (`bundle update redis`). */
  command: string;
  /** The lockfile's folder as the report names it, or null for the current folder. */
  directory: string | null;
  /** `BUNDLE_GEMFILE` for a dual-boot lockfile (`Gemfile.next`), else null. */
  gemfile: string | null;
  /** `command` as it can be pasted where gemleak ran: `cd -- apps/api && BUNDLE_GEMFILE=Gemfile.next bundle update ...`. */
  runnable: string;
}

/** A requirement that keeps Bundler from reaching the safe version. */
export interface FixBlocker {
  /** `gemfile`: the Gemfile's requirement (the lockfile's DEPENDENCIES); `gem`: a locked gem depends on it so. */
  kind: 'gemfile' | 'gem';
  /** As written in the lockfile (`~> 1.8`). */
  requirement: string;
  /**
   * Kind `gem`: the locked gem that requires it so (`rails 7.0.1`). Kind `gemfile`: null when the
   * Gemfile's requirement is on the leaky gem itself; else the locked gem that has to move too and
   * that the Gemfile pins to its locked version (`rails 4.2.6` for `gem "rails", "4.2.6"`).
   */
  gem: string | null;
  /** The lockfile line that states it. */
  line: number;
}

/** A deliberate decision not to act on a finding (CLI --ignore, or a config entry with a reason). */
export interface Suppression {
  reason: string;
  /** `YYYY-MM-DD` after which the ignore stops applying, or null for no end. */
  until: string | null;
}

/** One locked gem version affected by one advisory, in one lockfile (all its platforms together). */
export interface Finding {
  gem: string;
  version: string;
  /** The platforms of the affected specs: `ruby` for the pure-Ruby build, else the platform suffix. */
  platforms: string[];
  lockfile: string;
  /** Line of the first affected spec in the lockfile. */
  line: number;
  advisory: Advisory;
  /** From the advisory's `trigger`: high (grows with normal use), medium (a specific API or option), low (errors, rare conditions). */
  severity: Severity;
  fix: Fix;
  /** Present when the finding is ignored: it is still reported, but does not fail the run. */
  suppressed?: Suppression;
  /**
   * Every database used that carries this advisory (same gem and id), in merge order: the finding is
   * reported once, and the copy shown is the last one's. Labels as `databaseLabel` writes them.
   */
  sources?: string[];
  /** The database whose text (title, description) is shown, when several have this advisory. */
  textSource?: string;
  /** Set for a leak of the Ruby interpreter itself (gem `ruby`): where the version is written, and when it matters. */
  interpreter?: { source: RubyVersionFound; appliesWhen: string | null };
  /** Bundled corrections of another source's range that apply to this advisory ("range corrected by gemleak's database"). */
  corrections?: { source: string; reason: string; evidence: string }[];
}

/** The Ruby an app runs, and where that is written. */
export interface RubyVersionFound {
  engine: string;
  /** As a Gem::Version string, without the patch level (`3.3.0`). */
  version: string;
  /** As written (`ruby 3.3.0p0`, `3.3.0`). */
  raw: string;
  file: string;
  line: number;
  /** `lockfile`, `ruby-version`, `tool-versions`, `mise`, `gemfile` or `dockerfile`. */
  kind: string;
}

/** The result of checking one lockfile. */
export interface LockfileAudit {
  lockfile: string;
  /** The app's Ruby, when a version is written somewhere; undefined when not looked for (library callers). */
  ruby?: RubyVersionFound | null;
  /** Distinct (gem, version) pairs checked. */
  gemsChecked: number;
  /** Those pairs, with the line of their first spec, for reports that list every gem (JUnit). */
  gems?: CheckedGem[];
  findings: Finding[];
  warnings: RunWarning[];
}

/** Something the user should know that did not stop the run (skipped advisory, unknown section, unused ignore). */
export interface RunWarning {
  message: string;
  file?: string;
  line?: number;
}

/** Everything a check produced: what every output format renders. */
export interface CheckResult {
  gemleakVersion: string;
  audits: LockfileAudit[];
  databases: DatabaseSummary[];
  /** Distinct advisories across the databases used. */
  advisoryCount: number;
  warnings: RunWarning[];
  /** The config file in force (`.gemleak.toml`), as the user would type its path; null or absent when none. */
  config?: string | null;
  /** Every ignore rule (config and --ignore) and what became of it in this run. */
  ignores?: IgnoreRecord[];
  /** The run config's `format`, for the CLI's default output format (not rendered). */
  configFormat?: CheckFormat | null;
  /** The counts every format prints, and the upgrade per gem version. */
  summary: CheckSummary;
  /** 0: no known leak (or all ignored); 1: leaks found. */
  exitCode: 0 | 1;
}

/** The numbers of a check, the same in every format. */
export interface CheckSummary {
  /** Known leaks: findings that are not ignored. */
  leaks: number;
  /** Distinct (lockfile, gem, version) with a known leak. */
  gemVersions: number;
  lockfiles: number;
  /** Lockfiles with at least one known leak. */
  affectedLockfiles: number;
  /** Distinct (gem, version) pairs checked, summed over the lockfiles. */
  gemsChecked: number;
  /** Findings ignored by a rule in force. */
  suppressed: number;
  /** Distinct advisories in the databases used. */
  advisories: number;
  /** Per gem version with known leaks: the advisories and the one upgrade that clears them all. */
  upgrades: GemUpgrade[];
}

/** A gem version with known leaks and the fix that clears every one of them. */
export interface GemUpgrade {
  lockfile: string;
  gem: string;
  version: string;
  line: number;
  /** `<gem>-<id>` of each leak of this gem version. */
  advisories: string[];
  /** The highest severity among them. */
  severity: Severity;
  fix: Fix;
}

/** One distinct gem version a lockfile locks. */
export interface CheckedGem {
  name: string;
  version: string;
  line: number;
}

/** An ignore from the config file or from `--ignore`, before the clock and the findings are seen. */
export interface IgnoreRule {
  /** `<gem>-<advisory id>`. */
  id: string;
  reason: string;
  /** Last day the rule applies (`YYYY-MM-DD`), or null for no end. */
  until: string | null;
  source: 'config' | 'cli';
  /** Where the rule is written (the config file and line); null for --ignore. */
  file: string | null;
  line: number | null;
}

/** An ignore rule and what became of it: reports list these so a reader sees every decision in force. */
export interface IgnoreRecord extends IgnoreRule {
  /**
   * `applied`: it suppressed its findings. `expired`: its `until` date has passed, so it no longer
   * applies and its findings count again. `unused`: it matched no finding in any lockfile checked.
   */
  status: 'applied' | 'expired' | 'unused';
  /** Findings with this advisory id (suppressed when applied, counted when expired). */
  matches: number;
}
