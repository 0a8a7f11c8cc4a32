import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult, CheckedGem, Finding, LockfileAudit, RunWarning, Suppression } from '../../audit/types.js';
import type { Lockfile } from '../../lockfile/types.js';
import { type DatabaseSummary, type LoadedDatabase, ignoreKey } from '../../advisories/types.js';
import type { GemleakConfig } from '../../config/types.js';
import { loadConfig } from '../../config/load.js';
import { type IgnoreRule, activeSuppressions, ignoreRules, localDate, reviewIgnores } from '../../config/ignores.js';
import { type CheckFormat, type ReportContext, renderReport } from '../../report/index.js';
import { GemleakError, isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { CheckOptions } from './run.js';
import { warn } from '../io.js';

/**
 * The team and CI side of `gemleak check`: `.gemleak.toml`, ignores that expire, `--recursive`,
 * the CI formats and the GitHub Actions extras. run.ts calls each piece with one line.
 */

/** The options of `gemleak check` that this side reads (documented on CheckOptions). */
export type TeamOptions = Pick<CheckOptions, 'paths' | 'format' | 'output' | 'ignore' | 'config' | 'recursive' | 'maxAge' | 'verbose' | 'quiet'>;

export interface CheckSetup {
  config: GemleakConfig | null;
  format: CheckFormat;
  /** `--format` was given on the command line. */
  formatGiven: boolean;
  rules: IgnoreRule[];
  /** `YYYY-MM-DD`, local: ignores hold through their `until` day. */
  today: string;
  /** The ignores in force today, for the audit. */
  suppressions: Map<string, Suppression>;
  now: Date;
}

/**
 * Loads the config and settles what it decides: the format (`--format`, else `format`, else text),
 * `--max-age` (else `max_age`, written into `options`), and the ignores in force (config, plus
 * `--ignore`). `now` is the clock (the CLI passes the real one).
 */
export async function prepareCheck<T extends TeamOptions>(options: T, context: CommandContext, now: Date = new Date()): Promise<CheckSetup> {
  const config = await loadConfig({ cwd: context.io.cwd, explicit: options.config });
  if (options.maxAge === undefined && config?.maxAge != null) options.maxAge = config.maxAge;
  const today = localDate(now);
  const rules = ignoreRules(config, options.ignore);
  return {
    config,
    format: options.format ?? config?.format ?? 'text',
    formatGiven: options.format !== undefined,
    rules,
    today,
    suppressions: activeSuppressions(rules, today),
    now,
  };
}

/**
 * The paths to read: as given (default `.`), or with `--recursive` every lockfile below each
 * folder (see src/cli/check/discover.ts). A folder with none under `--recursive` is an error.
 */
export async function lockfileTargets(options: TeamOptions, context: CommandContext, warnings: RunWarning[]): Promise<string[]> {
  const roots = options.paths.length === 0 ? ['.'] : options.paths;
  if (!options.recursive) return roots;
  const { discoverLockfiles } = await import('./discover.js');
  const found = new Set<string>();
  for (const root of roots) {
    const discovery = await discoverLockfiles(path.resolve(context.io.cwd, root), { env: context.io.env });
    warnings.push(...discovery.warnings);
    if (discovery.files.length === 0) {
      throw new GemleakError('LOCKFILE_NOT_FOUND', 'no lockfile (Gemfile.lock, gems.locked, Gemfile*.lock) below this folder, outside ignored folders', { file: root });
    }
    for (const file of discovery.files) found.add(file);
  }
  return [...found];
}

/**
 * The config's `[[database]]` sources added to the databases loaded: each `path` folder is loaded
 * like any database (only the gems locked) and merged last, in file order; a `url` is the copy
 * `gemleak update` synced for it (src/cli/update/configured-copies.ts), or the default synced copy
 * when that came from it (the entry's name then labels it). A `url` not synced yet is said in a
 * warning (an error under --fail-on-stale), never passed over in silence. Nothing is added when
 * `--database`/`GEMLEAK_DB` names the one database to use. A folder that is not a database is an
 * error naming the config line.
 */
export async function withConfigDatabases(
  loaded: LoadedDatabase[],
  setup: CheckSetup,
  options: { database?: string | undefined; strict: boolean; failOnStale?: boolean | undefined },
  env: Record<string, string | undefined>,
  gems: ReadonlySet<string>,
  notes: RunWarning[],
): Promise<LoadedDatabase[]> {
  const config = setup.config;
  if (config === null || config.databases.length === 0 || options.database !== undefined || env.GEMLEAK_DB) return loaded;
  const synced = loaded.find(({ summary }) => summary.kind === 'synced');
  const extra: LoadedDatabase[] = [];
  for (const entry of config.databases) {
    if (entry.kind === 'url') {
      const { loadConfiguredUrl } = await import('../update/configured-copies.js');
      const copy = await loadConfiguredUrl(entry, { configFile: config.file, env, gems, strict: options.strict, failOnStale: options.failOnStale, defaultCopy: synced, loaded: extra }, notes);
      if (copy !== null) extra.push(copy);
      continue;
    }
    const { loadAdvisoryDatabase } = await import('../../advisories/load.js');
    const database = await loadAdvisoryDatabase(entry.path, { strict: options.strict, gems }).catch((error: unknown) => {
      if (!isGemleakError(error) || error.code !== 'DB_INVALID') throw error;
      throw new GemleakError('CONFIG_INVALID', `[[database]] path ${entry.path}: ${error.message}`, { file: config.file, line: entry.line });
    });
    const summary: DatabaseSummary = { kind: 'local', name: entry.name, path: database.root, advisories: database.keys.length, url: null, commit: null, commitDate: null, syncedAt: null };
    extra.push({ summary, database });
  }
  return [...loaded, ...extra];
}

/** How a finding names a database it came from: its config name, its git URL, else its kind or folder. */
export function databaseLabel(summary: DatabaseSummary): string {
  if (summary.name) return summary.name;
  if (summary.kind === 'bundled') return 'bundled';
  if (summary.kind === 'synced') return summary.url ?? 'synced';
  return summary.path;
}

/**
 * The audit's result completed for the reports: the gems it checked (JUnit lists every one), and
 * for each finding every database that carries its advisory. Merging already reports an advisory
 * present in several databases once; this says where it came from.
 */
export function annotateAudit(audit: LockfileAudit, lockfile: Lockfile, loaded: readonly LoadedDatabase[]): LockfileAudit {
  const gems = new Map<string, CheckedGem>();
  for (const spec of lockfile.specs) {
    const key = `${spec.name} ${spec.version}`;
    if (!gems.has(key)) gems.set(key, { name: spec.name, version: spec.version, line: spec.line });
  }
  const findings = audit.findings.map((finding) => {
    const key = ignoreKey(finding.advisory);
    const sources = loaded.filter(({ database }) => database.keys.includes(key)).map(({ summary }) => databaseLabel(summary));
    return { ...finding, sources };
  });
  return { ...audit, findings, gems: [...gems.values()] };
}

/**
 * What became of every ignore, and the warnings about expired and stale ones. `knownKeys`: every
 * advisory in the databases used, to tell a typo from an advisory that simply did not match.
 */
export function reviewCheckIgnores(setup: CheckSetup, audits: readonly LockfileAudit[], knownKeys: Iterable<string>) {
  const findings: Finding[] = audits.flatMap((audit) => audit.findings);
  return reviewIgnores(setup.rules, findings, { today: setup.today, knownKeys: new Set(knownKeys), lockfiles: audits.length });
}

/** The context reporters get: lockfile paths from the repository top for SARIF, annotations, JUnit. */
export async function reportContext(result: CheckResult, format: CheckFormat, base: Pick<ReportContext, 'color' | 'verbose' | 'quiet' | 'appName'>, context: CommandContext, now: Date): Promise<ReportContext> {
  const needsPaths = format !== 'text' && format !== 'json';
  const files = needsPaths || inGithubActions(context) ? [...result.audits.map((audit) => audit.lockfile), ...result.warnings.flatMap((warning) => (warning.file === undefined ? [] : [warning.file]))] : [];
  const { repositoryPaths, toPosix } = await import('../../config/project.js');
  const paths = files.length === 0 ? new Map<string, string>() : await repositoryPaths(files, context.io.cwd);
  return { ...base, repoPath: (file) => paths.get(file) ?? toPosix(file), now };
}

/**
 * In GitHub Actions: when the text report was chosen by default (no `--format`), annotations follow
 * it on stdout, and the Markdown report goes to the job summary. `--format markdown` without
 * `--output` also goes to the job summary. Writing the summary never fails the check.
 */
export async function githubExtras(result: CheckResult, setup: CheckSetup, options: TeamOptions, context: CommandContext, report: ReportContext): Promise<void> {
  if (!inGithubActions(context)) return;
  const automatic = setup.format === 'text' && !setup.formatGiven;
  if (automatic) context.io.stdout.write(await renderReport('github', result, report));
  const summary = context.io.env.GITHUB_STEP_SUMMARY;
  if (!summary || !(automatic || (setup.format === 'markdown' && options.output === undefined))) return;
  const markdown = await renderReport('markdown', result, report);
  await appendFile(summary, `${markdown}\n`).catch((error: NodeJS.ErrnoException) => {
    warn(context.io, `cannot write the job summary to $GITHUB_STEP_SUMMARY (${error.code ?? error.message})`);
  });
}

function inGithubActions(context: CommandContext): boolean {
  return context.io.env.GITHUB_ACTIONS === 'true';
}
