import type { Advisory, DatabaseSummary } from '../advisories/types.js';

/** What to do about a finding. */
export interface Fix {
  /** The advisory's `patched_versions`, as written. Empty: no fixed version is known. */
  patchedVersions: string[];
  /** The smallest version the advisory names as safe above the locked one, when one can be named. */
  minimumSafeVersion: string | null;
  /** The command that moves this gem alone to a newer version. */
  command: string;
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
  fix: Fix;
  /** Present when the finding is ignored: it is still reported, but does not fail the run. */
  suppressed?: Suppression;
  /**
   * Every database used that carries this advisory (same gem and id), in merge order: the finding is
   * reported once, and the copy shown is the last one's. Labels as `databaseLabel` writes them.
   */
  sources?: string[];
}

/** The result of checking one lockfile. */
export interface LockfileAudit {
  lockfile: string;
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
