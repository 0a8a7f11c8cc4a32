/** When the memory grows (the `trigger` field): it decides the severity. */
export type Trigger = 'traffic' | 'feature' | 'rare';
export const TRIGGERS: readonly Trigger[] = ['traffic', 'feature', 'rare'];

/** Derived from the trigger, never written in a file. */
export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

const SEVERITY_OF: Record<Trigger, Severity> = { traffic: 'high', feature: 'medium', rare: 'low' };

/**
 * How serious a leak is: `traffic` (grows with normal use) is high, `feature` (a specific API, option
 * or setup) medium, `rare` (errors, rare conditions) low. An advisory that does not say (a third-party
 * database need not) counts as high: without evidence that it is narrow, it is not played down.
 */
/** `high` >= `medium` >= `low`: whether a finding of `severity` reaches the `--fail-on` threshold. */
export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

export function severityOf(advisory: { trigger?: Trigger | null | undefined }): Severity {
  return advisory.trigger == null ? 'high' : SEVERITY_OF[advisory.trigger];
}

/** Where an advisory's facts were checked (the `evidence` mapping). Every field is optional in the file. */
export interface AdvisoryEvidence {
  /** URL of the fix commit or pull request. */
  fix: string | null;
  /** First release containing the fix, as a version (`"3.5.1"`). */
  fixedIn: string | null;
  /** Where the release notes say it, in the author's words. */
  changelog: string | null;
  /** URL of what introduced the leak. */
  introducedBy: string | null;
  /** First release with the leaking code. */
  introducedIn: string | null;
  notes: string | null;
}

/**
 * A bundled advisory's statement that a named source's advisory of the same gem and id is wrong:
 * only such a statement lets the bundled range narrow that source's (see merge.ts).
 */
export interface AdvisoryCorrection {
  /** The corrected source's git URL, as written (compared after normalising, see merge.ts). */
  source: string;
  reason: string;
  /** URL backing the correction. */
  evidence: string;
}

/** Fields gem and interpreter advisories share: what is matched, what is shown, what backs it. */
export interface AdvisoryBase {
  /** The file name without `.yml` (`670`), stable: users put `<gem>-<id>` in ignore lists. */
  id: string;
  url: string;
  title: string;
  /** `YYYY-MM-DD`. */
  date: string;
  description: string;
  /** Requirement strings as written (`"> 0.16.0, < 0.17.2"`); a version is leaky if it meets one. */
  leakyVersions: string[];
  patchedVersions: string[];
  unaffectedVersions: string[];
  /** Evidence links (`related.url`, `related_links`). */
  related: string[];
  /*
   * The three fields below are always set by the loader; they are optional only so that advisories
   * built by hand (tests, library users) need not spell them. Absent means null / [].
   */
  /** When the memory grows; null when the file does not say (allowed outside the bundled database). */
  trigger?: Trigger | null;
  /** null when the file has no `evidence` mapping. */
  evidence?: AdvisoryEvidence | null;
  /** Sources this advisory corrects; only honoured in the bundled database. */
  corrects?: AdvisoryCorrection[];
  /**
   * Why this advisory is withdrawn (not a process memory leak after all), or null. A withdrawn
   * advisory never flags anything; kept as a file so its id is never reused and, in the bundled
   * database, so that its `corrects:` can withdraw a synced source's copy too.
   */
  withdrawn?: string | null;
  /** Path of the file relative to the database root, with forward slashes (`gems/redis/612.yml`). */
  file: string;
}

/** One advisory file `gems/<gem>/<id>.yml`, validated: the ruby-mem-advisory-db schema with camel-cased keys. */
export interface Advisory extends AdvisoryBase {
  gem: string;
  /** `ruby` (C-extension builds only), `jruby`/`java` (-java builds only), or null for all. */
  platform: string | null;
  framework: string | null;
}

/** The condition under which an interpreter leak matters (`applies_when`). */
export interface AppliesWhen {
  /** Machine key (`yjit`, `regexp_timeout`, ... see INTERPRETER_CONDITIONS). */
  condition: string;
  /** For people: `only with YJIT enabled (--yjit or RUBY_YJIT_ENABLE=1)`. */
  text: string;
}

/** Conditions documented for `applies_when.condition`; `db lint` reports others (a typo?). */
export const INTERPRETER_CONDITIONS: readonly string[] = ['yjit', 'rjit', 'regexp_timeout', 'ractor', 'tracepoint', 'ripper', 'prism', 'iseq_binary'];

/** One interpreter advisory `rubies/<engine>/<id>.yml` (`engine: ruby` is MRI/CRuby). */
export interface InterpreterAdvisory extends AdvisoryBase {
  engine: string;
  appliesWhen: AppliesWhen | null;
}

/** A file that could not be used, with the reason. Reported, then skipped (or fatal under --strict). */
export interface AdvisoryProblem {
  file: string;
  line?: number;
  message: string;
}

export interface AdvisoryDatabase {
  /** Absolute path of the database folder (the one holding `gems/`). */
  root: string;
  /** Gem advisories, sorted by gem and id. */
  advisories: Advisory[];
  /** Interpreter advisories (`rubies/`), sorted by engine and id; always loaded whole (they are few). */
  interpreterAdvisories: InterpreterAdvisory[];
  problems: AdvisoryProblem[];
  /**
   * Every advisory file in the database, parsed or not, relative to the root (`gems/redis/612.yml`,
   * `rubies/ruby/20209.yml`): the identity of an advisory, for counts and merging.
   */
  files: string[];
  /**
   * The ignore key of each of `files`, in the same order (`redis-612`, `ruby-20209`). Two files can
   * give the same key (`gems/sidekiq/pro-4652.yml` and `gems/sidekiq-pro/4652.yml`): count `files`.
   */
  keys: string[];
  /**
   * The advisory files among `files` known to be unusable (they are in `problems`), whichever gems
   * were asked for when the database comes from an index; only those parsed when read from YAML.
   * Not counted as advisories a check was run against. Absent: none known.
   */
  broken?: string[];
}

/** The identifier users write in ignore lists, as bundler-leak spells it: `celluloid-670`; `ruby-20209` for an interpreter. */
export function ignoreKey(advisory: Pick<Advisory, 'gem' | 'id'> | Pick<InterpreterAdvisory, 'engine' | 'id'>): string {
  return `${'gem' in advisory ? advisory.gem : advisory.engine}-${advisory.id}`;
}

/** The ignore key of an advisory file path (`gems/<gem>/<id>.yml`, `rubies/<engine>/<id>.yml`). */
export function ignoreKeyOfFile(file: string): string {
  const [, folder = '', name = ''] = file.split('/');
  return `${folder}-${name.replace(/\.yml$/, '')}`;
}

/** Which database a check used, for the summary line and the JSON `database` object. */
export interface DatabaseSummary {
  /**
   * `bundled`: shipped with gemleak; `synced`: `gemleak update`'s copy; `custom`: `--database`/`GEMLEAK_DB`;
   * `local`: a folder listed as `[[database]] path` in `.gemleak.toml` (src/config/).
   */
  kind: 'bundled' | 'synced' | 'custom' | 'local';
  /** The `name` a `.gemleak.toml` `[[database]]` entry gives it, when it has one. */
  name?: string | null;
  path: string;
  /** Advisory files in this database. */
  advisories: number;
  /** Git source it was synced from, when synced. */
  url: string | null;
  /** Last commit of the synced copy (short hash) and its date, when known. */
  commit: string | null;
  commitDate: string | null;
  /** ISO time of the last successful sync, when synced. */
  syncedAt: string | null;
}

/** A database that was loaded for a check, with what to say about it. */
export interface LoadedDatabase {
  summary: DatabaseSummary;
  database: AdvisoryDatabase;
}
